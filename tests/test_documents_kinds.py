"""What the register receives, as files arrive from real programs (issue 18, breaker's round):
e-mails with HTML parts, notes that mention a tag, scanners' PDFs with bytes before the
header, UTF-16 and cp1252 texts, macOS and Word file names, macro-enabled Office files.
Each through HTTP, as an upload and, where it is served, as a download."""

import base64
import io
import quopri
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document, Version
from tests.test_documents import HTML, PDF, SVG, document_store, stored, upload  # noqa: F401
from tests.test_documents_upload_names import post_raw

HEADERS = (
    "From: Förvaltaren <forvaltare@lindh.se>\r\n"
    "To: naringsliv@norsjo.se\r\n"
    "Subject: =?utf-8?q?Yttrande_om_Granlunds?=\r\n"
    "Date: Tue, 13 Jan 2026 10:00:00 +0100\r\n"
    "MIME-Version: 1.0\r\n"
)
PAGE = (
    "<html><head><meta charset='utf-8'><style>p{margin:0}</style></head>"
    "<body><p>Hej, här kommer yttrandet om Granlunds. Hälsningar</p></body></html>"
)


def alternative(html_part: bytes, encoding: str, *, charset="utf-8", headers=HEADERS) -> bytes:
    """A multipart/alternative message as Outlook sends it: a short text part, then the HTML
    part (which begins well within the first 4 KB) in `encoding`."""
    text = "Hej, här kommer yttrandet om Granlunds.".encode(charset)
    return (
        headers.encode()
        + b'Content-Type: multipart/alternative; boundary="----=_NextPart_000"\r\n\r\n'
        + b"------=_NextPart_000\r\n"
        + f"Content-Type: text/plain; charset={charset}\r\n".encode()
        + b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + text
        + b"\r\n------=_NextPart_000\r\n"
        + f"Content-Type: text/html; charset={charset}\r\n".encode()
        + f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode()
        + html_part
        + b"\r\n------=_NextPart_000--\r\n"
    )


LONG_HEADERS = HEADERS + (
    "Received: from mail.lindh.se (mail.lindh.se [192.0.2.10])\r\n"
    "\tby mx.norsjo.se with ESMTPS id 4Xb for <naringsliv@norsjo.se>;\r\n"
    "\tTue, 13 Jan 2026 10:00:02 +0100\r\n"
    "Thread-Topic: Yttrande om Granlunds\r\n"
    "X-MS-Exchange-Organization-AuthAs: Anonymous\r\n"
    + "".join(f"X-Long-{i}: {'a' * 70}\r\n\t{'b' * 70}\r\n" for i in range(40))
)

MAILS = {
    "outlook-quoted-printable": alternative(
        quopri.encodestring(PAGE.encode()), "quoted-printable"
    ),
    "8bit": alternative(PAGE.encode(), "8bit"),
    "8bit-latin-1": alternative(PAGE.encode("latin-1"), "8bit", charset="iso-8859-1"),
    "base64": alternative(base64.encodebytes(PAGE.encode()), "base64"),
    "long-headers": alternative(PAGE.encode(), "8bit", headers=LONG_HEADERS),
    "lf-only": alternative(PAGE.encode(), "8bit").replace(b"\r\n", b"\n"),
}


@pytest.mark.parametrize("content", MAILS.values(), ids=MAILS.keys())
def test_an_email_with_an_html_part_is_received_and_served_as_a_message(client, cast, content):
    response = upload(client, cast, "Yttrande.eml", content)
    assert response.status_code == 302, response.context["form"].errors
    version = Version.objects.get()
    assert version.kind == "eml"
    download = client.get(
        reverse("document_download", args=[cast.event.pk, version.document_id, version.pk])
    )
    assert download.content == content
    assert download["Content-Type"] == "message/rfc822"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


NOTES = {
    "body-in-prose": "Mötet 13/1: vi la <body> i mallen av misstag, Per rättar.\n",
    "html-in-prose": "Förvaltaren skrev: se <html>-versionen av brevet.\n",
    "starts-with-lt": "<-- pilen pekar på rätt rad i kalkylen\n",
    "svg-in-prose": "Logotypen finns som <svg> hos kommunikatören.\n",
    "csv-with-tags": "rubrik;värde\n<script>;citerat ur ett mejl\n",
}


@pytest.mark.parametrize("text", NOTES.values(), ids=NOTES.keys())
def test_a_note_that_mentions_a_tag_is_received(client, cast, text):
    response = upload(client, cast, "anteckning.txt", text.encode())
    assert response.status_code == 302, response.context["form"].errors
    assert Version.objects.get().kind == "txt"


