"""Documents on a case (issue 18): what is received, how it is served, how it is registered."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document, Version
from events.models import LogEntry

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>"
)


def office(main="word/document.xml", body=b"<w:document/>", *, level=zipfile.ZIP_DEFLATED):
    # A fixed entry time keeps the bytes, and so the parametrised test ids, the same in every
    # xdist worker: writestr() with a bare name stamps the current time.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", level) as archive:
        for entry, data in (("[Content_Types].xml", "<Types/>"), (main, body)):
            info = zipfile.ZipInfo(entry, date_time=(2026, 1, 13, 10, 0, 0))
            archive.writestr(info, data, level)
    return out.getvalue()


DOCX = office()
FIELDS = {
    "title": "Konkursförvaltarens yttrande om Granlunds",
    "public_description": "Yttrande från konkursförvaltare",
    "document_date": "2026-01-13",
    "direction": "inkommande",
    "counterpart": "Advokatfirman Lindh",
}


@pytest.fixture(autouse=True)
def document_store(settings, tmp_path, monkeypatch) -> Path:
    """Each test's own folder for STORAGES["documents"]. A FileField calls its storage
    callable once, when the model is defined: the field is given the new one."""
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder},
        },
    }
    monkeypatch.setattr(Version._meta.get_field("file"), "storage", storages["documents"])
    return folder


def mailed_texts(mailoutbox) -> list[list[str]]:
    """Each mail's subject, body, text attachments and the text of its PDFs."""
    from tests.test_reports import pdf_text

    return [
        [mail.subject, mail.body]
        + [a[1] for a in mail.attachments if isinstance(a[1], str)]
        + [pdf_text(a[1]) for a in mail.attachments if a[2] == "application/pdf"]
        for mail in mailoutbox
    ]


def stored(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def upload(client, cast, name, content, *, by=None, **fields):
    client.force_login(by or cast.arbetsgrupp)
    data = {**FIELDS, **fields, "file": SimpleUploadedFile(name, content)}
    return client.post(reverse("document_upload", args=[cast.event.pk]), data)


def test_an_upload_is_registered_with_its_number_time_and_registrar(client, cast, document_store):
    response = upload(client, cast, "yttrande.pdf", PDF)
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("document_detail", args=[cast.event.pk, document.pk])
    assert document.number == "KS 2026/0001-1"
    assert document.registered_by == cast.arbetsgrupp
    [version] = document.versions.all()
    assert (version.original_name, version.kind, version.size) == ("yttrande.pdf", "pdf", len(PDF))
    assert [path.read_bytes() for path in stored(document_store)] == [PDF]
    # Stored under a name of ours, not the uploader's.
    assert "yttrande" not in version.file.name
    page = client.get(response["Location"]).text
    assert "Handlingen är registrerad som KS 2026/0001-1." in page
    assert LogEntry.objects.filter(
        text="Handling KS 2026/0001-1 registrerad: Yttrande från konkursförvaltare."
    ).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("yttrande.docx", PDF, "Filen heter ”yttrande.docx” men är en PDF, inte en .docx-fil."),
        ("yttrande.pdf", HTML, "Filen är en HTML- eller XML-fil. Sådana tas inte emot"),
        ("karta.svg", SVG, "Filen är en SVG-bild. Sådana tas inte emot: de kan innehålla skript."),
        ("karta.png", SVG, "Filen är en SVG-bild."),
        (
            "siffror.docx",
            office(body=b"0" * (20 * 1024 * 1024)),
            "Filen packas upp till misstänkt mycket data (uppackad storlek 20 MB i 2 delar).",
        ),
        ("arkiv.docx", office(main="data/rows.xml"), "Filen är ett zip-arkiv, inget Office"),
        ("tom.pdf", b"", "Filen är tom (0 byte)."),
        ("program.pdf", b"MZ\x90\x00" + b"\x00" * 200, "Filen är en .exe-fil. Sådana tas inte"),
        ("data.txt", b"\x00\x01\x02\x03" * 50, "Filens innehåll är inte av någon typ"),
        ("brev.eml", b"Hej, det var inget mejl.\n", "men är en textfil, inte en .eml-fil"),
    ],
    ids=[
        "pdf-as-docx",
        "html-as-pdf",
        "svg-script",
        "svg-as-png",
        "office-zip-bomb",
        "plain-zip",
        "empty",
        "executable",
        "binary-as-txt",
        "eml-no-mail",
    ],
)
def test_a_refused_file_is_explained_and_nothing_is_stored(
    client, cast, document_store, name, content, message
):
    response = upload(client, cast, name, content)
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert message.split("”")[0] in response.text
    # What was typed is kept.
    assert 'value="Konkursförvaltarens yttrande om Granlunds"' in response.text
    assert not Document.objects.exists()
    assert stored(document_store) == []


