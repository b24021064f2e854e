"""Who may see and change an event: the one place that decides.

Members are the startgrupp and arbetsgrupp (read and write) and läsbehöriga (read only).
Holders of a task on the event are not members: they see their task and the event's
summary, nothing more. Anyone else gets 404 for every URL of the event, so that an outsider
cannot even learn that a (possibly confidential) case exists. A reader who tries to write
gets 403. A closed event is read-only for everyone until its startgrupp reopens it; a
superuser sees everything.
Logging a new event is for the startgrupp and those trusted with it (may_log_events).
"""

from enum import IntEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404

from events.models import Convening, Event, Membership, Task


class Access(IntEnum):
    NONE = 0
    TASK_HOLDER = 1
    READ = 2
    WRITE = 3


def may_log_events(user) -> bool:
    """Whether `user` may log a new event, which activates the plan and convenes the
    startgrupp at once: the startgrupp's functions (a function in the startgrupp, or one
    with a role in the plan), an account an administrator marked "får logga händelser",
    and a superuser, who may do everything. Never a system account without a name (the
    demo's `admin`): whoever logs an event joins its startgrupp and organises its meeting."""
    if not user.is_authenticated or not user.is_active or not user.get_full_name().strip():
        return False
    if user.is_superuser or user.may_log_events:
        return True
    function = user.function
    return function is not None and (function.in_startgroup or function.role != "")


def events_for_user(user):
    """Events the user may open (members' events; all for a superuser)."""
    events = Event.objects.all()
    if user.is_superuser:
        return events
    return events.filter(Exists(Membership.objects.filter(event=OuterRef("pk"), user=user)))


def _access(user, event: Event) -> Access:
    if user.is_superuser:
        return Access.WRITE
    if event.member_group == Membership.Group.LASARE:
        return Access.READ
    if event.member_group:
        return Access.WRITE
    if event.holds_task:
        return Access.TASK_HOLDER
    return Access.NONE


def get_event_for_user(request, pk, *, write=False, summary=False, reopen=False) -> Event:
    """Return the event if request.user may open this view of it, else raise.

    `summary=True` marks the views a task holder may see too (the event's summary).
    `write=True` marks views that change something. `reopen=True` marks the one change a
    closed event takes: reopening it, for its startgrupp (and a superuser); other members
    get 403. The returned event carries `.access`, `.can_write` and `.can_reopen` so
    templates offer only what the user may do.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    try:
        # One query: the event, the user's group on it and whether they hold a task on it.
        event = (
            Event.objects.annotate(
                member_group=Subquery(
                    Membership.objects.filter(event=OuterRef("pk"), user=user).values("group")[:1]
                ),
                holds_task=Exists(Task.objects.filter(event=OuterRef("pk"), assignee=user)),
            )
            .filter(pk=pk)
            .get()
        )
    except (Event.DoesNotExist, ValidationError):
        raise Http404 from None

    access = _access(user, event)
    if access < (Access.TASK_HOLDER if summary else Access.READ):
        raise Http404
    # The startgrupp activated the plan and decides on the case as a whole (handlingsplanen,
    # Startgrupp): taking a closed case up again is theirs, not the arbetsgrupp's.
    may_reopen = user.is_superuser or event.member_group == Membership.Group.STARTGRUPP
    if reopen and not may_reopen:
        raise PermissionDenied(
            "Bara startgruppen kan öppna ett avslutat ärende igen. Ingenting är ändrat."
        )
    if write and (access < Access.WRITE or event.is_closed):
        raise PermissionDenied
    event.access = access
    event.can_write = access >= Access.WRITE and not event.is_closed
    event.can_reopen = may_reopen and event.is_closed
    # Moving or cancelling the startgrupp's meeting is the startgrupp's, like reopening.
    event.can_convene = event.can_write and may_reopen
    return event


def get_task_for_user(request, event_id, task_id, *, write=False) -> Task:
    """Return the task if request.user may open it, else raise (like get_event_for_user).

    Members see every task of their events; a task holder sees only their own. Writers
    among the members change any task; the assignee reports progress on their own, even
    as a läsbehörig or a task holder. The task carries `.event` with its access and
    `.can_update`.
    """
    event = get_event_for_user(request, event_id, summary=True)
    try:
        task = Task.objects.select_related("assignee", "delegated_by").get(pk=task_id, event=event)
    except (Task.DoesNotExist, ValidationError):
        raise Http404 from None
    if event.access == Access.TASK_HOLDER and task.assignee_id != request.user.pk:
        raise Http404
    task.event = event
    task.can_update = may_update_task(request.user, task, can_write=event.can_write)
    if write and not task.can_update:
        raise PermissionDenied
    return task


def get_convening_for_user(request, event_id, convening_id, *, write=False) -> Convening:
    """Return the startgrupp's meeting if request.user may open it, else raise (like
    get_event_for_user). Moving or cancelling it (`write=True`) is for the startgrupp and a
    superuser: other writers on the event get 403. The meeting carries `.event` with its
    access."""
    event = get_event_for_user(request, event_id, write=write)
    try:
        convening = event.convenings.get(pk=convening_id)
    except Convening.DoesNotExist:
        raise Http404 from None
    if write and not event.can_convene:
        raise PermissionDenied
    convening.event = event
    return convening


def may_update_task(user, task: Task, *, can_write: bool) -> bool:
    """Writers among the members change any task; its assignee reports on their own. Not on
    a closed event. `task.event` must be loaded."""
    return (can_write or task.assignee_id == user.pk) and not task.event.is_closed
