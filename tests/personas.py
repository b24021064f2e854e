"""Named personas: the people in every test, each with what they may do on `cast.event`.

No factories: a test reads as a story about Anna the kommunchef and Olle the outsider.
"""

from dataclasses import dataclass

from accounts.models import Function, User
from events.models import Event, Membership, Task

PASSWORD = "Rätt-lösenord-2026"


@dataclass
class Cast:
    kommunchef: User  # Anna: startgrupp, reads and writes the event
    kso: User  # Erik, kommunstyrelsens ordförande: startgrupp
    utvecklingschef: User  # Maria: startgrupp, registered the event
    kommunikator: User  # Jonas: startgrupp, writes the press texts
    arbetsgrupp: User  # Sara: arbetsgrupp member, reads and writes
    lasare: User  # Pia, politician: läsbehörig, reads but may not write (403)
    task_holder: User  # Lena: holds one task; sees it and the summary, else 404
    outsider: User  # Olle: works at the municipality, not on this event: 404 everywhere
    superuser: User  # Admin: sees and changes everything
    event: Event
    task: Task = None  # Lena's task on the event, delegated by Sara

    @property
    def startgrupp(self) -> list[User]:
        return [self.kommunchef, self.kso, self.utvecklingschef, self.kommunikator]


def create_user(username, first, last, function=None, **extra) -> User:
    user = User(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@norsjo.example",
        function=function,
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def create_event_row(title, created_by, **fields) -> Event:
    """An event row as the database needs it, without convening anybody."""
    number = Event.objects.count() + 1
    return Event.objects.create(
        title=title,
        created_by=created_by,
        case_number=fields.pop("case_number", f"KS 2026/{number:04d}"),
        kind=fields.pop("kind", "varsel"),
        notice_status=fields.pop("notice_status", "aviserad"),
        company_name=fields.pop("company_name", "Granlunds Snickeri AB"),
        impact_individ=fields.pop("impact_individ", "hog"),
        **fields,
    )


def create_functions() -> dict[str, Function]:
    return {
        role: Function.objects.create(name=label, role=role, in_startgroup=True)
        for role, label in Function.Role.choices
    }


def create_cast() -> Cast:
    functions = create_functions()
    staff = Function.objects.create(name="Näringslivsutvecklare")
    cast = Cast(
        kommunchef=create_user("anna", "Anna", "Lindqvist", functions["kommunchef"]),
        kso=create_user("erik", "Erik", "Nordström", functions["kso"]),
        utvecklingschef=create_user("maria", "Maria", "Holm", functions["utvecklingschef"]),
        kommunikator=create_user("jonas", "Jonas", "Berg", functions["kommunikator"]),
        arbetsgrupp=create_user("sara", "Sara", "Eklund", staff),
        lasare=create_user("pia", "Pia", "Sundqvist"),
        task_holder=create_user("lena", "Lena", "Öberg"),
        outsider=create_user("olle", "Olle", "Nilsson"),
        superuser=create_user("admin", "Ada", "Admin", is_superuser=True, is_staff=True),
        event=None,
    )
    cast.event = create_event_row("Varsel vid Granlunds Snickeri AB", cast.utvecklingschef)
    Membership.objects.bulk_create(
        [Membership(event=cast.event, user=u, group="startgrupp") for u in cast.startgrupp]
        + [
            Membership(event=cast.event, user=cast.arbetsgrupp, group="arbetsgrupp"),
            Membership(event=cast.event, user=cast.lasare, group="lasare"),
        ]
    )
    cast.task = Task.objects.create(
        event=cast.event,
        what="Ring omställningsfonden",
        assignee=cast.task_holder,
        delegated_by=cast.arbetsgrupp,
    )
    return cast