def raw_upload(client, cast, filename: str, content: bytes):
    """A multipart post with `filename` exactly as given (the test client drops path parts)."""
    boundary = "gransen"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in FIELDS.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    client.force_login(cast.arbetsgrupp)
    return client.generic(
        "POST",
        reverse("document_upload", args=[cast.event.pk]),
        b"".join(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "../../etc/passwd.pdf"),
        ("..\\..\\windows\\x.pdf", "..\\..\\windows\\x.pdf"),
        ("a\x07b.pdf", "a[U+0007]b.pdf"),
        ("a\x1b[31m.pdf", "a[U+001B][31m.pdf"),
        # A right-to-left override: "a\u202eb.pdf" would show as "afdp.b".
        ("a\u202eb.pdf", "a[U+202E]b.pdf"),
        ("..\\..\\\x07\x1b", "..\\..\\[U+0007][U+001B]"),
        ("..&#x2F;..&#x2F;yttrande.pdf", "../../yttrande.pdf"),
    ],
)
def test_a_name_with_path_parts_or_control_characters_is_refused(
    client, cast, document_store, name, shown
):
    response = raw_upload(client, cast, name, PDF)
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error == (
        f"Filnamnet innehåller sökvägsdelar eller styrtecken (”{shown}”). "
        "Byt namn på filen och välj den igen."
    )
    # What was typed is kept; nothing is registered or stored.
    assert 'value="Konkursförvaltarens yttrande om Granlunds"' in response.text
    assert not Document.objects.exists()
    assert stored(document_store) == []


def test_a_swedish_name_with_spaces_and_brackets_passes(client, cast, document_store):
    response = raw_upload(client, cast, "Yttrande från förvaltaren (slutlig).pdf", PDF)
    assert response.status_code == 302
    assert Version.objects.get().original_name == "Yttrande från förvaltaren (slutlig).pdf"
    # Stored inside the store, under a name of ours.
    [path] = stored(document_store)
    assert path.is_relative_to(document_store)
    assert "Yttrande" not in str(path)


def test_a_file_over_the_limit_is_refused(client, cast, settings, document_store):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    response = upload(client, cast, "stor.pdf", PDF + b"0" * (1024 * 1024 + 200_000))
    assert "Filen är 1,2 MB; högst 1 MB tas emot." in response.text
    assert not Document.objects.exists()
    assert stored(document_store) == []


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("brev.docx", DOCX, "docx"),
        ("kalkyl.xlsx", office("xl/workbook.xml"), "xlsx"),
        ("anteckning.txt", "Möte med facket kl. 10.\n".encode(), "txt"),
        ("anteckning.txt", "Möte med facket kl. 10.\n".encode("cp1252"), "txt"),
        ("svar.eml", b"From: a@b.se\nDate: Tue, 13 Jan 2026 10:00:00 +0100\n\nHej\n", "eml"),
    ],
)
def test_accepted_kinds(client, cast, name, content, kind):
    assert upload(client, cast, name, content).status_code == 302
    assert Version.objects.get().kind == kind


def test_a_download_is_an_attachment_never_sniffed_and_sandboxed(client, cast):
    upload(client, cast, "yttrande.pdf", PDF)
    version = Version.objects.get()
    url = reverse("document_download", args=[cast.event.pk, version.document.pk, version.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="KS-2026-0001-1-Konkursforvaltarens-yttrande-om-Granlunds.pdf"; '
        "filename*=utf-8''KS-2026-0001-1-Konkursf%C3%B6rvaltarens-yttrande-om-Granlunds.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Security-Policy"]
        == "sandbox; default-src 'none'; frame-ancestors 'none'"
    )


