"""Rate limits of the guest pages, per link and per client address, counted in the
database: the cache is per process (settings.CACHES), and a limit counted there would let
every web process on every host take its own full share."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from guests.models import RateWindow, token_hash


def allow(token: str, address: str, now: datetime) -> bool:
    """Count one request to the guest page of `token` from `address` in the current fixed
    window of GUEST_RATE_WINDOW_S seconds, and say whether it is within
    GUEST_RATE_PER_ADDRESS and GUEST_RATE_PER_TOKEN. A guessed token counts too: the
    per-address limit is what stops guessing, so it is taken first, and a refused request
    writes nothing (a flood of them would otherwise be a flood of writes, and of rows for
    every guessed token)."""
    start = _window_start(now)
    return _take(f"address:{address}", start, settings.GUEST_RATE_PER_ADDRESS) and _take(
        f"token:{token_hash(token)}", start, settings.GUEST_RATE_PER_TOKEN
    )


def purge(now: datetime) -> int:
    """Delete the windows that are over; returns how many rows went."""
    deleted, _ = RateWindow.objects.filter(window_start__lt=_window_start(now)).delete()
    return deleted


def _window_start(now: datetime) -> datetime:
    seconds = settings.GUEST_RATE_WINDOW_S
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
        seconds=int(now.timestamp()) // seconds * seconds
    )


def _take(bucket: str, start: datetime, limit: int) -> bool:
    """Count one hit in `bucket`'s window unless it holds `limit` already; whether it was
    counted. A full window is only read."""
    with transaction.atomic():
        row, created = RateWindow.objects.get_or_create(
            bucket=bucket, window_start=start, defaults={"hits": 1}
        )
        if created:
            return True
        # Conditional and F(): of two processes counting at once, both count, and neither
        # past the limit.
        return bool(
            RateWindow.objects.filter(pk=row.pk, hits__lt=limit).update(hits=F("hits") + 1)
        )
