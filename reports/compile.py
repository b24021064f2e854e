"""Compile a lägesrapport from the live case file, so the reporter retypes nothing.

The result is plain JSON (stored on the Report): a header and a list of sections, each a
list of lines. Comparing two versions' lines gives "what changed since the previous
report" exactly, whatever happened to the rows in between.
"""

import re
import uuid

from django.db.models import Q
from django.utils import timezone

from accounts.moments import add_days, day_text
from assessment.models import STATUS_LABELS, Contact, Row
from assessment.parts import SECTIONS
from commsplan.models import PressText, TimetableRow
from events import varsel
from events.models import Task

# (key, title). Facts first; assumptions and consequences in their own sections, so a
# reader never takes one for the other.
SECTION_TITLES = [
    ("summary", "Sammanfattning"),
    ("picture", "Nulägesbild"),
    ("scope", "Omfattning och påverkan"),
    ("varsel", "Varselklockan"),
    ("facts", "Fakta"),
    ("assumptions", "Antaganden (inte bekräftat)"),
    ("consequences", "Möjliga konsekvenser (bedömning, inte fakta)"),
    ("measures_taken", "Genomförda åtgärder"),
    ("measures_planned", "Planerade åtgärder"),
    ("contingency", "Omfallsplanering (scenarier, inte planerade åtgärder)"),
    ("tasks_done", "Uppgifter klara sedan förra rapporten"),
    ("tasks_overdue", "Försenade uppgifter"),
    ("tasks_open", "Öppna uppgifter"),
    ("contacts", "Kontakter med externa parter sedan förra rapporten"),
    ("published", "Publicerad kommunikation"),
    ("planned_comms", "Planerad kommunikation (tidplan)"),
    ("decisions", "Beslut som behövs"),
]
# Sections that hold only what happened during the period: all of it is new by definition,
# so they are not compared line by line with the previous report.
PERIOD_SECTIONS = {"tasks_done", "contacts"}


# Legal forms and filler words: too common to give a company away.
COMMON_WORDS = {
    "ab",
    "hb",
    "kb",
    "aktiebolag",
    "handelsbolag",
    "kommanditbolag",
    "ekonomisk",
    "förening",
    "och",
    "i",
}


def _company_pattern(name: str, org_number: str) -> re.Pattern:
    """The company's name, its org number, and each distinctive word of its name with any
    ending: people write "Granlunds" and "Granlundsfabriken" for "Granlunds Snickeri AB".
    Over-redaction is the safe side; the reporter can still mark a whole section."""
    words = [w for w in re.findall(r"\w+", name) if w.lower() not in COMMON_WORDS]
    # A short name ("ABB") as a word of its own (or "ABBs"): as a prefix it would also
    # take every word that happens to begin with those letters.
    alternatives = [re.escape(name)] + [
        rf"\b{re.escape(w)}\w*" if len(w) >= 4 else rf"\b{re.escape(w)}s?\b" for w in words
    ]
    if org_number:
        alternatives.append(re.escape(org_number))
    return re.compile("|".join(alternatives), re.IGNORECASE)


def redact(content: dict, *, hidden, confidential: bool) -> dict:
    """The politicians' copy: without the sections marked "ej för publicering", and, for a
    confidential event, without the company's name and organisation number anywhere (the
    company has not gone public; handlingsplanen, "Kommunikation")."""
    hidden = set(hidden)
    header = dict(content["header"])
    pattern = None
    if confidential or header["confidential"]:
        pattern = _company_pattern(header["company_name"], header["org_number"])
        header["org_number"] = ""

    def clean(text: str) -> str:
        return pattern.sub("[konfidentiellt företag]", text) if pattern else text

    header = {k: clean(v) if isinstance(v, str) else v for k, v in header.items()}
    return {
        "header": header,
        "sections": [
            {**s, "title": s["title"], "lines": [clean(line) for line in s["lines"]]}
            for s in content["sections"]
            if s["key"] not in hidden
        ],
        "changes": [
            {
                **c,
                "added": [clean(line) for line in c["added"]],
                "gone": [clean(line) for line in c["gone"]],
            }
            for c in content["changes"]
            if c["key"] not in hidden
        ],
    }