def test_a_new_version_keeps_the_old(client, cast, document_store):
    upload(client, cast, "yttrande.pdf", PDF)
    document = Document.objects.get()
    url = reverse("document_version_add", args=[cast.event.pk, document.pk])
    response = client.post(url, {"file": SimpleUploadedFile("yttrande-2.pdf", PDF + b"%v2\n")})
    assert response.status_code == 302
    assert list(document.versions.values_list("number", "original_name")) == [
        (2, "yttrande-2.pdf"),
        (1, "yttrande.pdf"),
    ]
    assert len(stored(document_store)) == 2
    # A refused version is explained on the document's page; nothing more is stored.
    response = client.post(url, {"file": SimpleUploadedFile("v3.docx", PDF)})
    assert "Filen heter ”v3.docx” men är en PDF" in response.text
    assert document.versions.count() == 2
    assert len(stored(document_store)) == 2


def test_numbers_increase_within_each_case(client, cast):
    from tests.personas import create_event_row

    for name in ("a.pdf", "b.pdf", "c.pdf"):
        upload(client, cast, name, PDF)
    other = create_event_row("Konkurs vid Sågverket", cast.utvecklingschef)
    other.memberships.create(user=cast.arbetsgrupp, group="arbetsgrupp")
    client.post(
        reverse("document_upload", args=[other.pk]),
        {**FIELDS, "file": SimpleUploadedFile("d.pdf", PDF)},
    )
    assert [
        d.number for d in Document.objects.select_related("event").order_by("registered_at")
    ] == [
        "KS 2026/0001-1",
        "KS 2026/0001-2",
        "KS 2026/0001-3",
        "KS 2026/0002-1",
    ]


def test_a_document_registered_in_error_keeps_its_number_and_says_why(client, cast):
    upload(client, cast, "a.pdf", PDF)
    document = Document.objects.get()
    url = reverse("document_void", args=[cast.event.pk, document.pk])
    response = client.post(url, {"reason": ""})
    assert "Skriv varför." in response.text
    response = client.post(url, {"reason": "Hörde till ett annat ärende."})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.is_voided
    assert document.void_reason == "Hörde till ett annat ärende."
    upload(client, cast, "b.pdf", PDF)
    assert Document.objects.latest("serial").number == "KS 2026/0001-2"
    # Nothing more is done to it.
    assert client.post(url, {"reason": "Igen."}).status_code == 403
    page = client.get(reverse("document_list", args=[cast.event.pk])).text
    assert "(registrerad av misstag)" in page


