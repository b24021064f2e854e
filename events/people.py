"""Whom a task can go to: any colleague with an account (the arbetsgrupp "may delegate
tasks to others in the organisation", handlingsplanen), the case's members first."""

from django.db.models import Exists, OuterRef

from accounts.people import active_people, person_key
from events.models import Event, Membership

# Matches offered at once; more means the user should type more of the name.
MAX_MATCHES = 10


def people_for(event: Event) -> list:
    """Every active named account, each marked `.in_case` when a member of `event`: the
    members first, then the others, each group in Swedish alphabetical order.

    One query, kept on `event` for the rest of the request: a page with a person field per
    varsel milestone asks once."""
    if not hasattr(event, "_people"):
        people = (
            active_people()
            .select_related("function")
            .annotate(in_case=Exists(Membership.objects.filter(event=event, user=OuterRef("pk"))))
        )
        event._people = sorted(people, key=lambda user: (not user.in_case, person_key(user)))
    return event._people