TAKEN = {"insatser"}
PLANNED = {"initiala", "langsiktiga", "arbetsplan"}
CONSEQUENCES = {"konsekvens_individ", "konsekvens_naringsliv", "konsekvens_samhalle"}
# Omfallsplanering: scenarios and their chains of measures, prepared in case something
# else happens. Never planned measures: they have their own section.
CONTINGENCY = "scenario"


def _row_line(row: dict, *, prefix="", status="") -> str:
    parts = [f"{prefix}{row['what']}".strip()]
    details = [
        f"vem: {row['who']}" if row["who"] else "",
        f"när: {row['when']}" if row["when"] else "",
        f"uppföljning: {row['follow_up']}" if row["follow_up"] else "",
        f"till: {row['audience']}" if row["audience"] else "",
        status,
    ]
    details = [d for d in details if d]
    return parts[0] + (f" ({'; '.join(details)})" if details else "")


def _shown_status(row: dict) -> str:
    """The row's status code as the sheet shows it: its task's once delegated."""
    return row["task__status"] or row["status"]


def _work_line(row: dict, *, prefix="") -> str:
    """A measure's or scenario's line: with the one status it shows, a task's said to be
    one, and a finished task's återkoppling (what the plan asks to be reported back)."""
    label = STATUS_LABELS.get(_shown_status(row), "").lower()
    status = f"uppgift: {label}" if row["task_id"] and label else label
    line = _row_line(row, prefix=prefix, status=status)
    if row["task__status"] == Task.Status.KLAR and row["task__feedback"]:
        line += f". Återkoppling: {row['task__feedback']}"
    return line


def _is_late(row: dict, now) -> bool:
    """The row's task is open past its time (as in _task_sections)."""
    due = row["task__due_at"]
    return row["task__status"] in Task.OPEN and due is not None and due < now


def _sheet_sections(event, now) -> tuple[dict[str, list[str]], set[uuid.UUID]]:
    """The sections compiled from the sheet (facts to omfallsplanering), and the pks of
    the tasks that their lines stand for.

    One piece of work is listed once (issue 12): a row delegated as a task is listed where
    the row belongs, with the task's status, and the task sections leave that task out.
    Except a task that is late: it is listed among the late tasks only, the list a reader
    looks to for what is behind. A struck measure or scenario is left out, and so is a
    struck scenario's chain. Facts, assumptions and consequences are what is known, not
    work: a task made from one of them is listed as a task."""
    # One query: the sheet's live rows in sheet order, each with its task's status.
    rows = (
        Row.objects.filter(sheet__event=event, removed_at=None)
        .order_by("section", "position", "created_at")
        .values(
            "pk",
            "section",
            "parent_id",
            "what",
            "who",
            "when",
            "follow_up",
            "status",
            "audience",
            "task_id",
            "task__status",
            "task__due_at",
            "task__feedback",
        )
    )
    out = {key: [] for key in ("facts", "assumptions", "consequences")}
    out |= {"measures_taken": [], "measures_planned": [], "contingency": []}
    represented = set()

    def work(key: str, row: dict, *, prefix=""):
        if not row["what"] or _is_late(row, now):
            return
        out[key].append(_work_line(row, prefix=prefix))
        if row["task_id"]:
            represented.add(row["task_id"])

    scenarios, chains = [], {}
    for row in rows:
        section, status = row["section"], _shown_status(row)
        if section == CONTINGENCY:
            if row["parent_id"]:
                chains.setdefault(row["parent_id"], []).append(row)
            else:
                scenarios.append(row)
        elif not row["what"]:
            continue
        elif section == "fakta":
            out["facts"].append(_row_line(row))
        elif section == "antaganden":
            out["assumptions"].append(_row_line(row))
        elif section in CONSEQUENCES:
            label = SECTIONS[section].title.split("–")[-1].strip().capitalize()
            out["consequences"].append(_row_line(row, prefix=f"{label}: "))
        elif (section in TAKEN and not row["task_id"]) or (
            section in TAKEN | PLANNED and status == Row.Status.KLAR
        ):
            work("measures_taken", row)
        elif section in TAKEN | PLANNED and status != Row.Status.STRUKEN:
            work("measures_planned", row)
    # Each scenario, then its chain; a chain line names its scenario, so that it still
    # makes sense on its own among the changes since the previous report.
    for scenario in scenarios:
        if _shown_status(scenario) == Row.Status.STRUKEN:
            continue
        work("contingency", scenario)
        for measure in chains.get(scenario["pk"], []):
            if _shown_status(measure) != Row.Status.STRUKEN:
                work("contingency", measure, prefix=f"{scenario['what'] or 'Scenario'} → ")
    return out, represented


