"""Objects of the bedömningsmall on cast.event, made through the services as a user would."""

from assessment import services
from assessment.models import ExternalParty, ImportDraft, Row, Snapshot
from assessment.parts import SECTIONS
from events.services import report_task_progress


def a_row(cast, what="Granlunds varslar 38 anställda.", section="fakta", by=None):
    sheet = services.sheet_of(cast.event)
    return services.add_row(sheet, section, {"what": what}, by=by or cast.arbetsgrupp)


def a_delegated_row(cast, what, section="initiala", *, status="ny", due_at=None) -> Row:
    """A row marked "Ej påbörjad" where its part has a status, delegated to Erik (KSO) as a
    task, which then reaches `status` (with återkoppling "Klart." unless it is new)."""
    row = a_row(cast, what=what, section=section)
    if SECTIONS[section].has_status:
        row = services.edit_row(
            row, {"what": what, "status": "ej_paborjad"}, version=1, by=cast.arbetsgrupp
        )
    row = services.delegate_row(
        row, version=row.version, by=cast.arbetsgrupp, what=what, assignee=cast.kso, due_at=due_at
    )
    if status != "ny":
        report_task_progress(
            row.task, status=status, feedback="Klart.", version=1, by=cast.arbetsgrupp
        )
    return Row.objects.select_related("task").get(pk=row.pk)


def a_party(cast) -> ExternalParty:
    return services.add_party(
        cast.event,
        {"type": "fack", "organisation": "GS-facket", "contact_person": "Bo Ek"},
        by=cast.arbetsgrupp,
    )


def a_snapshot(cast) -> Snapshot:
    return services.take_snapshot(
        services.sheet_of(cast.event), label="Lägesbild 14.00", by=cast.arbetsgrupp
    )


def a_draft(cast) -> ImportDraft:
    return ImportDraft.objects.create(
        sheet=services.sheet_of(cast.event),
        by=cast.arbetsgrupp,
        file_name="mall.xlsx",
        operations=[],
    )
