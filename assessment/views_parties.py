"""External parties of an event and their contact log."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from assessment import services
from assessment.forms import ContactForm, PartyForm
from events.access import get_event_for_user


@require_http_methods(["GET", "POST"])
def parties(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    form = PartyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        party = services.add_party(event, form.cleaned_data, by=request.user)
        messages.success(request, f"{party} är tillagd.")
        return redirect("party_detail", event_id=event.pk, party_id=party.pk)
    context = {
        "event": event,
        "parties": event.external_parties.all(),
        "form": form,
    }
    return render(request, "assessment/parties.html", context)


@require_http_methods(["GET", "POST"])
def party_detail(request: AuthenticatedHttpRequest, event_id, party_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    party = get_object_or_404(event.external_parties, pk=party_id)
    form = PartyForm(request.POST if request.method == "POST" else None, instance=party)
    if request.method == "POST" and form.is_valid():
        services.update_party(party, form.cleaned_data, by=request.user)
        messages.success(request, "Uppgifterna är sparade.")
        return redirect("party_detail", event_id=event.pk, party_id=party.pk)
    return render(request, "assessment/party.html", _context(event, party, form, ContactForm()))


def _context(event, party, form, contact_form):
    return {
        "event": event,
        "party": party,
        "form": form,
        "contact_form": contact_form,
        "contacts": party.contacts.select_related("by"),
    }


@require_POST
def contact_add(request: AuthenticatedHttpRequest, event_id, party_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    party = get_object_or_404(event.external_parties, pk=party_id)
    contact_form = ContactForm(request.POST)
    if contact_form.is_valid():
        services.log_contact(party, contact_form.cleaned_data, by=request.user)
        messages.success(request, "Kontakten är loggad.")
        return redirect("party_detail", event_id=event.pk, party_id=party.pk)
    return render(
        request,
        "assessment/party.html",
        _context(event, party, PartyForm(instance=party), contact_form),
    )
