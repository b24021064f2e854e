"""/healthz: can this web process reach the database and the broker?

Load balancers and `make run` poll it; 503 takes the process out of rotation.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok() -> bool:
    if not settings.REDIS_URL:
        # The filesystem transport is reachable when its queue folder is writable.
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return folder.is_dir() and _writable(folder)

    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def _writable(folder: Path) -> bool:
    probe = folder / ".healthz"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_ok(), "broker": broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "fel", **checks}
    return JsonResponse(body, status=200 if healthy else 503)


@login_not_required
def robots_txt(request: HttpRequest) -> HttpResponse:
    # Case files are internal: nothing here is for search engines.
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