MARKUP = {
    "html": (HTML, "en HTML- eller XML-fil"),
    "html-after-bom-and-space": (b"\xef\xbb\xbf\r\n  <HTML><body>x</body></HTML>", "HTML"),
    "html-after-a-comment": (b"<!-- sparad av Word -->\n<html><body></body></html>", "HTML"),
    "html-body-only": (b"<body onload=alert(1)>", "HTML"),
    "xml": (b'<?xml version="1.0"?><root/>', "en HTML- eller XML-fil"),
    "svg": (SVG, "en SVG-bild"),
    "bare-svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "en SVG-bild"),
    "html-utf-16": ("<!DOCTYPE html><html></html>".encode("utf-16"), "HTML"),
}


@pytest.mark.parametrize(("content", "said"), MARKUP.values(), ids=MARKUP.keys())
@pytest.mark.parametrize("name", ["sida.txt", "sida.eml"])
def test_a_markup_document_under_a_text_name_is_still_refused(
    client,
    cast,
    document_store,  # noqa: F811
    name,
    content,
    said,
):
    response = upload(client, cast, name, content)
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert said in error
    assert "Sådana tas inte emot: de kan innehålla skript." in error
    assert not Document.objects.exists()
    assert stored(document_store) == []


SCANNED = {
    "crlf": b"\r\n" + PDF,
    "spaces": b"   \n" + PDF,
    "hp-pjl": b'\x1b%-12345X@PJL JOB NAME="Skanning"\r\n@PJL ENTER LANGUAGE=PDF\r\n' + PDF,
    "at-1000-bytes": b" " * 1000 + PDF,
    "uel-then-header": b"\x1b%-12345X%PDF-1.4\n%%EOF\n",
}


@pytest.mark.parametrize("content", SCANNED.values(), ids=SCANNED.keys())
def test_a_scanners_pdf_with_bytes_before_the_header_is_received_as_a_pdf(client, cast, content):
    response = upload(client, cast, "skanning.pdf", content)
    assert response.status_code == 302, response.context["form"].errors
    version = Version.objects.get()
    assert version.kind == "pdf"
    download = client.get(
        reverse("document_download", args=[cast.event.pk, version.document_id, version.pk])
    )
    assert download["Content-Type"] == "application/pdf"
    assert download.content == content


def test_a_note_that_mentions_a_pdf_header_stays_a_note(client, cast):
    note = b"Skannern skrev %PDF-1.4 i loggen, inte ett dokument.\n"
    assert upload(client, cast, "logg.txt", note).status_code == 302
    assert Version.objects.get().kind == "txt"


def test_a_pdf_header_past_1024_bytes_is_no_pdf(client, cast):
    response = upload(client, cast, "skanning.pdf", b"x" * 1100 + PDF)
    assert "men är en textfil, inte en .pdf-fil" in response.context["form"].errors["file"][0]


TEXTS = {
    # Anteckningar's "Unicode" and Excel's "Unicode-text": UTF-16 little endian with a BOM.
    "utf-16-le": ("anteckning.txt", "Möte om Granlunds\r\n".encode("utf-16"), "utf-16"),
    "utf-16-be": ("anteckning.txt", b"\xfe\xff" + "Möte\r\n".encode("utf-16-be"), "utf-16"),
    "excel-unicode-csv": (
        "lista.csv",
        "Namn\tÅtgärd\r\nÅsa\tRing förvaltaren\r\n".encode("utf-16"),
        "utf-16",
    ),
    "utf-8": ("anteckning.txt", "Möte om Granlunds\n".encode(), "utf-8"),
    "utf-8-bom": ("anteckning.txt", "\ufeffMöte om Granlunds\n".encode(), "utf-8"),
    "cp1252": ("anteckning.txt", "Möte – Granlunds “AB” €\n".encode("cp1252"), "windows-1252"),
    "latin-1": ("anteckning.csv", "Åsa;Östra vägen\n".encode("latin-1"), "windows-1252"),
}


@pytest.mark.parametrize(("name", "content", "charset"), TEXTS.values(), ids=TEXTS.keys())
def test_a_text_is_received_and_served_in_its_own_charset(client, cast, name, content, charset):
    response = upload(client, cast, name, content)
    assert response.status_code == 302, response.context["form"].errors
    version = Version.objects.get()
    assert version.kind == "txt"
    download = client.get(
        reverse("document_download", args=[cast.event.pk, version.document_id, version.pk])
    )
    assert download["Content-Type"] == f"text/plain; charset={charset}"
    assert download.content == content


