from notices.models import Notice


def unread_notices(request):
    """The unread count in the header (one query per page, only for logged-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = Notice.objects.filter(
        recipient=user, read_at__isnull=True, cancelled_at__isnull=True
    ).count()
    return {"unread_notifications": count}
