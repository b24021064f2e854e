"""Press texts and talking points as PDFs, and the fetcher that keeps the renderer to our
own static files."""

import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from pypdf import PdfReader
from weasyprint.urls import URLFetcher

from events.pdf import StaticOnlyFetcher, html_to_pdf
from tests.test_commsplan import write_text


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def listener():
    """A real HTTP server on loopback that counts every request it gets: a fetch the
    fetcher let through would land here."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.hits = hits
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()


def test_the_press_text_downloads_as_an_a4_pdf_with_letterhead_and_pages(client, cast):
    text = write_text(
        client,
        cast,
        title="Åtgärder efter varslet på Granlunds",
        body="Kommunen öppnar en träffpunkt i Bastuträsk för de ärenden som rör "
        "omställning.\n\n- Råd om ekonomi\n- Jobbsök",
    )
    response = client.get(reverse("press_text_pdf", args=[cast.event.pk, text.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="pressmeddelande-KS-2026-0001-v1.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    content = pdf_text(response.content)
    for expected in (
        "Åtgärder efter varslet på Granlunds",
        "träffpunkt i Bastuträsk",
        "Råd om ekonomi",
        "KS 2026/0001",
        "Norsjö kommun",
        "935 81 Norsjö",
        "Jonas Berg",
        "Sida 1 av 1",
        "Utkast – inte publicerat",
    ):
        assert expected in content
    assert reader.metadata.title == "Åtgärder efter varslet på Granlunds"


def test_a_long_text_says_which_page_of_how_many(client, cast):
    text = write_text(client, cast, body="\n\n".join(["Ett stycke om omställningen. " * 12] * 14))
    response = client.get(reverse("press_text_pdf", args=[cast.event.pk, text.pk]))
    content = pdf_text(response.content)
    assert "Sida 1 av 2" in content
    assert "Sida 2 av 2" in content


def test_the_archival_variant_is_tagged_pdf_a_2a(client, cast):
    text = write_text(client, cast)
    url = reverse("press_text_pdf", args=[cast.event.pk, text.pk]) + "?arkiv=1"
    reader = PdfReader(io.BytesIO(client.get(url).content))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp
    assert 'pdfaid:conformance="A"' in xmp
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "sv"


def test_the_talking_points_sheet(client, cast):
    client.force_login(cast.kommunikator)
    text = write_text(client, cast)
    row = text.row
    client.post(
        reverse("talking_points_edit", args=[cast.event.pk, row.pk]),
        {"talking_points": "- Vi står bakom de drabbade.\n- Öppet hus i dag."},
    )
    response = client.get(reverse("talking_points_pdf", args=[cast.event.pk, row.pk]))
    content = pdf_text(response.content)
    for expected in ("Talepunkter", "Vi står bakom de drabbade.", "Öppet hus i dag.", "Erik"):
        assert expected in content


def test_the_fetcher_is_a_weasyprint_url_fetcher():
    assert issubclass(StaticOnlyFetcher, URLFetcher)


def test_the_fetcher_serves_static_files_and_data_and_refuses_the_rest():
    fetcher = StaticOnlyFetcher()
    assert fetcher.fetch("static:img/norsjo-logo.svg").read().startswith(b"<svg")
    assert fetcher.fetch("data:text/plain;base64,aGVq").read() == b"hej"
    for url in (
        "static:../norsjo/settings.py",
        "static:/etc/passwd",
        "static:img/finns-inte.svg",
        "file:///etc/passwd",
        "http://127.0.0.1:1/",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValueError, match=r"får hämtas|Ingen statisk fil"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6


def test_hostile_html_makes_no_fetch_outside_our_static_files(listener):
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<image href="{listener.url}/svg-image.png" width="10" height="10"/>'
        '<image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>'
    )
    hostile = f"""<!doctype html><html lang="sv"><head>
    <style>
      @import url("{listener.url}/import.css");
      body {{ background: url(file:///etc/passwd); }}
      p {{ background-image: url("{listener.url}/background.png"); }}
    </style>
    <link rel="stylesheet" href="{listener.url}/linked.css">
    <link rel="attachment" href="file:///etc/passwd">
    <link rel="attachment" href="{listener.url}/attachment.bin">
    </head><body>
    <p>Hälsningar från Norsjö</p>
    <img src="{listener.url}/img.png">
    <img src="file:///etc/passwd">
    <img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">
    <object data="file:///etc/hostname"></object>
    <img src="static:img/norsjo-logo.svg">
    </body></html>"""
    fetcher = StaticOnlyFetcher()
    content = html_to_pdf(hostile, fetcher=fetcher)

    assert listener.hits == []
    assert all(url.startswith(("static:", "data:")) for url in fetcher.served)
    for url in (
        f"{listener.url}/import.css",
        "file:///etc/passwd",
        f"{listener.url}/background.png",
        f"{listener.url}/linked.css",
        f"{listener.url}/attachment.bin",
        f"{listener.url}/img.png",
        f"{listener.url}/svg-image.png",
    ):
        assert url in fetcher.refused
    reader = PdfReader(io.BytesIO(content))
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in content
    assert "root:" not in pdf_text(content)
    assert "Hälsningar från Norsjö" in pdf_text(content)


def test_a_hostile_body_typed_by_a_user_fetches_nothing(client, cast, listener):
    body = (
        f'<p>Text</p><img src="{listener.url}/a.png"><link rel="attachment" '
        f'href="file:///etc/passwd"><style>@import url("{listener.url}/b.css");</style>'
        f'<svg><image href="{listener.url}/c.png"/></svg>'
    )
    text = write_text(client, cast, body=body)
    response = client.get(reverse("press_text_pdf", args=[cast.event.pk, text.pk]))
    assert response.status_code == 200
    assert listener.hits == []
    assert PdfReader(io.BytesIO(response.content)).attachments == {}
