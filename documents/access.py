"""Who may see and change a document: whoever may see and change its case
(events.access). A document of another case, or none, is 404 like a case one may not open."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from documents.models import Document
from events.access import get_event_for_user


def get_document_for_user(
    request, event_id, document_id, *, write=False, voided_too=False
) -> Document:
    """Return the document if request.user may open it (members of its case), else raise:
    404 for those who may not open the case, 403 for a reader who tries to write, and 403
    for a write to a document registered in error unless `voided_too` (a secrecy marking:
    the voided document is kept and may still be asked for). The document carries `.event`
    with the viewer's access (`.can_write`)."""
    event = get_event_for_user(request, event_id, write=write)
    try:
        document = Document.objects.select_related("registered_by", "voided_by").get(
            pk=document_id, event=event
        )
    except (Document.DoesNotExist, ValidationError):
        raise Http404 from None
    if write and document.is_voided and not voided_too:
        raise PermissionDenied("Handlingen är registrerad av misstag. Ingenting är ändrat.")
    document.event = event
    return document
