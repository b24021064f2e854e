from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from notices.models import Notice

SHOWN = 50


@require_GET
def notice_list(request):
    """The reader's notices, newest first; cancelled ones (a reminder about work finished
    before it went out) are not shown."""
    mine = Notice.objects.filter(recipient=request.user, cancelled_at__isnull=True)
    return render(request, "notices/list.html", {"notices": mine[:SHOWN]})


@require_POST
def mark_read(request):
    Notice.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notifications")
