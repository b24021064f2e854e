"""Compile a lägesrapport from the live case file, so the reporter retypes nothing.

The result is plain JSON (stored on the Report): a header and a list of sections, each a
list of lines. Comparing two versions' lines gives "what changed since the previous
report" exactly, whatever happened to the rows in between.
"""

import re
from datetime import timedelta

from django.db.models import Q
from django.utils import formats, timezone

from assessment.models import Contact, Row
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
    ("tasks_done", "Uppgifter klara sedan förra rapporten"),
    ("tasks_overdue", "Försenade uppgifter"),
    ("tasks_open", "Öppna uppgifter"),
    ("contacts", "Kontakter med externa parter sedan förra rapporten"),
    ("published", "Publicerad kommunikation"),
    ("planned_comms", "Planerad kommunikation (tidplan)"),
    ("decisions", "Beslut som behövs"),
]
TITLES = dict(SECTION_TITLES)
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
PLANNED = {"initiala", "langsiktiga", "arbetsplan", "scenario"}
CONSEQUENCES = {"konsekvens_individ", "konsekvens_naringsliv", "konsekvens_samhalle"}


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y")


def _date(day) -> str:
    return formats.date_format(day, "j F Y")


def _row_line(row: dict, *, prefix="") -> str:
    parts = [f"{prefix}{row['what']}".strip()]
    details = [
        f"vem: {row['who']}" if row["who"] else "",
        f"när: {row['when']}" if row["when"] else "",
        f"uppföljning: {row['follow_up']}" if row["follow_up"] else "",
        f"till: {row['audience']}" if row["audience"] else "",
        Row.Status(row["status"]).label.lower() if row["status"] else "",
    ]
    details = [d for d in details if d]
    return parts[0] + (f" ({'; '.join(details)})" if details else "")


def _sheet_sections(event) -> dict[str, list[str]]:
    # One query: the sheet's live rows, in sheet order.
    rows = (
        Row.objects.filter(sheet__event=event, removed_at=None)
        .exclude(what="")
        .order_by("section", "parent_id", "position", "created_at")
        .values("section", "what", "who", "when", "follow_up", "status", "audience")
    )
    out = {key: [] for key in ("facts", "assumptions", "consequences")}
    out |= {"measures_taken": [], "measures_planned": []}
    for row in rows:
        section = row["section"]
        if section == "fakta":
            out["facts"].append(_row_line(row))
        elif section == "antaganden":
            out["assumptions"].append(_row_line(row))
        elif section in CONSEQUENCES:
            label = SECTIONS[section].title.split("–")[-1].strip().capitalize()
            out["consequences"].append(_row_line(row, prefix=f"{label}: "))
        elif section in TAKEN or (section in PLANNED and row["status"] == Row.Status.KLAR):
            out["measures_taken"].append(_row_line(row))
        elif section in PLANNED and row["status"] != Row.Status.STRUKEN:
            out["measures_planned"].append(_row_line(row))
    return out


def _task_sections(event, since, now) -> dict[str, list[str]]:
    # One query: every task with who holds it.
    tasks = (
        Task.objects.filter(event=event)
        .filter(Q(status__in=Task.OPEN) | Q(status=Task.Status.KLAR))
        .select_related("assignee")
        .order_by("due_at", "what", "pk")
    )
    done, overdue, open_ = [], [], []
    for task in tasks:
        line = f"{task.what} – {task.assignee_label}"
        if task.status == Task.Status.KLAR:
            if since is None or (task.status_changed_at and task.status_changed_at > since):
                done.append(line + (f". Återkoppling: {task.feedback}" if task.feedback else ""))
        elif task.due_at and task.due_at < now:
            overdue.append(f"{line}, skulle varit klar {_day(task.due_at)}")
        else:
            open_.append(line + (f", klar senast {_day(task.due_at)}" if task.due_at else ""))
    return {"tasks_done": done, "tasks_overdue": overdue, "tasks_open": open_}


def _contacts(event, since) -> list[str]:
    contacts = Contact.objects.filter(party__event=event).select_related("party")
    if since:
        # By when it was logged: a contact logged late, dated earlier, is still news.
        contacts = contacts.filter(created_at__gt=since)
    return [
        f"{_day(c.happened_at)}, {c.party.organisation} ({c.party.get_type_display()}), "
        f"{c.get_direction_display().lower()}: {c.text}"
        for c in contacts.order_by("happened_at")
    ]


def _communication(event) -> dict[str, list[str]]:
    published = PressText.objects.filter(
        row__plan__event=event, status=PressText.Status.PUBLICERAD
    ).select_related("published_channel")
    planned = TimetableRow.objects.filter(plan__event=event).exclude(
        status=TimetableRow.Status.KLAR
    )
    return {
        "published": [
            f"{_day(t.published_at)}, {t.published_channel}: {t.title}"
            for t in published.order_by("published_at")
        ],
        "planned_comms": [
            f"{row.when}"
            + (f" ({_date(row.planned_on)})" if row.planned_on else "")
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
        lines.append(f"Varslet lämnat {_date(clock.notice_on)}")
    if clock.months:
        lines.append(f"Lagstadgad varseltid: minst {clock.months} månader ({clock.source})")
    else:
        lines.append(f"Inget lagstadgat varsel till Arbetsförmedlingen ({clock.source})")
    if clock.earliest_on:
        note = " (rättat efter det faktiska varslet)" if clock.corrected else ""
        lines.append(f"Neddragningen genomförs tidigast {_date(clock.earliest_on)}{note}")
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
        next_due = now + timedelta(days=event.report_interval_days)
    sections = {
        "summary": [p.strip() for p in summary.split("\n\n") if p.strip()],
        "picture": [f"{label} {answer}" for label, answer in picture.answers() if answer]
        if picture
        else [],
        "scope": _scope(event),
        "varsel": _varsel(event),
        **_sheet_sections(event),
        **_task_sections(event, since, now),
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