NAMES = {
    "macos-screenshot": (
        "Screenshot 2026-11-29 at 10.00.00\u202fAM.pdf",
        "Screenshot 2026-11-29 at 10.00.00 AM.pdf",
    ),
    "no-break-space": ("Yttrande\u00a0konkurs.pdf", "Yttrande konkurs.pdf"),
    "no-break-as-entity": ("Yttrande&#xa0;konkurs.pdf", "Yttrande konkurs.pdf"),
    "thin-and-em-space": ("KS\u20092026\u2003beslut.pdf", "KS 2026 beslut.pdf"),
    "ideographic-space": ("Protokoll\u3000mars.pdf", "Protokoll mars.pdf"),
}


@pytest.mark.parametrize(("sent", "kept"), NAMES.values(), ids=NAMES.keys())
def test_a_name_with_another_space_is_kept_with_a_plain_space(client, cast, sent, kept):
    from tests.test_documents import FIELDS

    client.force_login(cast.arbetsgrupp)
    response = post_raw(
        client, reverse("document_upload", args=[cast.event.pk]), FIELDS, sent, PDF
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Version.objects.get().original_name == kept


@pytest.mark.parametrize(
    "sent",
    ["a\u202eb.pdf", "a\u2066b.pdf", "a\u2028b.pdf", "a\x85b.pdf", "../a\u00a0b.pdf"],
    ids=["rlo", "bidi-isolate", "line-separator", "c1-control", "path-and-nbsp"],
)
def test_control_bidi_and_path_parts_are_still_refused(client, cast, sent):
    from tests.test_documents import FIELDS

    client.force_login(cast.arbetsgrupp)
    response = post_raw(
        client, reverse("document_upload", args=[cast.event.pk]), FIELDS, sent, PDF
    )
    assert response.status_code == 200
    assert "sökvägsdelar eller styrtecken" in response.context["form"].errors["file"][0]
    assert not Document.objects.exists()


def macro_package(main: str, content_type: str, *, vba: bool) -> bytes:
    out = io.BytesIO()
    types = (
        '<?xml version="1.0"?><Types><Override PartName="/' + main + '" '
        f'ContentType="{content_type}"/></Types>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", (2026, 1, 13, 10, 0, 0)), types)
        archive.writestr(zipfile.ZipInfo(main, (2026, 1, 13, 10, 0, 0)), "<document/>")
        if vba:
            folder = main.split("/")[0]
            archive.writestr(
                zipfile.ZipInfo(f"{folder}/vbaProject.bin", (2026, 1, 13, 10, 0, 0)), b"\xd0\xcf"
            )
    return out.getvalue()


DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PPTM = "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACROS = {
    "docm": ("makro.docm", macro_package("word/document.xml", DOCM, vba=True)),
    "xlsm": ("kalkyl.xlsm", macro_package("xl/workbook.xml", XLSM, vba=True)),
    "pptm": ("bilder.pptm", macro_package("ppt/presentation.xml", PPTM, vba=True)),
    "docm-renamed-docx": ("makro.docx", macro_package("word/document.xml", DOCM, vba=True)),
    "xlsm-renamed-xlsx": ("kalkyl.xlsx", macro_package("xl/workbook.xml", XLSM, vba=True)),
    "content-type-only": ("makro.docx", macro_package("word/document.xml", DOCM, vba=False)),
    "vba-part-only": ("makro.docx", macro_package("word/document.xml", DOCX_TYPE, vba=True)),
}


@pytest.mark.parametrize(("name", "content"), MACROS.values(), ids=MACROS.keys())
def test_a_macro_enabled_office_file_is_refused_with_its_own_message(
    client,
    cast,
    document_store,  # noqa: F811
    name,
    content,
):
    response = upload(client, cast, name, content)
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error.startswith("Filen innehåller makron")
    assert "spara den utan makron (.docx/.xlsx/.pptx) och försök igen" in error.lower()
    assert not Document.objects.exists()
    assert stored(document_store) == []


def test_an_office_file_without_macros_is_still_received(client, cast):
    content = macro_package("word/document.xml", DOCX_TYPE, vba=False)
    assert upload(client, cast, "brev.docx", content).status_code == 302
    assert Version.objects.get().kind == "docx"


def test_a_macro_enabled_new_version_is_refused(client, cast):
    upload(client, cast, "brev.pdf", PDF)
    document = Document.objects.get()
    url = reverse("document_version_add", args=[cast.event.pk, document.pk])
    content = macro_package("word/document.xml", DOCM, vba=True)
    response = client.post(url, {"file": SimpleUploadedFile("brev.docx", content)})
    assert "Filen innehåller makron" in response.context["version_form"].errors["file"][0]
    assert document.versions.count() == 1
