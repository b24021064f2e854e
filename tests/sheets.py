"""Objects of the bedömningsmall on cast.event, made through the services as a user would."""

from assessment import services
from assessment.models import ExternalParty, ImportDraft, Snapshot


def a_row(cast, what="Granlunds varslar 38 anställda.", section="fakta", by=None):
    sheet = services.sheet_of(cast.event)
    return services.add_row(sheet, section, {"what": what}, by=by or cast.arbetsgrupp)


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
