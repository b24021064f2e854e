"""Who may approve a lägesrapport, beside events.access: the rule the report's page asks to
offer the approval (or say why not) and reports.services asks before approving.

The startgrupp decides on what is reported to it (handlingsplanen, "Startgrupp"), and four
eyes see a report before it is sent: a member of the startgrupp other than its author and
whoever last changed its text.
"""

from events.models import Membership
from reports.models import Report


def may_approve(report: Report, user) -> str:
    """Why `user` may not approve `report`, in Swedish, or "" if they may. One query (the
    user's group on the event)."""
    if user.pk == report.author_id:
        return "Någon annan än författaren måste godkänna rapporten."
    if user.pk == report.edited_by_id:
        return "Du ändrade utkastet senast. Någon annan måste godkänna rapporten."
    is_startgrupp = Membership.objects.filter(
        event=report.event_id, user=user, group=Membership.Group.STARTGRUPP
    ).exists()
    if not is_startgrupp:
        return "Bara en ledamot av startgruppen kan godkänna rapporten."
    return ""


def approvers(report: Report) -> list:
    """Who may approve `report`, as may_approve decides, among those who can be asked: the
    startgrupp's active members other than its author and whoever last saved its text. One
    query."""
    members = Membership.objects.filter(
        event=report.event_id, group=Membership.Group.STARTGRUPP, user__is_active=True
    ).select_related("user")
    return [m.user for m in members if m.user_id not in (report.author_id, report.edited_by_id)]
