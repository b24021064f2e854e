"""The member's side: a party's requests, sending one, revoking one's link."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from events.access import get_event_for_user
from events.submissions import FIELD, new_key, once_per_form, record
from guests import mail, services
from guests.forms import GuestRequestForm
from guests.models import GuestRequest

NOT_MAILED = (
    "E-posten kunde inte skickas, så ingen förfrågan är gjord. Försök igen om en stund; "
    "det du skrev finns kvar."
)
NO_ADDRESS = "Parten har ingen e-postadress. Lägg till den på partens sida först."


@require_http_methods(["GET", "POST"])
@once_per_form
def guest_requests(request: AuthenticatedHttpRequest, event_id, party_id) -> HttpResponse:
    """The party's requests and the form for a new one. A confidential case's request is
    shown as the mail and the page will carry it before it is sent (`send` posted from the
    preview)."""
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    party = get_object_or_404(event.external_parties, pk=party_id)
    form = GuestRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not party.email:
        form.add_error(None, NO_ADDRESS)
    if request.method == "POST" and "edit" not in request.POST and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("kind", "question", "due_at")}
        if event.confidential and "send" not in request.POST:
            return _preview(request, event, party, form, data)
        try:
            services.send_request(party, data, by=request.user)
        except OSError:
            form.add_error(None, NOT_MAILED)
        else:
            location = reverse("guest_requests", args=[event.pk, party.pk])
            record(request, location)
            messages.success(request, f"Förfrågan är skickad till {party.email}.")
            return redirect(location)
    now = timezone.now()
    context = {
        "event": event,
        "party": party,
        "form": form,
        "requests": [
            (r, r.status_text(now)) for r in party.guest_requests.select_related("created_by")
        ],
    }
    return render(request, "guests/requests.html", context)


def _preview(request, event, party, form, data) -> HttpResponse:
    """Exactly what the mail and the guest page will carry, with the confidentiality
    warning; the form's values ride along as hidden fields."""
    draft = services.new_request(party, data, by=request.user)
    context = {
        "event": event,
        "party": party,
        "form": form,
        "draft": draft,
        "subject": mail.subject(draft),
        "body": mail.body(draft, mail.LINK_PLACEHOLDER),
        # The form's one-time key goes on to the post that sends: a second click on
        # "Skicka förfrågan" sends nothing twice.
        "submission": request.POST.get(FIELD) or new_key(),
    }
    return render(request, "guests/preview.html", context)


@require_POST
def guest_request_revoke(
    request: AuthenticatedHttpRequest, event_id, party_id, request_id
) -> HttpResponse:
    """Revoke a request's link (writers of the case): from now on it gets the 404."""
    event = get_event_for_user(request, event_id, write=True)
    party = get_object_or_404(event.external_parties, pk=party_id)
    try:
        guest_request = party.guest_requests.get(pk=request_id)
    except GuestRequest.DoesNotExist:
        raise Http404 from None
    if services.revoke(guest_request, by=request.user):
        messages.success(request, "Länken är återkallad och öppnar inget längre.")
    return redirect("guest_requests", event_id=event.pk, party_id=party.pk)
