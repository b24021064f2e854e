"""Rate limits of the guest pages, per link and per client address, counted in the
database: the cache is per process (settings.CACHES), and a limit counted there would let
every web process on every host take its own full share."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from guests.models import RateWindow, token_hash


def allow(token: str, address: str, now: datetime) -> bool:
    """Count one request to the guest page of `token` from `address` (what it is in the
    current fixed window of GUEST_RATE_WINDOW_S seconds) and say whether both counts are
    within GUEST_RATE_PER_TOKEN and GUEST_RATE_PER_ADDRESS. A guessed token counts too: the
    per-address limit is what stops guessing."""
    start = _window_start(now)
    per_token = _count(f"token:{token_hash(token)}", start)
    per_address = _count(f"address:{address}", start)
    return (
        per_token <= settings.GUEST_RATE_PER_TOKEN
        and per_address <= settings.GUEST_RATE_PER_ADDRESS
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


def _count(bucket: str, start: datetime) -> int:
    with transaction.atomic():
        row, created = RateWindow.objects.get_or_create(
            bucket=bucket, window_start=start, defaults={"hits": 1}
        )
        if created:
            return 1
        # F(): two processes counting at once both count.
        RateWindow.objects.filter(pk=row.pk).update(hits=F("hits") + 1)
        return RateWindow.objects.values_list("hits", flat=True).get(pk=row.pk)
