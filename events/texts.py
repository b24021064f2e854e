"""How a moment is written in messages, the log and documents: Stockholm time, in Swedish."""

from django.utils import formats, timezone


def moment_text(moment) -> str:
    """'3 december 2026 kl. 14:00'"""
    return formats.date_format(timezone.localtime(moment), "j F Y \\k\\l. H:i")
