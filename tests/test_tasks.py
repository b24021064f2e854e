"""Delegated tasks: the arbetsgrupp hands them out, the assignee reports back."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import LogEntry, Task
from notices.models import Notice
from notices.tasks import sweep_outbox
from tests.personas import create_event_row

LATER = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")


def list_url(event):
    return reverse("task_list", args=[event.pk])


def detail_url(task):
    return reverse("task_detail", args=[task.event_id, task.pk])


def test_a_member_delegates_a_task_which_is_logged_and_announced(client, cast):
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        list_url(cast.event),
        {"what": "Boka möte med Arbetsförmedlingen", "assignee": cast.kso.pk, "due_at": LATER},
    )
    assert response.status_code == 302
    task = Task.objects.get(what="Boka möte med Arbetsförmedlingen")
    assert (task.assignee, task.delegated_by, task.status) == (cast.kso, cast.arbetsgrupp, "ny")
    log = LogEntry.objects.get(event=cast.event, kind="task")
    assert "Uppgift delegerad till Erik Nordström" in log.text
    assert log.author == cast.arbetsgrupp
    notice = Notice.objects.get(kind="task_assigned")
    assert (notice.recipient, notice.path) == (cast.kso, detail_url(task))
    page = client.get(list_url(cast.event)).text
    assert "Boka möte med Arbetsförmedlingen" in page


def test_a_task_can_go_to_a_named_person_without_an_account(client, cast):
    client.force_login(cast.arbetsgrupp)
    client.post(
        list_url(cast.event),
        {
            "what": "Ta fram lokaler",
            "assignee_name": "Kim Fastighet",
            "assignee_email": "kim@x.se",
        },
    )
    task = Task.objects.get(what="Ta fram lokaler")
    assert task.assignee_label == "Kim Fastighet"
    assert Notice.objects.get(kind="task_assigned").email == "kim@x.se"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"what": "Ring"}, "assignee", "Välj vem som ska göra uppgiften"),
        ({"what": "Ring", "assignee_name": "Kim"}, "assignee_email", "Skriv personens e-post"),
        ({"what": "", "assignee_name": "Kim"}, "what", "Skriv vad som ska göras."),
        ({"what": "Ring", "assignee_name": "Kim", "due_at": "i morgon"}, "due_at", "giltigt"),
        (
            {"what": "Ring", "assignee_name": "Kim", "assignee_email": "kim@"},
            "assignee_email",
            "giltig e-postadress",
        ),
    ],
)
def test_bad_input_is_refused_on_its_field_and_kept(client, cast, data, field, message):
    client.force_login(cast.arbetsgrupp)
    response = client.post(list_url(cast.event), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    for value in data.values():
        assert value in response.text
    assert Task.objects.count() == 1


def test_the_list_filters_by_status_and_assignee_and_sorts_by_due(client, cast):
    now = timezone.now()
    for what, days, status in [("Sist", 9, "ny"), ("Först", 1, "pagar"), ("Klar", 0, "klar")]:
        Task.objects.create(
            event=cast.event,
            what=what,
            assignee=cast.kso,
            status=status,
            due_at=now + timedelta(days=days),
        )
    client.force_login(cast.kommunchef)

    def shown(**params):
        return [t.what for t in client.get(list_url(cast.event), params).context["tasks"]]

    assert shown() == ["Först", "Sist", "Ring omställningsfonden"]
    assert shown(status="alla") == ["Klar", "Först", "Sist", "Ring omställningsfonden"]
    assert shown(status="klar") == ["Klar"]
    assert shown(vem=f"u{cast.task_holder.pk}") == ["Ring omställningsfonden"]


def test_mina_uppgifter_lists_the_users_tasks_across_events(client, cast):
    other = create_event_row("Konkurs vid Åkeriet", cast.kommunchef)
    Task.objects.create(event=other, what="Kontakta konkursförvaltaren", assignee=cast.task_holder)
    Task.objects.create(event=other, what="Inte Lenas", assignee=cast.kso)
    client.force_login(cast.task_holder)
    page = client.get(reverse("my_tasks"))
    assert [t.what for t in page.context["tasks"]] == [
        "Ring omställningsfonden",
        "Kontakta konkursförvaltaren",
    ]
    assert "Konkurs vid Åkeriet" in page.text
    assert "Inte Lenas" not in page.text


def test_the_assignee_marks_the_task_done_with_feedback_by_plain_post(client, cast):
    client.force_login(cast.task_holder)
    response = client.post(
        detail_url(cast.task),
        {
            "status": "klar",
            "feedback": "Fonden kontaktad, möte 3/12.",
            "version": 1,
            "next": reverse("my_tasks"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("my_tasks")
    cast.task.refresh_from_db()
    assert (cast.task.status, cast.task.feedback) == ("klar", "Fonden kontaktad, möte 3/12.")
    entry = LogEntry.objects.get(kind="task")
    assert "Ny → Klar" in entry.text
    assert "Fonden kontaktad" in entry.text
    assert entry.author == cast.task_holder


def test_an_offsite_next_is_ignored(client, cast):
    client.force_login(cast.task_holder)
    response = client.post(
        detail_url(cast.task),
        {"status": "pagar", "version": 1, "next": "https://evil.example/"},
    )
    assert response["Location"] == detail_url(cast.task)


def test_htmx_saves_inline_and_answers_the_card_only(client, cast):
    client.force_login(cast.task_holder)
    response = client.post(
        detail_url(cast.task),
        {"status": "pagar", "feedback": "", "version": 1},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        f'<li class="card task-card task-pagar" id="task-{cast.task.pk}"'
    )
    assert "Sparat." in response.text


def test_done_needs_feedback_and_keeps_the_choice(client, cast):
    client.force_login(cast.task_holder)
    response = client.post(
        detail_url(cast.task),
        {"status": "klar", "feedback": "", "version": 1},
        headers={"HX-Request": "true"},
    )
    assert "Skriv en kort återkoppling" in response.text
    assert 'value="klar" selected' in response.text
    cast.task.refresh_from_db()
    assert cast.task.status == "ny"


def test_a_save_over_a_newer_version_is_refused_and_the_text_kept(client, cast):
    client.force_login(cast.arbetsgrupp)
    client.post(
        detail_url(cast.task), {"status": "pagar", "feedback": "Sara: påbörjad", "version": 1}
    )
    client.force_login(cast.task_holder)
    response = client.post(
        detail_url(cast.task), {"status": "klar", "feedback": "Lena: klart!", "version": 1}
    )
    assert response.status_code == 200
    assert "Någon annan ändrade uppgiften" in response.text
    assert "Lena: klart!" in response.text  # what she typed
    assert "Sara: påbörjad" in response.text  # what is saved now
    cast.task.refresh_from_db()
    assert cast.task.feedback == "Sara: påbörjad"
    # Saving again, knowingly, over the version she has now seen works.
    assert (
        client.post(
            detail_url(cast.task), {"status": "klar", "feedback": "Lena: klart!", "version": 2}
        ).status_code
        == 302
    )


def test_a_writer_changes_the_assignee_who_is_told(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("task_edit", args=[cast.event.pk, cast.task.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"what": "Ring omställningsfonden TRR", "assignee": cast.kso.pk, "version": 1}
    )
    assert response.status_code == 302
    cast.task.refresh_from_db()
    assert (cast.task.what, cast.task.assignee) == ("Ring omställningsfonden TRR", cast.kso)
    assert Notice.objects.get(kind="task_assigned").recipient == cast.kso


def test_a_finished_task_drops_its_unsent_reminders_from_the_inbox(client, cast):
    Notice.objects.create(
        key="x",
        kind="task_due",
        label=cast.event.case_number,
        target=cast.task,
        recipient=cast.task_holder,
        subject="Uppgift förfaller",
        body="",
        path="/",
    )
    client.force_login(cast.task_holder)
    assert "Uppgift förfaller" in client.get(reverse("notifications")).text
    client.post(detail_url(cast.task), {"status": "struken", "version": 1})
    assert "Uppgift förfaller" not in client.get(reverse("notifications")).text


def test_a_user_turns_email_off(client, cast):
    client.force_login(cast.task_holder)
    assert client.get(reverse("account_settings")).status_code == 200
    client.post(reverse("account_settings"), {})
    cast.task_holder.refresh_from_db()
    assert cast.task_holder.email_notifications is False


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_task_pages_take_the_same_queries_with_ten_times_the_tasks(client, cast):
    def add(n):
        Task.objects.bulk_create(
            Task(
                event=cast.event,
                what=f"Uppgift {i}",
                assignee=[cast.task_holder, cast.kso][i % 2],
                delegated_by=cast.arbetsgrupp,
                due_at=timezone.now() + timedelta(hours=i),
            )
            for i in range(n)
        )

    add(10)
    client.force_login(cast.task_holder)
    mine_small = queries_for(client, reverse("my_tasks"))
    client.force_login(cast.arbetsgrupp)
    list_small = queries_for(client, list_url(cast.event))
    add(90)
    list_large = queries_for(client, list_url(cast.event))
    client.force_login(cast.task_holder)
    assert queries_for(client, reverse("my_tasks")) == mine_small
    assert list_large == list_small


def test_an_edit_refused_as_stale_can_be_saved_again_knowingly(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("task_edit", args=[cast.event.pk, cast.task.pk])
    Task.objects.filter(pk=cast.task.pk).update(what="Ring TRR", version=2)
    data = {"what": "Ring omställningsfonden i dag", "assignee": cast.task_holder.pk, "version": 1}
    response = client.post(url, data)
    assert "Någon annan ändrade uppgiften" in response.text
    assert "<dd>Ring TRR</dd>" in response.text  # what is saved now, beside the field
    assert "Ring omställningsfonden i dag" in response.text
    again = {**data, "version": response.context["form"]["version"].value()}
    assert client.post(url, again).status_code == 302
    cast.task.refresh_from_db()
    assert cast.task.what == "Ring omställningsfonden i dag"


def test_a_reopened_task_gets_back_the_reminder_cancelled_when_it_closed(client, cast):
    reminder = Notice.objects.create(
        key="y",
        kind="task_overdue",
        label=cast.event.case_number,
        target=cast.task,
        recipient=cast.task_holder,
        subject="Försenad",
        body="",
        path="/",
    )
    client.force_login(cast.task_holder)
    client.post(detail_url(cast.task), {"status": "klar", "feedback": "Klart", "version": 1})
    reminder.refresh_from_db()
    assert reminder.cancelled_at is not None
    client.post(detail_url(cast.task), {"status": "pagar", "feedback": "Inte klart", "version": 2})
    reminder.refresh_from_db()
    assert reminder.cancelled_at is None


def test_a_delegation_stands_when_the_broker_is_down(
    client, cast, redis_server, django_capture_on_commit_callbacks
):
    client.force_login(cast.arbetsgrupp)
    redis_server.stop()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                list_url(cast.event), {"what": "Boka lokal", "assignee": cast.kso.pk}
            )
    finally:
        redis_server.start()
    # Saved and answered as saved: no error page that invites a second, duplicate submit.
    assert response.status_code == 302
    notice = Notice.objects.get(subject__endswith="Boka lokal", kind="task_assigned")
    assert notice.sent_at is None
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert sweep_outbox() == 1  # handed to a sender now that the broker is back


PASSED = "Tiden har redan passerat. Välj en tid framåt."
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local_minute(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("field", ["due_at", "follow_up_at"])
@pytest.mark.parametrize(
    "typed",
    [
        "2020-01-01T12:00",
        local_minute(timezone.now() - timedelta(hours=3)),  # within the day the form allowed
    ],
    ids=["years-ago", "hours-ago"],
)
def test_a_passed_time_is_refused_on_its_field_and_kept(client, cast, field, typed):
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        list_url(cast.event), {"what": "Boka lokal", "assignee": cast.kso.pk, field: typed}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [PASSED]
    assert f'value="{typed}"' in response.text
    assert not Task.objects.filter(what="Boka lokal").exists()


@time_machine.travel(datetime(2026, 12, 1, 10, 0, 30, tzinfo=STOCKHOLM), tick=False)
def test_the_current_minute_has_not_passed_but_the_one_before_has(client, cast):
    client.force_login(cast.arbetsgrupp)
    data = {"what": "Ring facket", "assignee": cast.kso.pk}
    refused = client.post(list_url(cast.event), data | {"due_at": "2026-12-01T09:59"})
    assert refused.context["form"].errors["due_at"] == [PASSED]
    assert (
        client.post(list_url(cast.event), data | {"due_at": "2026-12-01T10:00"}).status_code == 302
    )


def test_an_overdue_task_is_edited_with_its_time_but_not_moved_to_another_passed_one(client, cast):
    # Saved with seconds (as a service may save it): the form shows minutes.
    overdue = datetime(2020, 1, 1, 12, 0, 37, tzinfo=STOCKHOLM)
    Task.objects.filter(pk=cast.task.pk).update(due_at=overdue, follow_up_at=overdue)
    url = reverse("task_edit", args=[cast.event.pk, cast.task.pk])
    client.force_login(cast.arbetsgrupp)
    assert 'value="2020-01-01T12:00"' in client.get(url).text
    data = {
        "what": "Ring omställningsfonden",
        "assignee": cast.task_holder.pk,
        "due_at": "2020-01-01T12:00",
        "follow_up_at": "2020-01-01T12:00",
        "version": 1,
    }
    moved = client.post(url, data | {"due_at": "2020-01-02T12:00"})
    assert moved.context["form"].errors["due_at"] == [PASSED]
    assert 'value="2020-01-02T12:00"' in moved.text
    followed = client.post(url, data | {"follow_up_at": "2021-06-01T08:00"})
    assert followed.context["form"].errors["follow_up_at"] == [PASSED]
    cast.task.refresh_from_db()
    assert (cast.task.what, cast.task.version) == ("Ring omställningsfonden", 1)
    # Unchanged times stand: the rest of an old task can still be edited.
    assert client.post(url, data | {"what": "Ring TRR"}).status_code == 302
    cast.task.refresh_from_db()
    assert (cast.task.what, cast.task.due_at) == ("Ring TRR", overdue.replace(second=0))


@pytest.mark.parametrize("where", ["list", "edit"])
def test_a_vad_longer_than_a_task_holds_is_refused_whole_with_the_limit(client, cast, where):
    what = "Ring facket och " + "boka lokal, " * 70 + "sedan klart."  # 868 characters
    client.force_login(cast.arbetsgrupp)
    url = (
        list_url(cast.event)
        if where == "list"
        else reverse("task_edit", args=[cast.event.pk, cast.task.pk])
    )
    response = client.post(url, {"what": what, "assignee": cast.kso.pk, "version": 1})
    assert response.status_code == 200
    (error,) = response.context["form"].errors["what"]
    assert "högst 500 tecken" in error
    assert f"har {len(what)}" in error
    assert f"{what}</textarea>" in response.text  # whole, to be shortened
    assert "maxlength" not in str(response.context["form"]["what"])  # no browser cut
    assert not Task.objects.filter(what__startswith="Ring facket").exists()


ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def test_task_dates_are_written_in_swedish_on_every_task_page(client, cast):
    cast.task.due_at = datetime(2026, 12, 15, 12, 0, tzinfo=STOCKHOLM)
    cast.task.follow_up_at = datetime(2027, 1, 1, 9, 30, tzinfo=STOCKHOLM)
    cast.task.save()
    Task.objects.filter(pk=cast.task.pk).update(
        created_at=datetime(2026, 5, 1, 8, 5, tzinfo=STOCKHOLM)
    )
    pages = [
        (cast.task_holder, detail_url(cast.task)),
        (cast.task_holder, reverse("my_tasks")),
        (cast.arbetsgrupp, list_url(cast.event)),
    ]
    for persona, url in pages:
        client.force_login(persona)
        page = client.get(url).text
        assert "15 december 2026 kl. 12:00" in page, url
        assert "1 januari 2027 kl. 09:30" in page, url
        assert "1 maj 2026 kl. 08:05" in page, url
        assert not ENGLISH_MONTHS.search(page), url


def test_templates_write_dates_through_the_moment_filters():
    # One format for a moment and one for a day (events.templatetags.moments); `date` only
    # for machine-readable attributes.
    root = Path(__file__).resolve().parent.parent
    templates = [
        *(root / "templates").rglob("*.html"),
        *(root / "assessment" / "templates").rglob("*.html"),
    ]
    formats = {
        f"{path.name}: {fmt}"
        for path in templates
        for fmt in re.findall(r"\|date:[\"']([^\"']*)", path.read_text())
        if fmt not in ("c", "Y-m-d")
    }
    assert formats == set()
