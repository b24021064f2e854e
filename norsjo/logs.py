"""Log filters."""

import logging
import re

# A guest link's token: the path segment after the guest prefix (guests/urls.py), in a
# path as Django logs it ("Not Found: /gast/…/") or in a request line ("GET /gast/…/ HTTP").
GUEST_TOKEN = re.compile(r"/gast/[^/\s?\"]+")


class HideGuestTokens(logging.Filter):
    """Write a record's path under /gast/ as "/gast/…/": the token in it is a live key to a
    request (whoever holds it may answer), and the log is read by more people, and kept
    longer, than the link. Rewrites the record's message in place; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        hidden = hide_guest_tokens(text)
        if hidden != text:
            record.msg, record.args = hidden, ()
        return True


def hide_guest_tokens(text: str) -> str:
    """`text` with every guest link's token replaced by "…"."""
    return GUEST_TOKEN.sub("/gast/…", text)
