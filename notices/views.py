from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from notices.models import Notice

SHOWN = 50


@require_GET
def notice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reader's notices, newest first; cancelled ones (a reminder about work finished
    before it went out) are not shown."""
    mine = Notice.objects.filter(recipient=request.user, cancelled_at__isnull=True)
    return render(request, "notices/list.html", {"notices": mine[:SHOWN]})


@require_GET
def open_notice(request: AuthenticatedHttpRequest, notice_id) -> HttpResponse:
    """Mark one of the reader's notices read and go to its page (a link: opening a notice
    is reading it, and doing so twice changes nothing). Another's notice is 404."""
    notice = get_object_or_404(Notice, pk=notice_id, recipient=request.user)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    return redirect(notice.path)


@require_POST
def mark_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    Notice.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notifications")