def _task_sections(event, since, now, represented) -> dict[str, list[str]]:
    """Tasks done in the period, late and open; those the sheet's lines stand for
    (`represented`, from _sheet_sections) are left out."""
    # One query: every task with who holds it.
    tasks = (
        Task.objects.filter(event=event)
        .filter(Q(status__in=Task.OPEN) | Q(status=Task.Status.KLAR))
        .select_related("assignee")
        .order_by("due_at", "what", "pk")
    )
    done, overdue, open_ = [], [], []
    for task in tasks:
        if task.pk in represented:
            continue
        line = f"{task.what} – {task.assignee_label}"
        if task.status == Task.Status.KLAR:
            if since is None or (task.status_changed_at and task.status_changed_at > since):
                done.append(line + (f". Återkoppling: {task.feedback}" if task.feedback else ""))
        elif task.due_at and task.due_at < now:
            overdue.append(f"{line}, skulle varit klar {day_text(task.due_at)}")
        else:
            open_.append(line + (f", klar senast {day_text(task.due_at)}" if task.due_at else ""))
    return {"tasks_done": done, "tasks_overdue": overdue, "tasks_open": open_}


def _contacts(event, since) -> list[str]:
    contacts = Contact.objects.filter(party__event=event).select_related("party")
    if since:
        # By when it was logged: a contact logged late, dated earlier, is still news.
        contacts = contacts.filter(created_at__gt=since)
    return [
        f"{day_text(c.happened_at)}, {c.party.organisation} ({c.party.get_type_display()}), "
        f"{c.get_direction_display().lower()}: {c.text}"
        for c in contacts.order_by("happened_at")
    ]


def _communication(event) -> dict[str, list[str]]:
    published = PressText.objects.filter(
        row__plan__event=event, status=PressText.Status.PUBLICERAD
    ).prefetch_related("published_channels")
    # A row whose text went out is no longer planned communication.
    planned = TimetableRow.objects.filter(plan__event=event).exclude(
        status__in=[TimetableRow.Status.KLAR, TimetableRow.Status.PUBLICERAD]
    )
    return {
        "published": [
            f"{day_text(t.published_at)}, "
            f"{', '.join(map(str, t.published_channels.all()))}: {t.title}"
            for t in published.order_by("published_at")
        ],
        "planned_comms": [
            f"{row.when}"
            + (f" ({day_text(row.planned_on)})" if row.planned_on else "")
            + f": {row.message or 'budskap inte formulerat'}"
            for row in planned.order_by("position")
        ],
    }


def _decisions(event, typed: str) -> list[str]:
    lines = [line.strip() for line in typed.splitlines() if line.strip()]
    # Decisions the plan asks of the startgrupp that are still open.
    if event.inform_politicians is None:
        lines.append("Startgruppen har inte beslutat om politiken ska informeras löpande.")
    if event.workgroup_lead_id is None:
        lines.append("Arbetsgruppen har ingen ledare.")
    return lines


