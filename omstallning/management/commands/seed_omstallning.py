"""Demo data for omställning (issue 15, item 7): one fictional programme two years in, after
a fictional closure, with three insatsområden and eight targets in every status, measured
every quarter. Called by seed_demo (after the demo people exist); idempotent, DEBUG only."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.models import Event, Impact, Kind, Membership, NoticeStatus, Phase
from events.services import next_case_number
from omstallning import services
from omstallning.models import Colour, Measurement, PlanVersion, Programme, Target
from omstallning.status import path_value

TITLE = "Omställning efter Kusfors Gjuteri (fiktivt exempel)"
EVENT_TITLE = "Nedläggning av Kusfors Gjuteri AB (fiktivt exempel)"
HIGHER, LOWER = Target.Direction.HIGHER, Target.Direction.LOWER

# (insatsområde, indicator, unit, direction, baseline, target, styrgräns, how it goes:
# "gron" ahead of the path, "gul" between path and styrgräns, "rod" past the styrgräns,
# "ej_matt" last measured long ago)
TARGETS = [
    (
        "Nya arbetsplatser",
        "Nya arbetstillfällen sedan nedläggningen",
        "st",
        HIGHER,
        0,
        150,
        30,
        "gron",
    ),
    ("Nya arbetsplatser", "Nystartade företag per år", "st", HIGHER, 12, 24, 14, "gul"),
    (
        "Nya arbetsplatser",
        "Andel av kommunens jobb i största företaget",
        "%",
        LOWER,
        22,
        12,
        20,
        "gron",
    ),
    (
        "Kompetens och omställning",
        "Varslade i arbete eller utbildning",
        "%",
        HIGHER,
        0,
        90,
        40,
        "gron",
    ),
    ("Kompetens och omställning", "Öppet arbetslösa 16–64 år", "%", LOWER, 7.5, 4.5, 7, "rod"),
    (
        "Kompetens och omställning",
        "Deltagare i yrkesutbildning",
        "personer",
        HIGHER,
        10,
        60,
        20,
        "ej_matt",
    ),
    ("Attraktiv bygd", "Invånare 19–64 år", "personer", HIGHER, 2050, 2100, 2000, "rod"),
    ("Attraktiv bygd", "Nöjd-Region-Index", "index", HIGHER, 55, 62, 53, "gul"),
]
QUARTER = 91


class Command(BaseCommand):
    help = "Skapar ett fiktivt omställningsprogram (idempotent). Körs bara med DEBUG påslaget."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_omstallning körs bara med DEBUG=true.")
        if Programme.objects.filter(title=TITLE).exists():
            return
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["anna", "erik", "maria", "jonas", "sara", "per"]
            )
        }
        if len(users) < 6:
            raise CommandError("Kör seed_demo först: demopersonerna saknas.")
        with transaction.atomic():
            self.seed(users, timezone.localdate())
        self.stdout.write("Omställningsprogrammet klart.")

    def seed(self, users, today: date):
        start = today - timedelta(days=2 * 365)
        event = Event.objects.create(
            title=EVENT_TITLE,
            case_number=next_case_number(),
            kind=Kind.NEDLAGGNING,
            notice_status=NoticeStatus.AVISERAD,
            company_name="Kusfors Gjuteri AB",
            sector="Gjuteri",
            employees_local=180,
            affected_employees=180,
            impact_individ=Impact.HOG,
            impact_naringsliv=Impact.HOG,
            impact_attraktion=Impact.MEDEL,
            description="Gjuteriet, kommunens största privata arbetsgivare, läggs ner.",
            announced_on=start - timedelta(days=60),
            phase=Phase.AVSLUTAD,
            closed_from_phase=Phase.FOLJA_UPP,
            closed_at=timezone.now() - timedelta(days=2 * 365 + 10),
            created_by=users["maria"],
            created_at=timezone.now() - timedelta(days=2 * 365 + 60),
        )
        for name in ("anna", "erik", "maria", "jonas"):
            Membership.objects.create(event=event, user=users[name], group="startgrupp")
        programme = services.start_programme(
            event,
            title=TITLE,
            started_on=start,
            planned_end_on=start + timedelta(days=6 * 365),
            by=users["maria"],
        )
        services.add_member(programme, users["sara"], "medlem", by=users["maria"])
        services.add_member(programme, users["per"], "medlem", by=users["maria"])
        services.change_phase(programme, "genomforande", by=users["maria"])
        plan = programme.versions.get()
        services.save_plan(
            plan,
            {
                "background": plan.background,
                "vision": "Norsjö har fler och fler sorters jobb 2030 än före nedläggningen.",
                "focus_areas": "Nya arbetsplatser; kompetens och omställning; attraktiv bygd.",
                "organisation": "Styrgrupp: KSO, kommunchef, utvecklingschef, regionen, "
                "Innovasjon-modellens projektledare.",
                "financing": "Kommunen, Region Västerbotten och Tillväxtverket.",
                "communication": plan.communication,
            },
            by=users["maria"],
        )
        for year, source, amount in [
            (start.year, "Norsjö kommun", 2_000_000),
            (start.year, "Region Västerbotten", 3_000_000),
            (start.year + 1, "Tillväxtverket", 4_000_000),
        ]:
            services.add_budget_line(
                plan, year=year, source=source, amount_kr=amount, by=users["maria"]
            )
        services.approve_plan(plan, by=users["erik"])
        # The styrgrupp approved it four months in, before kommunfullmäktige adopted it.
        PlanVersion.objects.filter(pk=plan.pk).update(
            approved_at=timezone.now() - timedelta(days=2 * 365 - 120)
        )
        plan.refresh_from_db()
        services.adopt_plan(
            plan, adopted_on=start + timedelta(days=150), paragraph="§ 58", by=users["anna"]
        )
        services.new_plan_version(programme, by=users["maria"])
        areas = {}
        for area_name, indicator, unit, direction, base, goal, limit, course in TARGETS:
            if area_name not in areas:
                areas[area_name] = services.add_focus_area(
                    programme, name=area_name, description="", by=users["maria"]
                )
            target = services.create_target(
                areas[area_name],
                {
                    "indicator": indicator,
                    "unit": unit,
                    "direction": direction,
                    "baseline_value": Decimal(str(base)),
                    "baseline_on": start,
                    "baseline_source": "SCB / ärendet",
                    "target_value": Decimal(str(goal)),
                    "target_on": start + timedelta(days=5 * 365),
                    "threshold": Decimal(str(limit)),
                    "frequency_days": QUARTER,
                    "measured_by": users["sara"] if len(areas) < 3 else users["per"],
                },
                by=users["maria"],
            )
            self.measure(target, course, today, users["sara"])
        # Corrections as they happen: one value struck (entered for the wrong target) and
        # one source corrected; both kept, both logged.
        first = Target.objects.filter(focus_area__programme=programme).order_by("created_at")[0]
        wrong = services.add_measurement(
            first,
            value=Decimal("3"),
            measured_on=today - timedelta(days=40),
            source="SCB",
            by=users["sara"],
        )
        services.void_measurement(
            wrong, reason="Gällde antalet nya företag, inte detta mål.", by=users["sara"]
        )
        oldest = first.measurements.order_by("measured_on")[0]
        services.correct_measurement(
            oldest,
            value=oldest.value,
            measured_on=oldest.measured_on,
            source="SCB, reviderad årsserie",
            version=oldest.version,
            by=users["maria"],
        )
        # One colour set by hand, with its reason (shown and logged).
        target = Target.objects.get(
            focus_area__programme=programme, indicator="Nystartade företag per år"
        )
        services.set_colour(
            target,
            colour=Colour.GRON,
            reason="Tre företag startar i januari; registreringen släpar.",
            by=users["anna"],
        )

    def measure(self, target: Target, course: str, today: date, by):
        """Quarterly values since the baseline that end in `course`'s colour."""
        last = (
            today - timedelta(days=QUARTER * 2 + 20)
            if course == "ej_matt"
            else today - timedelta(days=10)
        )
        day = target.baseline_on + timedelta(days=QUARTER)
        sign = 1 if target.direction == HIGHER else -1
        limit = target.threshold
        rows = []
        while day <= last:
            path = Decimal(float(path_value(target, day)))
            if course in ("gron", "ej_matt"):
                value = path + sign * abs(path - limit) * Decimal("0.1") + sign
            elif course == "gul":
                value = (path + limit) / 2
            else:
                value = limit - sign * (abs(path - limit) * Decimal("0.2") + 1)
            rows.append(
                Measurement(
                    target=target,
                    value=value.quantize(Decimal("0.1")),
                    measured_on=day,
                    source="SCB",
                    entered_by=by,
                )
            )
            day += timedelta(days=QUARTER)
        Measurement.objects.bulk_create(rows)
