from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.uploads import stopped_as_too_large
from documents import export, filetypes, services, targets
from documents.access import get_document_for_user
from documents.filetypes import KINDS
from documents.forms import (
    DocumentForm,
    LinkForm,
    SecrecyForm,
    VersionForm,
    VoidForm,
    megabytes,
)
from documents.models import Document
from events.access import get_event_for_user
from events.downloads import attachment
from events.services import Refused
from events.submissions import once_per_form, record

# A download is never shown in the browser (HTML or SVG would run as our page): always an
# attachment, its type as read from its bytes, no sniffing, and a sandbox should a
# browser render it anyway.
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def _register(event):
    # One query: the documents in register order, each with whether it is marked secret.
    return (
        event.documents.select_related("registered_by")
        .prefetch_related("secrecy_markings")
        .order_by("serial")
    )


@require_GET
def document_list(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """The diarieblad: every document of the case in register order, and the upload form."""
    event = get_event_for_user(request, event_id)
    form = DocumentForm() if event.can_write else None
    context = {"event": event, "documents": _register(event), "form": form}
    return render(request, "documents/document_list.html", context)


@require_http_methods(["GET", "POST"])
@once_per_form
def document_upload(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    if stopped_as_too_large(request):
        return _too_large(request, event, reverse("document_list", args=[event.pk]))
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "file"}
            document = services.register(
                event, data, file=form.cleaned_data["file"], by=request.user
            )
            record(request, reverse("document_detail", args=[event.pk, document.pk]))
            messages.success(request, f"Handlingen är registrerad som {document.number}.")
            return redirect("document_detail", event_id=event.pk, document_id=document.pk)
    else:
        form = DocumentForm()
    return render(
        request,
        "documents/document_list.html",
        {"event": event, "documents": _register(event), "form": form},
    )


@require_GET
def document_register_export(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    content = export.register_csv(_register(event))
    return attachment(content, f"diarieblad-{event.case_number}.csv", "text/csv; charset=utf-8")


def _too_large(request, event, back: str) -> HttpResponse:
    """413: the body was not read past accounts.uploads.body_limit(), so nothing the form
    held after the file reached us; the page says so and leads back."""
    context = {"event": event, "limit": megabytes(settings.DOCUMENT_MAX_BYTES), "back": back}
    return render(request, "documents/too_large.html", context, status=413)


def _detail(request, document, status=200, **forms) -> HttpResponse:
    event = document.event
    context = {
        "event": event,
        "document": document,
        "versions": document.versions.select_related("uploaded_by"),
        "markings": document.secrecy_markings.select_related("marked_by"),
        "links": targets.described(document.links.all()),
    }
    if event.can_write:
        # A document registered in error is still kept and may be asked for: it may be
        # marked, but takes nothing else.
        context["secrecy_form"] = forms.get("secrecy_form") or SecrecyForm()
    if event.can_write and not document.is_voided:
        context |= {
            "version_form": forms.get("version_form") or VersionForm(),
            "void_form": forms.get("void_form") or VoidForm(),
            "link_form": forms.get("link_form") or LinkForm(event=event),
        }
    return render(request, "documents/document_detail.html", context, status=status)


@require_GET
def document_detail(request: AuthenticatedHttpRequest, event_id, document_id) -> HttpResponse:
    return _detail(request, get_document_for_user(request, event_id, document_id))


@require_GET
def document_download(
    request: AuthenticatedHttpRequest, event_id, document_id, version_id
) -> HttpResponse:
    document = get_document_for_user(request, event_id, document_id)
    version = get_object_or_404(document.versions, pk=version_id)
    kind = KINDS[version.kind]
    with version.file.open("rb") as stored:
        content = stored.read()
    name = f"{document.number} {document.title}.{kind.extensions[0]}"
    mime = kind.mime
    if version.kind == "txt":
        # The charset the file is in, not the one we would have chosen: a cp1252 note
        # announced as UTF-8 shows "Ã¶" for "ö".
        mime = f"{mime}; charset={filetypes.text_charset(content)}"
    response = attachment(content, name, mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-cache"
    return response


def _done(document: Document, message: str, request) -> HttpResponse:
    messages.success(request, message)
    return redirect("document_detail", event_id=document.event.pk, document_id=document.pk)


@require_POST
@once_per_form
def document_version_add(request: AuthenticatedHttpRequest, event_id, document_id) -> HttpResponse:
    document = get_document_for_user(request, event_id, document_id, write=True)
    detail = reverse("document_detail", args=[document.event.pk, document.pk])
    if stopped_as_too_large(request):
        return _too_large(request, document.event, detail)
    form = VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, document, version_form=form)
    try:
        version = services.add_version(document, form.cleaned_data["file"], by=request.user)
    except Refused as e:
        messages.error(request, str(e))
        return redirect(detail)
    record(request, detail)
    return _done(document, f"Version {version.number} är sparad; de tidigare finns kvar.", request)


@require_POST
def document_mark_secret(request: AuthenticatedHttpRequest, event_id, document_id) -> HttpResponse:
    document = get_document_for_user(request, event_id, document_id, write=True, voided_too=True)
    form = SecrecyForm(request.POST)
    if form.is_valid():
        try:
            services.mark_secret(document, **form.cleaned_data, by=request.user)
        except Refused as e:
            form.add_error("provision", str(e))
    if form.errors:
        return _detail(request, document, secrecy_form=form)
    return _done(document, "Handlingen är sekretessmarkerad.", request)


@require_POST
def document_void(request: AuthenticatedHttpRequest, event_id, document_id) -> HttpResponse:
    document = get_document_for_user(request, event_id, document_id, write=True)
    form = VoidForm(request.POST)
    if not form.is_valid():
        return _detail(request, document, void_form=form)
    try:
        services.void(document, reason=form.cleaned_data["reason"], by=request.user)
    except Refused as e:
        messages.error(request, str(e))
        return redirect("document_detail", event_id=event_id, document_id=document.pk)
    return _done(
        document, "Handlingen är markerad som registrerad av misstag. Den finns kvar.", request
    )


@require_POST
def document_link(request: AuthenticatedHttpRequest, event_id, document_id) -> HttpResponse:
    """Link the document from a task, sheet row, contact or report of its case."""
    document = get_document_for_user(request, event_id, document_id, write=True)
    form = LinkForm(request.POST, event=document.event)
    if not form.is_valid():
        return _detail(request, document, link_form=form)
    key, thing = form.cleaned_data["target"]
    services.link(document, key, thing, by=request.user)
    return _done(
        document, f"Handlingen är kopplad till: {targets.KINDS[key].name(thing)}.", request
    )


@require_POST
def document_unlink(
    request: AuthenticatedHttpRequest, event_id, document_id, link_id
) -> HttpResponse:
    """Remove a link; the document stays registered. A link already removed is not an error:
    the page shows what is linked now."""
    document = get_document_for_user(request, event_id, document_id, write=True)
    link = document.links.filter(pk=link_id).first()
    if link is None:
        return _done(document, "Kopplingen är redan borttagen.", request)
    found = targets.find(document.event, f"{link.target}:{link.target_id}")
    link.document = document
    services.unlink(link, found[1] if found else None, by=request.user)
    return _done(document, "Kopplingen är borttagen. Handlingen finns kvar.", request)