def register_rows(client, cast) -> list[list[str]]:
    response = client.get(reverse("document_register_export", args=[cast.event.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="diarieblad-KS-2026')
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_register_export_shows_the_public_description_not_the_title(client, cast):
    upload(client, cast, "a.pdf", PDF)
    upload(
        client,
        cast,
        "b.pdf",
        PDF,
        title="Affärsplan för Granlunds nya ägare",
        public_description='=HYPERLINK("http://example.com")',
        counterpart="Granlunds Snickeri AB",
        omit_counterpart="on",
    )
    header, first, second = register_rows(client, cast)
    assert header[0] == "Nummer"
    assert header[5] == "Ärendemening"
    assert first[0] == "KS 2026/0001-1"
    assert first[4:6] == ["Advokatfirman Lindh", "Yttrande från konkursförvaltare"]
    assert second[4:6] == [
        "Uppgiften är utelämnad (OSL 5 kap. 2 §)",
        '\'=HYPERLINK("http://example.com")',
    ]
    text = client.get(reverse("document_register_export", args=[cast.event.pk])).content.decode()
    assert "Konkursförvaltarens yttrande" not in text
    assert "Affärsplan" not in text
    assert "Granlunds Snickeri" not in text


def test_the_product_registers_what_it_finalises(client, cast):
    from tests.test_reports import approve_and_send, draft, fill_case_file

    fill_case_file(cast)
    approve_and_send(client, cast, draft(client, cast))
    document = Document.objects.get(title="Lägesrapport 1")
    assert document.direction == "upprattad"
    assert document.registered_by == cast.kso
    client.force_login(cast.kommunchef)
    page = client.get(reverse("document_detail", args=[cast.event.pk, document.pk])).text
    assert f'href="{document.source_path}"' in page


SECRET_TITLE = "Granlunds affärsplan med kalkyl för nya ägare"


def test_a_marked_document_stays_out_of_the_politicians_report_and_every_mail(
    client, cast, mailoutbox
):
    from notices import outbox
    from notices.models import Notice
    from tests.test_reports import (
        approve_and_send,
        draft,
        fill_case_file,
        pdf_text,
        politicians_copy,
    )

    fill_case_file(cast)
    upload(client, cast, "plan.pdf", PDF, title=SECRET_TITLE, omit_description="on")
    document = Document.objects.get(title=SECRET_TITLE)
    url = reverse("document_mark_secret", args=[cast.event.pk, document.pk])
    response = client.post(url, {"provision": ""})
    assert "Skriv vilken bestämmelse, till exempel OSL 31 kap. 16 §." in response.text
    response = client.post(url, {"provision": "OSL 31 kap. 16 §", "note": "Företagets kalkyl."})
    assert response.status_code == 302
    marking = document.secrecy_markings.get()
    assert (marking.provision, marking.marked_by) == ("OSL 31 kap. 16 §", cast.arbetsgrupp)
    page = client.get(reverse("document_detail", args=[cast.event.pk, document.pk])).text
    assert "OSL 31 kap. 16 §" in page
    assert "inget beslut" in page

    report = draft(client, cast)
    approve_and_send(client, cast, report)
    for notice in Notice.objects.filter(sent_at__isnull=True):
        outbox.send(notice.pk)
    assert mailoutbox
    for texts in mailed_texts(mailoutbox):
        assert not [text for text in texts if "affärsplan" in text.lower()]
    for notice in Notice.objects.all():
        assert "affärsplan" not in (notice.subject + notice.body).lower()
    assert "affärsplan" not in pdf_text(politicians_copy(client, report)).lower()


def test_the_register_page_and_export_do_a_constant_number_of_queries(client, cast):
    from documents.services import mark_secret
    from tests.test_event_pages import count_queries

    def grow(count):
        for n in range(count):
            upload(client, cast, f"{n}.pdf", PDF)
            mark_secret(
                Document.objects.latest("serial"),
                provision="OSL 31 kap. 16 §",
                note="",
                by=cast.arbetsgrupp,
            )

    urls = [
        reverse("document_list", args=[cast.event.pk]),
        reverse("document_register_export", args=[cast.event.pk]),
    ]
    grow(3)
    small = [count_queries(client, url) for url in urls]
    grow(27)
    assert [count_queries(client, url) for url in urls] == small


def test_decisions_a_snapshot_and_a_published_press_text_are_registered(client, cast):
    from tests.test_commsplan import approved_text, publish

    client.force_login(cast.kommunchef)
    decisions = {
        "inform_politicians": "ja",
        "politicians_interval_days": 7,
        "workgroup": [cast.arbetsgrupp.pk],
        "workgroup_lead": cast.arbetsgrupp.pk,
        "reporter": cast.arbetsgrupp.pk,
        "report_interval_days": 7,
    }
    assert client.post(reverse("decisions", args=[cast.event.pk]), decisions).status_code == 302
    snapshot = reverse("snapshot_create", args=[cast.event.pk])
    assert client.post(snapshot, {"label": "Lägesbild 14.00"}).status_code == 302
    text = approved_text(client, cast)
    reason = "Företaget nås inte och ryktet sprids på sociala medier."
    assert publish(client, cast, text, override_reason=reason).status_code == 302
    registered = Document.objects.select_related("event", "registered_by").order_by("serial")
    assert [(d.number, d.public_entry, d.registered_by) for d in registered] == [
        (
            "KS 2026/0001-1",
            "Startgruppens beslut om arbetsgrupp och information",
            cast.kommunchef,
        ),
        ("KS 2026/0001-2", "Bedömningsmall: Lägesbild 14.00", cast.kommunchef),
        (
            "KS 2026/0001-3",
            "Pressmeddelande: Kommunen stöttar de varslade på Granlunds",
            cast.kommunikator,
        ),
    ]
    assert {d.direction for d in registered} == {"upprattad"}
    # Each leads to where the product keeps it.
    client.force_login(cast.lasare)
    for document in registered:
        assert client.get(document.source_path).status_code == 200
