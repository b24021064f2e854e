"""What of the sheet a document can be linked from (issue 18): a row and a line of a party's
contact log. Registered with documents in AssessmentConfig.ready()."""

from django.urls import reverse

from assessment.models import Contact, Row
from documents.models import Link
from documents.targets import Kind, register, short


def register_links() -> None:
    register(
        Link.Target.ROW,
        Kind(
            model=Row,
            case="sheet__event",
            heading="Rader i bedömningsmallen",
            name=lambda row: f"{row.get_section_display()}: {short(row.what)}",
            url=lambda row: reverse("row_edit", args=[row.sheet.event_id, row.pk]),
            offered={"removed_at": None},
            related=("sheet",),
        ),
    )
    register(
        Link.Target.CONTACT,
        Kind(
            model=Contact,
            case="party__event",
            heading="Kontakter med externa parter",
            name=lambda contact: (
                f"{contact.party.organisation}, {contact.happened_at:%Y-%m-%d}: "
                f"{short(contact.text)}"
            ),
            url=lambda contact: (
                reverse("party_detail", args=[contact.party.event_id, contact.party_id])
                + f"#contact-{contact.pk}"
            ),
            offered={},
            related=("party",),
        ),
    )
