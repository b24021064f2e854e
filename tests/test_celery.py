from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.models import LoginThrottle
from accounts.tasks import purge_expired
from tests.conftest import wait_until


def test_a_task_makes_a_round_trip_through_redis_and_a_real_worker(celery_worker):
    long_ago = timezone.now() - timedelta(days=1)
    LoginThrottle.objects.create(
        username="anna",
        ip="10.0.0.5",
        failures=5,
        first_failure_at=long_ago,
        locked_until=long_ago,
    )
    session = SessionStore()
    session.create()
    Session.objects.filter(pk=session.session_key).update(expire_date=long_ago)

    purge_expired.delay()

    assert wait_until(lambda: not LoginThrottle.objects.exists() and not Session.objects.exists())
    assert "accounts.tasks.purge_expired" in celery_worker.log_path.read_text()
