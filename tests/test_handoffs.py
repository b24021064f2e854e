"""Hand-offs between people: every transition that waits on someone tells that someone,
once per transition, in the app and by mail, never the person who acted (issue: hand-offs;
handlingsplanen, "Arbetsgrupp")."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event, Task
from notices import outbox
from notices.models import Notice
from reports.models import Report
from tests.test_commsplan import step, write_text
from tests.test_event_create import minimal

LATER = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


def told(**filters) -> list[tuple[str, str]]:
    """(kind, reader) for every notice written, sorted."""
    notices = Notice.objects.filter(**filters).select_related("recipient")
    return sorted((n.kind, n.recipient.username if n.recipient else n.email) for n in notices)


def decide(client, cast, *, by, **fields):
    client.force_login(by)
    data = {"inform_politicians": "nej", "workgroup": [], **fields}
    response = client.post(reverse("decisions", args=[cast.event.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    return response


def progress(client, task, *, by, status, feedback="", version):
    client.force_login(by)
    url = reverse("task_detail", args=[task.event_id, task.pk])
    response = client.post(url, {"status": status, "feedback": feedback, "version": version})
    assert response.status_code == 302
    task.refresh_from_db()


def test_forming_the_arbetsgrupp_tells_the_members_the_lead_and_the_reporter(client, cast):
    decide(
        client,
        cast,
        by=cast.kommunchef,
        workgroup=[cast.arbetsgrupp.pk, cast.outsider.pk],
        workgroup_lead=cast.arbetsgrupp.pk,
        reporter=cast.outsider.pk,
        report_interval_days=7,
    )
    # Sara was in the arbetsgrupp already: she hears only that she leads it.
    assert told() == [("member_added", "olle"), ("role_given", "olle"), ("role_given", "sara")]
    leads = Notice.objects.get(kind="role_given", recipient=cast.arbetsgrupp)
    assert "arbetsgruppens ledare" in leads.body
    assert leads.subject == f"Nytt uppdrag i ärendet – {cast.event.case_number}"
    # Each notice opens the case for its reader.
    client.force_login(cast.outsider)
    assert client.get(leads.path).status_code == 200


def test_leaving_the_arbetsgrupp_or_a_role_is_told_and_so_is_coming_back(client, cast):
    decide(
        client,
        cast,
        by=cast.kommunchef,
        workgroup=[cast.arbetsgrupp.pk, cast.outsider.pk],
        reporter=cast.outsider.pk,
        report_interval_days=7,
    )
    Notice.objects.all().delete()
    decide(
        client,
        cast,
        by=cast.kso,
        workgroup=[cast.arbetsgrupp.pk],
        reporter=cast.arbetsgrupp.pk,
        report_interval_days=7,
    )
    assert told() == [("member_removed", "olle"), ("role_given", "sara"), ("role_taken", "olle")]
    decide(client, cast, by=cast.kso, workgroup=[cast.arbetsgrupp.pk, cast.outsider.pk])
    assert ("member_added", "olle") in told()


def test_the_one_who_decides_is_not_told_of_their_own_decision(client, cast):
    decide(
        client,
        cast,
        by=cast.arbetsgrupp,
        workgroup=[cast.arbetsgrupp.pk],
        workgroup_lead=cast.arbetsgrupp.pk,
    )
    assert told() == []


def test_changing_the_startgrupp_tells_who_joins_and_who_leaves(client, cast):
    client.force_login(cast.kommunchef)
    members = [cast.kommunchef.pk, cast.kso.pk, cast.utvecklingschef.pk, cast.arbetsgrupp.pk]
    client.post(reverse("startgroup_edit", args=[cast.event.pk]), {"members": members})
    assert ("member_added", "sara") in told()
    assert ("member_removed", "jonas") in told()
    assert not Notice.objects.filter(recipient=cast.kommunchef).exists()


def test_the_first_answers_tell_the_rest_of_the_startgrupp_a_decision_waits(client, cast):
    cast.event.memberships.filter(group="arbetsgrupp").delete()
    client.force_login(cast.kommunchef)
    client.post(
        reverse("picture_edit", args=[cast.event.pk]),
        {"what_happened": "Varsel om 40 tjänster.", "based_on": 0},
    )
    assert told(kind="decision_pending") == [
        ("decision_pending", "erik"),
        ("decision_pending", "jonas"),
        ("decision_pending", "maria"),
    ]
    notice = Notice.objects.filter(kind="decision_pending").first()
    assert notice.path == reverse("decisions", args=[cast.event.pk])


def test_done_tells_the_delegator_with_the_feedback_and_each_repetition_tells_again(client, cast):
    task = cast.task  # Lena's, delegated by Sara
    progress(client, task, by=cast.task_holder, status="klar", feedback="Fonden ringer", version=1)
    [done] = Notice.objects.filter(kind="task_done")
    assert done.recipient == cast.arbetsgrupp
    assert "Återkoppling: Fonden ringer" in done.body
    assert done.path == reverse("task_detail", args=[cast.event.pk, task.pk])
    progress(client, task, by=cast.arbetsgrupp, status="pagar", version=2)
    assert told(kind="task_reopened") == [("task_reopened", "lena")]
    progress(client, task, by=cast.task_holder, status="klar", feedback="Nu klart", version=3)
    assert told(kind="task_done") == [("task_done", "sara"), ("task_done", "sara")]
    # A retried send of the same transition is not a new notice.
    for notice in Notice.objects.all():
        assert outbox.send(notice.pk) in (True, False)
    assert Notice.objects.filter(kind="task_done").count() == 2


def test_the_delegator_who_finishes_the_task_herself_is_not_told(client, cast):
    progress(client, cast.task, by=cast.arbetsgrupp, status="klar", feedback="Gjort", version=1)
    assert told(kind="task_done") == []


def test_a_struck_task_tells_the_delegator_and_the_holder(client, cast):
    progress(client, cast.task, by=cast.kommunchef, status="struken", version=1)
    assert told(kind="task_struck") == [("task_struck", "lena"), ("task_struck", "sara")]


def test_a_reassigned_task_tells_the_new_holder_and_the_old(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("task_edit", args=[cast.event.pk, cast.task.pk])
    response = client.post(
        url, {"what": cast.task.what, "assignee": cast.kso.pk, "version": 1}, follow=True
    )
    assert response.status_code == 200
    assert told() == [("task_assigned", "erik"), ("task_unassigned", "lena")]
    old = Notice.objects.get(kind="task_unassigned")
    assert "Erik Nordström" in old.body
    assert "du behöver inte göra den" in old.body


def test_a_reader_with_mail_off_gets_the_notice_in_the_app_only(client, cast, mailoutbox):
    cast.arbetsgrupp.email_notifications = False
    cast.arbetsgrupp.save()
    progress(client, cast.task, by=cast.task_holder, status="klar", feedback="Ja", version=1)
    done = Notice.objects.get(kind="task_done")
    assert outbox.send(done.pk) is False
    assert mailoutbox == []
    client.force_login(cast.arbetsgrupp)
    assert done.subject in client.get(reverse("notifications")).text


def test_with_mail_off_every_kind_reaches_the_reader_in_the_app_only(client, cast, mailoutbox):
    User.objects.update(email_notifications=False)
    cast.event.memberships.filter(group="arbetsgrupp").delete()
    client.force_login(cast.kommunchef)
    client.post(
        reverse("picture_edit", args=[cast.event.pk]), {"what_happened": "Varsel.", "based_on": 0}
    )
    decide(
        client,
        cast,
        by=cast.kommunchef,
        workgroup=[cast.arbetsgrupp.pk, cast.outsider.pk],
        workgroup_lead=cast.arbetsgrupp.pk,
    )
    decide(client, cast, by=cast.kommunchef, workgroup=[cast.arbetsgrupp.pk])
    client.force_login(cast.arbetsgrupp)
    client.post(
        reverse("task_edit", args=[cast.event.pk, cast.task.pk]),
        {"what": cast.task.what, "assignee": cast.kso.pk, "version": 1},
    )
    cast.task.refresh_from_db()
    progress(client, cast.task, by=cast.kso, status="klar", feedback="Ja", version=2)
    progress(client, cast.task, by=cast.arbetsgrupp, status="pagar", version=3)
    progress(client, cast.task, by=cast.arbetsgrupp, status="struken", version=4)
    notices = list(Notice.objects.select_related("recipient"))
    assert {n.kind for n in notices} == {
        "decision_pending",
        "member_added",
        "member_removed",
        "role_given",
        "role_taken",
        "task_assigned",
        "task_unassigned",
        "task_done",
        "task_reopened",
        "task_struck",
    }
    # Erik's "Ny uppgift", still unsent when the task was struck, has nothing left to ask.
    for notice in Notice.objects.filter(cancelled_at__isnull=True).select_related("recipient"):
        client.force_login(notice.recipient)
        assert notice.subject in client.get(reverse("notifications")).text
    for notice in notices:
        assert outbox.send(notice.pk) is False
    assert mailoutbox == []


def test_a_person_without_an_account_gets_the_task_by_mail_without_a_link(
    client, cast, mailoutbox
):
    client.force_login(cast.arbetsgrupp)
    client.post(
        reverse("task_list", args=[cast.event.pk]),
        {
            "what": "Boka lokal för informationsmöte",
            "assignee_name": "Kim Fastighet",
            "assignee_email": "kim.fastighet@norsjo.example",
            "due_at": LATER,
        },
    )
    notice = Notice.objects.get(kind="task_assigned")
    assert outbox.send(notice.pk) is True
    [mail] = mailoutbox
    assert mail.to == ["kim.fastighet@norsjo.example"]
    assert mail.reply_to == [cast.arbetsgrupp.email]
    assert "Sara Eklund har gett dig en uppgift" in mail.body
    assert "Svara på det här mejlet när den är klar, så når svaret Sara Eklund." in mail.body
    assert "http" not in mail.body  # nothing to open without an account
    assert "Boka lokal för informationsmöte" in mail.body


# Confidentiality ------------------------------------------------------------------------

SECRET = "Granlunds"


def send_all():
    for pk in Notice.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        outbox.send(pk)


def test_a_confidential_case_mails_no_text_anyone_wrote(
    client, cast, municipality_defaults, mailoutbox
):
    """The company's name planted in the title, the company field, the description, a task,
    a press text and a report: no mail, subject or calendar file of the case carries it."""
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("event_create"),
        minimal(
            title=f"Varsel vid {SECRET} Snickeri AB",
            company_name=f"{SECRET} Snickeri AB",
            description=f"{SECRET} varslar 38.",
            confidential="on",
            location=f"{SECRET}s kontor",
            startgroup=[u.pk for u in cast.startgrupp],
            # The cast's case, registered just now, has this very title: another case.
            same_event_confirmed="on",
        ),
    )
    assert response.status_code == 302
    cast.event = Event.objects.get(confidential=True)
    decide(
        client,
        cast,
        by=cast.kommunchef,
        workgroup=[cast.arbetsgrupp.pk],
        workgroup_lead=cast.arbetsgrupp.pk,
    )
    client.force_login(cast.arbetsgrupp)
    client.post(
        reverse("task_list", args=[cast.event.pk]),
        {"what": f"Ring {SECRET} om varslet", "assignee": cast.kso.pk, "due_at": LATER},
    )
    task = Task.objects.get(what=f"Ring {SECRET} om varslet")
    send_all()
    progress(client, task, by=cast.kso, status="klar", feedback=f"{SECRET} svarade", version=1)
    text = write_text(client, cast, title=f"{SECRET} varslar", body=f"{SECRET} varslar 38.")
    step(client, cast, text, "press_text_request_fact_check", cast.kommunikator)
    step(client, cast, text, "press_text_fact_check", cast.utvecklingschef)
    step(client, cast, text, "press_text_approve", cast.kso)
    client.force_login(cast.arbetsgrupp)
    client.post(
        reverse("report_create", args=[cast.event.pk]), {"summary": f"{SECRET} har varslat."}
    )
    report = Report.objects.get(event=cast.event)
    for name, by in [
        ("report_request_approval", cast.arbetsgrupp),
        ("report_approve", cast.kso),
        ("report_send", cast.kso),
    ]:
        client.force_login(by)
        client.post(reverse(name, args=[cast.event.pk, report.pk]))
    send_all()

    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert kinds >= {
        "convening",
        "member_added",
        "role_given",
        "task_assigned",
        "task_done",
        "text_fact_check",
        "text_approval",
        "text_approved",
        "report_approval",
        "report_approved",
        "report",
    }
    assert len(mailoutbox) == Notice.objects.filter(sent_at__isnull=False).count() > 10
    for mail in mailoutbox:
        parts = [mail.subject, mail.body]
        parts += [str(content) for _, content, _ in mail.attachments]
        assert not [part for part in parts if SECRET in part], mail.subject
        assert cast.event.case_number in mail.subject
    assert any(
        kind == "text/calendar; method=REQUEST" for m in mailoutbox for *_, kind in m.attachments
    )
    for notice in Notice.objects.all():
        assert SECRET not in notice.subject + notice.body + notice.label + notice.ics


def test_the_link_in_a_task_mail_opens_for_its_addressee_after_signing_in(
    client, cast, mailoutbox
):
    client.force_login(cast.arbetsgrupp)
    client.post(
        reverse("task_list", args=[cast.event.pk]),
        {"what": "Ta fram budget", "assignee": cast.task_holder.pk, "due_at": LATER},
    )
    client.logout()
    outbox.send(Notice.objects.get(kind="task_assigned").pk)
    [mail] = mailoutbox
    link = next(line for line in mail.body.splitlines() if line.startswith("Öppna: "))
    path = link.removeprefix(f"Öppna: {settings.SITE_URL}")
    assert path.startswith("/arenden/")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(cast.task_holder)
    page = client.get(path)
    assert "Ta fram budget" in page.text
    summary = reverse("event_summary", args=[cast.event.pk])
    assert f'href="{summary}"' in page.text
    assert client.get(summary).status_code == 200


def test_opening_a_notice_marks_it_read_and_only_the_reader_may(client, cast):
    progress(client, cast.task, by=cast.task_holder, status="klar", feedback="Ja", version=1)
    done = Notice.objects.get(kind="task_done")
    client.force_login(cast.arbetsgrupp)
    listing = client.get(reverse("notifications")).text
    opened = reverse("notice_open", args=[done.pk])
    assert f'href="{opened}"' in listing
    client.force_login(cast.kso)
    assert client.get(opened).status_code == 404  # Erik's eyes are not Sara's
    client.force_login(cast.arbetsgrupp)
    response = client.get(opened)
    assert response["Location"] == done.path
    done.refresh_from_db()
    assert done.read_at is not None
    assert 'class="count"' not in client.get(reverse("start")).text
    assert client.post(opened).status_code == 405


def test_who_no_longer_holds_a_task_is_pointed_to_their_own_list(client, cast):
    client.force_login(cast.arbetsgrupp)
    client.post(
        reverse("task_edit", args=[cast.event.pk, cast.task.pk]),
        {"what": cast.task.what, "assignee": cast.kso.pk, "version": 1},
    )
    moved = Notice.objects.get(kind="task_unassigned")
    assert moved.path == reverse("my_tasks")
    client.force_login(cast.task_holder)
    assert client.get(moved.path).status_code == 200
    # The task itself is no longer hers to open.
    assert (
        client.get(reverse("task_detail", args=[cast.event.pk, cast.task.pk])).status_code == 404
    )
