"""Demo data: the startgrupp functions, some staff and one clearly fictional event.

Idempotent: running it again changes nothing. Refuses to run with DEBUG off, because the
demo accounts share a published password.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Function, User
from events.models import Event, Impact, Kind, LogEntry, Membership, NoticeStatus, Task
from events.services import next_case_number

DEMO_PASSWORD = "norsjo-demo"  # noqa: S105 (published on purpose, DEBUG only)

FUNCTIONS = [
    ("Kommunchef", Function.Role.KOMMUNCHEF, True),
    ("Kommunstyrelsens ordförande", Function.Role.KSO, True),
    ("Utvecklingschef", Function.Role.UTVECKLINGSCHEF, True),
    ("Kommunikatör", Function.Role.KOMMUNIKATOR, True),
    ("Näringslivsutvecklare", "", False),
    ("Arbetsmarknadssamordnare", "", False),
    ("Ekonomichef", "", False),
]

# username, first name, last name, function
PEOPLE = [
    ("anna", "Anna", "Lindqvist", "Kommunchef"),
    ("erik", "Erik", "Nordström", "Kommunstyrelsens ordförande"),
    ("maria", "Maria", "Holm", "Utvecklingschef"),
    ("jonas", "Jonas", "Berg", "Kommunikatör"),
    ("sara", "Sara", "Eklund", "Näringslivsutvecklare"),
    ("per", "Per", "Wikström", "Arbetsmarknadssamordnare"),
    ("lena", "Lena", "Öberg", "Ekonomichef"),
]

EVENT_TITLE = "Varsel vid Bjurträsk Trävaror AB (fiktivt exempel)"


class Command(BaseCommand):
    help = "Skapar demodata (idempotent). Körs bara med DEBUG påslaget."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo körs bara med DEBUG=true (demokontona har kända lösenord)."
            )
        with transaction.atomic():
            users = self.seed_people()
            self.seed_event(users)
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.invalid", DEMO_PASSWORD)
        # The omställningsprogram two years on (issue 15). By name: events imports no app
        # built on it (tests/test_architecture.py).
        call_command("seed_omstallning")
        self.stdout.write("Demodata klar.")

    def seed_people(self) -> dict[str, User]:
        functions = {}
        for name, role, in_startgroup in FUNCTIONS:
            functions[name], _ = Function.objects.get_or_create(
                name=name, defaults={"role": role, "in_startgroup": in_startgroup}
            )
        users = {}
        for username, first, last, function in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.invalid",
                    "function": functions[function],
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            users[username] = user
        return users

    def seed_event(self, users: dict[str, User]):
        if Event.objects.filter(title=EVENT_TITLE).exists():
            return
        now = timezone.now()
        event = Event.objects.create(
            title=EVENT_TITLE,
            # As a case logged in the app gets it, so the next one logged follows on.
            case_number=next_case_number(),
            kind=Kind.VARSEL,
            notice_status=NoticeStatus.AVISERAD,
            company_name="Bjurträsk Trävaror AB",
            org_number="556677-8899",
            sector="Sågverk och trävaror",
            employees_local=120,
            affected_employees=45,
            affected_subcontractor_staff=10,
            impact_individ=Impact.HOG,
            impact_individ_note="45 av 120 anställda, de flesta boende i kommunen.",
            impact_naringsliv=Impact.MEDEL,
            impact_naringsliv_note="Åkerier och underleverantörer påverkas.",
            impact_attraktion=Impact.LAG,
            announced_on=(now - timedelta(days=2)).date(),
            created_by=users["maria"],
            created_at=now - timedelta(days=2),
        )
        for username in ("anna", "erik", "maria", "jonas"):
            Membership.objects.create(
                event=event, user=users[username], group=Membership.Group.STARTGRUPP
            )
        for username in ("sara", "per"):
            Membership.objects.create(
                event=event, user=users[username], group=Membership.Group.ARBETSGRUPP
            )
        Task.objects.create(
            event=event,
            what="Ta fram siffror på kommunens skatteintäkter från de berörda",
            assignee=users["lena"],
            delegated_by=users["sara"],
            due_at=now + timedelta(hours=5),
            follow_up_at=now + timedelta(days=1),
        )
        # Already late: the reminders (and their e-mails in the worker's console) show at once.
        Task.objects.create(
            event=event,
            what="Boka lokal för informationsmöte med de varslade",
            assignee=users["per"],
            delegated_by=users["sara"],
            created_at=now - timedelta(days=2),
            due_at=now - timedelta(hours=3),
        )
        LogEntry.objects.create(
            event=event,
            author=users["maria"],
            text=(
                "Företagets vd ringde: varsel om 45 tjänster lämnas till Arbetsförmedlingen i dag."
            ),
            happened_at=now - timedelta(days=2, hours=1),
            created_at=now - timedelta(days=2),
        )
        LogEntry.objects.create(
            event=event,
            author=users["sara"],
            text="Kontakt tagen med omställningsfonden, möte bokat på torsdag.",
            happened_at=now - timedelta(days=1),
            created_at=now - timedelta(days=1),
        )