def _scope(event) -> list[str]:
    lines = []
    if event.affected_employees is not None:
        lines.append(f"Berörda anställda: {event.affected_employees}")
    if event.affected_subcontractor_staff is not None:
        lines.append(f"Berörda hos underleverantörer: {event.affected_subcontractor_staff}")
    for label, level_label, _, note in event.triggers():
        lines.append(f"{label}: {level_label}" + (f" – {note}" if note else ""))
    return lines


def _varsel(event) -> list[str]:
    clock = varsel.clock_for(event)
    if clock is None:
        return []
    lines = []
    if clock.notice_on:
        lines.append(f"Varslet lämnat {day_text(clock.notice_on)}")
    if clock.months:
        lines.append(f"Lagstadgad varseltid: minst {clock.months} månader ({clock.source})")
    else:
        lines.append(f"Inget lagstadgat varsel till Arbetsförmedlingen ({clock.source})")
    if clock.earliest_on:
        note = " (rättat efter det faktiska varslet)" if clock.corrected else ""
        lines.append(f"Neddragningen genomförs tidigast {day_text(clock.earliest_on)}{note}")
    return lines


def compile_report(event, *, summary: str, decisions_needed: str, previous, now=None) -> dict:
    """The report's content as of now. `previous` is the last sent report (or None): its
    time bounds the period sections, its content is what the changes are counted from."""
    now = now or timezone.now()
    # The previous report holds what was true when it was compiled, so this one takes
    # over from then (not from its sending, which may have been later).
    since = previous.compiled_at if previous else None
    picture = event.pictures.first()
    next_due = None
    if event.report_interval_days:
        next_due = add_days(now, event.report_interval_days)
    sheet, represented = _sheet_sections(event, now)
    sections = {
        "summary": [p.strip() for p in summary.split("\n\n") if p.strip()],
        "picture": [f"{label} {answer}" for label, answer in picture.answers() if answer]
        if picture
        else [],
        "scope": _scope(event),
        "varsel": _varsel(event),
        **sheet,
        **_task_sections(event, since, now, represented),
        "contacts": _contacts(event, since),
        **_communication(event),
        "decisions": _decisions(event, decisions_needed),
    }
    content = {
        "header": {
            "case_number": event.case_number,
            "title": event.title,
            "company_name": event.company_name,
            "org_number": event.org_number,
            "kind": event.get_kind_display(),
            "notice_status": event.get_notice_status_display(),
            "phase": event.get_phase_display(),
            "confidential": event.confidential,
            "as_of": now.isoformat(),
            "next_due": next_due.isoformat() if next_due else None,
            "picture_revision": picture.revision if picture else None,
            "previous_version": previous.version if previous else None,
        },
        "sections": [
            {"key": key, "title": title, "lines": sections[key]}
            for key, title in SECTION_TITLES
            if key != "varsel" or sections[key]
        ],
    }
    content["changes"] = changes_between(previous.content if previous else None, content)
    return content


def changes_between(old: dict | None, new: dict) -> list[dict]:
    """Per section: the lines that are new and the lines that are gone since `old`."""
    if old is None:
        return []
    before = {s["key"]: s["lines"] for s in old["sections"]}
    changes = []
    for section in new["sections"]:
        if section["key"] in PERIOD_SECTIONS:
            continue
        was = before.get(section["key"], [])
        was_set, now_set = set(was), set(section["lines"])
        added = [line for line in section["lines"] if line not in was_set]
        gone = [line for line in was if line not in now_set]
        if added or gone:
            changes.append(
                {"key": section["key"], "title": section["title"], "added": added, "gone": gone}
            )
    return changes


def content_for(report, *, politicians: bool) -> dict:
    """What a reader gets: everything for the startgrupp, the redacted copy for politicians."""
    if not politicians:
        return report.content
    return redact(
        report.content, hidden=report.not_for_publication, confidential=report.event.confidential
    )
