"""Who is on a case, changed in the admin: through the same services as the case page, so
the change is logged and the case page shows it at once."""

from datetime import timedelta
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone

from events.models import Convening, LogEntry, Membership
from notices.models import Notice

PREFIX = "memberships"


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with id `form_id`, as (name, value)
    pairs; the inlines' hidden templates for new rows (`__prefix__`) left out."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self.select = None
        self.options = []
        self.textarea = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        name = attrs.get("name") or ""
        if not self.inside or "__prefix__" in name:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and name and kind not in {"submit", "button", "file", "image"}:
            if kind not in {"checkbox", "radio"}:
                self.fields.append((name, attrs.get("value", "")))
            elif "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on")))
        elif tag == "select" and name:
            self.select, self.options = (name, "multiple" in attrs), []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            name, multiple = self.select
            chosen = [value for value, selected in self.options if selected]
            if not chosen and not multiple and self.options:
                chosen = [self.options[0][0]]
            self.fields += [(name, value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea:
            # HTML drops the newline that directly follows <textarea>.
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def admin_form(client, event) -> dict:
    """The event's admin change form as the browser would post it unchanged."""
    response = client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert response.status_code == 200
    parser = FormFields("event_form")
    parser.feed(response.text)
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def rows(data) -> dict:
    """The inline's rows by the user they name: user pk -> row index."""
    count = int(data[f"{PREFIX}-TOTAL_FORMS"][0])
    return {data[f"{PREFIX}-{i}-user"][0]: i for i in range(count)}


def save(client, event, data):
    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 302, response.context["errors"]


def case_page(client, event) -> str:
    return client.get(reverse("event_detail", args=[event.pk])).text


def test_a_member_added_in_the_admin_is_on_the_case_page_and_in_the_log(client, cast):
    client.force_login(cast.superuser)
    assert "Olle Nilsson" not in case_page(client, cast.event)
    data = admin_form(client, cast.event)
    new = int(data[f"{PREFIX}-TOTAL_FORMS"][0])
    data[f"{PREFIX}-TOTAL_FORMS"] = [str(new + 1)]
    data[f"{PREFIX}-{new}-user"] = [str(cast.outsider.pk)]
    data[f"{PREFIX}-{new}-group"] = ["arbetsgrupp"]
    save(client, cast.event, data)
    assert cast.event.memberships.get(user=cast.outsider).group == "arbetsgrupp"
    entry = LogEntry.objects.get(event=cast.event, kind=LogEntry.Kind.MEMBERSHIP)
    assert (entry.author, entry.text) == (cast.superuser, "Med i arbetsgruppen: Olle Nilsson.")
    page = case_page(client, cast.event)
    assert "Olle Nilsson <span" in page
    assert "Med i arbetsgruppen: Olle Nilsson." in page
    [told] = Notice.objects.filter(kind="member_added")
    assert (told.recipient, told.path) == (
        cast.outsider,
        reverse("event_detail", args=[cast.event.pk]),
    )
    # And Olle now opens the case himself.
    client.force_login(cast.outsider)
    assert client.get(reverse("event_detail", args=[cast.event.pk])).status_code == 200


def test_a_newcomer_to_the_startgrupp_in_the_admin_is_invited_to_its_meeting(client, cast):
    Convening.objects.create(
        event=cast.event,
        meeting_at=timezone.now() + timedelta(hours=1),
        convened_by=cast.kommunchef,
    )
    client.force_login(cast.superuser)
    data = admin_form(client, cast.event)
    data[f"{PREFIX}-{rows(data)[str(cast.lasare.pk)]}-group"] = ["startgrupp"]
    save(client, cast.event, data)
    invited = Notice.objects.filter(kind="convening").values_list("recipient", flat=True)
    assert list(invited) == [cast.lasare.pk]


def test_a_member_removed_in_the_admin_leaves_the_case_page_and_the_log_says_so(client, cast):
    client.force_login(cast.superuser)
    assert "Sara Eklund, Näringslivsutvecklare" in case_page(client, cast.event)
    data = admin_form(client, cast.event)
    sara = rows(data)[str(cast.arbetsgrupp.pk)]
    data[f"{PREFIX}-{sara}-DELETE"] = ["on"]
    save(client, cast.event, data)
    assert not cast.event.memberships.filter(user=cast.arbetsgrupp).exists()
    entry = LogEntry.objects.get(event=cast.event, kind=LogEntry.Kind.MEMBERSHIP)
    assert entry.text == "Inte längre i arbetsgruppen: Sara Eklund."
    page = case_page(client, cast.event)
    assert "Sara Eklund, Näringslivsutvecklare" not in page
    assert "Inte längre i arbetsgruppen: Sara Eklund." in page
    assert Notice.objects.get(kind="member_removed").recipient == cast.arbetsgrupp


def test_a_move_between_groups_or_people_in_the_admin_is_logged(client, cast):
    client.force_login(cast.superuser)
    data = admin_form(client, cast.event)
    by_user = rows(data)
    # Pia, läsbehörig, joins the arbetsgrupp; Sara's row is given to Olle instead.
    data[f"{PREFIX}-{by_user[str(cast.lasare.pk)]}-group"] = ["arbetsgrupp"]
    data[f"{PREFIX}-{by_user[str(cast.arbetsgrupp.pk)]}-user"] = [str(cast.outsider.pk)]
    save(client, cast.event, data)
    groups = dict(cast.event.memberships.values_list("user__username", "group"))
    assert groups["pia"] == "arbetsgrupp"
    assert groups["olle"] == "arbetsgrupp"
    assert "sara" not in groups
    texts = set(cast.event.log_entries.values_list("text", flat=True))
    assert texts == {
        "Inte längre läsbehörig: Pia Sundqvist. Med i arbetsgruppen: Pia Sundqvist.",
        "Inte längre i arbetsgruppen: Sara Eklund.",
        "Med i arbetsgruppen: Olle Nilsson.",
    }


def test_saving_the_admin_form_unchanged_logs_nothing(client, cast):
    client.force_login(cast.superuser)
    before = list(Membership.objects.values_list("user", "group").order_by("user"))
    save(client, cast.event, admin_form(client, cast.event))
    assert list(Membership.objects.values_list("user", "group").order_by("user")) == before
    assert not LogEntry.objects.exists()
