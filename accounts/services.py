from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone

from accounts.models import LoginThrottle


def purge_expired() -> int:
    """Delete expired sessions and login throttles whose window and cool-off are over."""
    now = timezone.now()
    stale = now - timedelta(minutes=settings.LOGIN_COOL_OFF_MINUTES)
    throttles, _ = LoginThrottle.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now), first_failure_at__lt=stale
    ).delete()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    return throttles + sessions
