"""The documents linked from a task, a sheet row, a contact or a report, for those pages'
templates: `{% load linked_documents %}`. Through a template, not an import, so the apps
that show them never depend on documents (tests/test_architecture.py).

Only for the case's members (events.access.Access.READ and up), who may open the documents
anyway; a task holder sees none, as the documents' own pages answer them 404. A document
marked secret is listed here, with its marking, for these members only: these pages are
never what a mail, the politicians' report or a guest page is made from.
"""

from django import template
from django.db.models import Exists, OuterRef

from documents.models import Link, SecrecyMarking
from documents.targets import key_of
from events.access import Access

register = template.Library()


def _documents_of(things) -> dict:
    """{id of each of `things` (all of one kind): [Document, …]} in register order, each
    Document with `.marked` (it has a secrecy marking). One query, the case joined in for
    the number."""
    things = list(things)
    out: dict = {thing.pk: [] for thing in things}
    if not things:
        return out
    links = (
        Link.objects.filter(target=key_of(things[0]), target_id__in=list(out))
        .select_related("document__event")
        .annotate(marked=Exists(SecrecyMarking.objects.filter(document=OuterRef("document"))))
        .order_by("document__serial")
    )
    for link in links:
        link.document.marked = link.marked
        out[link.target_id].append(link.document)
    return out


def _member(context) -> bool:
    event = context.get("event")
    return event is not None and getattr(event, "access", 0) >= Access.READ


@register.simple_tag(takes_context=True)
def documents_linked_to(context, things) -> dict:
    """`{% documents_linked_to contacts as documents_by %}`: {id: [Document, …]} for a list
    of one kind, in one query, for `{% linked_documents contact documents_by %}` in a loop.
    Empty for someone who is not a member of the case."""
    return _documents_of(things) if _member(context) else {}


@register.inclusion_tag("documents/linked.html", takes_context=True)
def linked_documents(context, thing, documents_by=None, heading=True):
    """The list of documents linked from `thing` (a task, row, contact or report of
    `context["event"]`): number, title and a link to each one's page; nothing when there
    are none or the viewer is no member. `documents_by` from documents_linked_to spares
    the query in a loop; `heading=False` for a line in a list (a contact)."""
    if not _member(context):
        documents = []
    elif documents_by is not None:
        documents = documents_by.get(thing.pk, [])
    else:
        documents = _documents_of([thing])[thing.pk]
    return {"event": context["event"], "documents": documents, "heading": heading}
