"""Press texts and KSO talking-points sheets as A4 PDFs (WeasyPrint).

The renderer loads resources only through `StaticOnlyFetcher`: `data:` URLs and our own
static files, named `static:<path>`. Anything else a text could smuggle in (an
`<img src="http://…">`, `url(file:///etc/passwd)`, `@import`, `<link rel=attachment>`, an
SVG `<image>`) is refused before any connection or file is opened. The body is sanitised
as well (commsplan.sanitise); the fetcher is the second wall, not the only one.
"""

import functools
import mimetypes
import ssl
import threading

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from commsplan.models import Municipality, PressText, TimetableRow

STATIC = "static:"
ARCHIVAL_VARIANT = "pdf/a-2a"
# The parent class builds an HTTPS handler, by default with a context that loads the
# system's CA certificates: a third of a render's time, for a protocol we refuse. This
# context is made once and trusts nobody, so even a fetch that got past us would fail.
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class Refused(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Serves `data:` and `static:<path>` (a file our static-file finders know), nothing
    else, and never follows a redirect. Keeps what it served and refused, for the log and
    for the tests."""

    def __init__(self):
        # The parent's own checks as a backstop: only data: may reach urllib, no redirects.
        super().__init__(
            allowed_protocols={"data"}, allow_redirects=False, timeout=1, ssl_context=_NO_TLS
        )
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(STATIC):
            return self._static(url)
        if url.startswith("data:"):
            self.served.append(url[:60])
            return super().fetch(url, headers)
        self.refused.append(url)
        raise Refused(f"Bara data: och statiska filer får hämtas, inte {url[:100]}")

    def _static(self, url):
        name = url.removeprefix(STATIC)
        path = None
        if name and not name.startswith("/") and ".." not in name.split("/"):
            path = finders.find(name)
        if not path:
            self.refused.append(url)
            raise Refused(f"Ingen statisk fil {name[:100]}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, _read(path), headers={"Content-Type": content_type}, status=200
        )


@functools.cache
def _read(path: str) -> bytes:
    # Static files do not change while the process runs (a deploy restarts it).
    with open(path, "rb") as f:
        return f.read()


# One font configuration, stylesheet and image cache per process: parsing the stylesheet
# and the logo and loading fonts is most of the cost of a small document. Pango is not
# thread-safe, so one render at a time per process (gunicorn's threads share it).
_FONTS = FontConfiguration()
_IMAGES: dict = {}
_LOCK = threading.Lock()


@functools.cache
def _stylesheet() -> CSS:
    path = finders.find("css/pdf.css")
    return CSS(string=_read(path).decode(), font_config=_FONTS, url_fetcher=StaticOnlyFetcher())


def html_to_pdf(html: str, *, archival=False, fetcher=None) -> bytes:
    """Render our HTML to PDF; `archival` gives a tagged PDF/A-2a for the records."""
    fetcher = fetcher or StaticOnlyFetcher()
    options = {"pdf_variant": ARCHIVAL_VARIANT} if archival else {}
    with _LOCK:
        return HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=[_stylesheet()], font_config=_FONTS, cache=_IMAGES, **options
        )


def letterhead(event):
    municipality = Municipality.get()
    return {
        "municipality": municipality,
        "event": event,
        "logo_url": STATIC + municipality.logo,
        "today": timezone.localdate(),
    }


def press_text_pdf(text: PressText, *, archival=False) -> bytes:
    event = text.row.plan.event
    context = {
        **letterhead(event),
        "text": text,
        "date": timezone.localdate(text.published_at) if text.published_at else None,
    }
    html = render_to_string("commsplan/pdf/press_text.html", context)
    return html_to_pdf(html, archival=archival)


def talking_points_pdf(row: TimetableRow, *, archival=False) -> bytes:
    event = row.plan.event
    html = render_to_string("commsplan/pdf/talking_points.html", {**letterhead(event), "row": row})
    return html_to_pdf(html, archival=archival)
