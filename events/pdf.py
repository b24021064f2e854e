"""Every PDF the service draws goes through here (WeasyPrint): the renderer, the fetcher
that keeps it to our own static files, the shipped fonts and the letterhead. Press texts,
talking points, lägesrapporter and the omställningsprogram's documents (issue 15, item 6)
are drawn with the same pages and the same walls.

It lives in events/ because every app may depend on events and none on another app (the
house's dependency rule, tests/test_architecture.py): reports and omstallning use it without
importing commsplan. The one thing it needs from above is the municipality's letterhead row,
which is kept with the communication plan's defaults (commsplan.models.Municipality, edited
in the admin); commsplan hands it over in its ready() (`provide_municipality`), the way the
apps hand events their waiting items, so events never imports commsplan.

The renderer loads resources only through `StaticOnlyFetcher`: `data:` URLs and our own
static files, named `static:<path>`. Anything else a text could smuggle in (an
`<img src="http://…">`, `url(file:///etc/passwd)`, `@import`, `<link rel=attachment>`, an
SVG `<image>`) is refused before any connection or file is opened. Bodies are sanitised
as well (commsplan.sanitise); the fetcher is the second wall, not the only one.

Fonts are static files too, fetched the same way: a document is drawn only with the fonts
shipped in static/fonts (`FONTS`), so it has the same pages on every server whatever the
host has installed, and every character it holds is drawn with a real glyph (`drawable`).
"""

import functools
import mimetypes
import re
import ssl
import threading
import unicodedata
from collections.abc import Callable
from html import escape
from typing import Any

from django.contrib.staticfiles import finders
from django.core import checks
from django.utils import timezone
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.text import ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from accounts.text import clean

STATIC = "static:"
ARCHIVAL_VARIANT = "pdf/a-2a"
# The parent class builds an HTTPS handler, by default with a context that loads the
# system's CA certificates: a third of a render's time, for a protocol we refuse. This
# context is made once and trusts nobody, so even a fetch that got past us would fail.
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class NotServed(ValueError):
    """A resource the renderer may not load (StaticOnlyFetcher)."""


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
        raise NotServed(f"Bara data: och statiska filer får hämtas, inte {url[:100]}")

    def _static(self, url):
        name = url.removeprefix(STATIC)
        path = None
        if name and not name.startswith("/") and ".." not in name.split("/"):
            path = finders.find(name)
        if not path:
            self.refused.append(url)
            raise NotServed(f"Ingen statisk fil {name[:100]}")
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


# The only fonts a PDF is drawn with (static/fonts/README.md says where each comes from),
# family by family in the order a character is looked for: Latin with every Swedish and
# Sami letter, Greek and Cyrillic; Ethiopic (Tigrinya, Amharic); Arabic (Arabic, Persian,
# Dari); symbols and monochrome emoji. The family names are ours, so a host font of the
# same name is never taken instead; no generic family follows them, so a host font is
# never taken at all for a character these hold, and `drawable` leaves no other.
# (family, file, weight, style)
FONTS = (
    ("Brev Sans", "fonts/NotoSans-Regular.ttf", 400, "normal"),
    ("Brev Sans", "fonts/NotoSans-Bold.ttf", 700, "normal"),
    ("Brev Sans", "fonts/NotoSans-Italic.ttf", 400, "italic"),
    ("Brev Sans", "fonts/NotoSans-BoldItalic.ttf", 700, "italic"),
    ("Brev Ethiopic", "fonts/NotoSansEthiopic-Regular.ttf", 400, "normal"),
    ("Brev Ethiopic", "fonts/NotoSansEthiopic-Bold.ttf", 700, "normal"),
    ("Brev Arabic", "fonts/NotoSansArabic-Regular.ttf", 400, "normal"),
    ("Brev Arabic", "fonts/NotoSansArabic-Bold.ttf", 700, "normal"),
    ("Brev Symbols", "fonts/Symbola-Emoji.ttf", 400, "normal"),
)
FONT_FAMILY = ", ".join(f'"{family}"' for family in dict.fromkeys(f[0] for f in FONTS))
# Shown for a character no shipped font has (a private-use character, an emoji newer than
# the emoji font): a visible mark instead of the empty box PDF/A forbids.
REPLACEMENT = "\ufffd"


def _font_css() -> str:
    """The @font-face rules of `FONTS`, and the one font-family of the whole document: its
    text and its page margins (`*` so that no element keeps a family of the user-agent
    stylesheet, such as `code`'s monospace)."""
    faces = "".join(
        f'@font-face {{ font-family: "{family}"; src: url("{STATIC}{path}"); '
        f"font-weight: {weight}; font-style: {style}; }}\n"
        for family, path, weight, style in FONTS
    )
    return f"{faces}@page {{ font-family: {FONT_FAMILY}; }}\n* {{ font-family: {FONT_FAMILY}; }}\n"


@functools.cache
def _covered() -> frozenset[int]:
    """Every code point some shipped font has a glyph for."""
    covered = set()
    for _, path, _, _ in FONTS:
        with TTFont(finders.find(path), lazy=True) as font:
            covered.update(font.getBestCmap())
    return frozenset(covered)


# A hint where a word may be hyphenated, pasted with many texts. The PDF never hyphenates
# (pdf.css), yet WeasyPrint (v70) draws a hyphen where a soft hyphen ends a line, even
# under `hyphens: none`: "www.nor-" + "sjo.se". Dropped, it can neither add a hyphen nor
# stay in a word copied from the PDF.
SOFT_HYPHEN = "\u00ad"
# Joiners, direction marks, variation selectors, emoji tags: Unicode's
# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) less the fillers and the newer
# format controls that HarfBuzz draws. They have no glyph of their own: the shaper applies
# them and draws nothing, whatever the font. (first, last) code points.
_IGNORABLE = (
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x17B4, 0x17B5),
    (0x180B, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


@functools.cache
def _not_drawn() -> re.Pattern:
    """Matches each character `drawable` drops or replaces: one character class of the
    kept ranges, so that the text is scanned in C and only those few reach Python."""
    kept = _covered().union(*(range(first, last + 1) for first, last in _IGNORABLE), [10])
    runs: list[list[int]] = []
    for code in sorted(kept - {ord(SOFT_HYPHEN)}):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    ranges = "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in runs)
    return re.compile(f"[^{ranges}]")


def _drawn_as(match: re.Match) -> str:
    char = match.group()
    if char == SOFT_HYPHEN:
        return ""
    # Its compatibility form (Unicode UAX #15, NFKC) where the fonts have that: full-width
    # digits and letters as East Asian input methods type them (U+FF11 is "1"), ligatures
    # (U+FB01 is "fi"), superscripts, circled digits. Escaped, as it goes into HTML: the
    # full-width less-than sign U+FF1C is the text "<", never markup.
    compatible = unicodedata.normalize("NFKC", char)
    if compatible != char and all(ord(c) in _covered() for c in compatible):
        return escape(compatible)
    return REPLACEMENT


def drawable(text: str) -> str:
    """`text` (HTML) as the PDF draws it: in stored form (`accounts.text.clean`: NFC, a
    control character a space or line break), without soft hyphens, and with every
    character that no shipped font has a glyph for, and the shaper does not hide, replaced
    by its compatibility form (NFKC, HTML-escaped: full-width U+FF11 U+FF12 is "12") when
    the fonts have every character of that, or else by U+FFFD; so no text is drawn with
    glyph 0, the missing-glyph box PDF/A-2 forbids (ISO 19005-2, 6.2.11.8). Every
    character with a glyph is kept: emoji, Tigrinya, Arabic, Sami letters. Markup is ASCII
    and passes unchanged."""
    return _not_drawn().sub(_drawn_as, clean(text, multiline=True))


# One font configuration, stylesheet and image cache per process: parsing the stylesheet
# and the logo and loading fonts is most of the cost of a small document. Pango is not
# thread-safe, so one render at a time per process (gunicorn's threads share it).
_FONTS = FontConfiguration()
_IMAGES: dict = {}
_LOCK = threading.Lock()


@functools.cache
def _stylesheet() -> CSS:
    path = finders.find("css/pdf.css")
    return CSS(
        string=_font_css() + _read(path).decode(),
        font_config=_FONTS,
        url_fetcher=StaticOnlyFetcher(),
    )


def html_to_pdf(html: str, *, archival=False, fetcher=None) -> bytes:
    """Render our HTML to PDF; `archival` gives a tagged PDF/A-2a for the records."""
    fetcher = fetcher or StaticOnlyFetcher()
    options = {"pdf_variant": ARCHIVAL_VARIANT} if archival else {}
    html = drawable(html)
    with _LOCK:
        return HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=[_stylesheet()], font_config=_FONTS, cache=_IMAGES, **options
        )


def subsetter_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A Django system check (`manage.py check`, and before `migrate`, so at each `make run`
    and deploy): a warning when WeasyPrint cannot load HarfBuzz's subsetter (Debian's
    libharfbuzz-subset0, HarfBuzz ≥ 4.1). Without it WeasyPrint falls back to fontTools to
    put the used glyphs of the shipped fonts into each PDF, and every PDF takes about twice
    as long (the lägesrapport of `make bench`: 788 ms instead of 423). `make run` and
    `make test` install it."""
    if ffi.harfbuzz_subset is None:
        hint = "Installera libharfbuzz-subset0: sudo apt-get install -y libharfbuzz-subset0"
    elif not ffi.harfbuzz.hb_version_atleast(4, 1, 0):
        hint = (
            "HarfBuzz här är äldre än 4.1, som subsettern behöver (Debian 12 har 6.0): "
            "uppgradera libharfbuzz0b och libharfbuzz-subset0."
        )
    else:
        return []
    return [
        checks.Warning(
            "PDF:erna ritas utan HarfBuzz subsetter och tar ungefär dubbelt så lång tid.",
            hint=hint,
            id="events.W001",
        )
    ]


_municipality = None


def provide_municipality(get: Callable[[], Any]) -> None:
    """Called once by the app that keeps the municipality's letterhead row (commsplan, in
    ready()): `get()` returns an object with `name`, `address`, `web` and `logo` (a path
    among our static files)."""
    global _municipality
    _municipality = get


def letterhead(event) -> dict:
    """The context `templates/pdf/letterhead.html` draws: the municipality (name, address,
    web), its logo as a `static:` URL for the fetcher, the case the document belongs to
    (None for a document of no one case) and today's date on the Stockholm clock.
    Raises RuntimeError if no app provided the municipality (commsplan not installed)."""
    if _municipality is None:
        raise RuntimeError("Inget brevhuvud: commsplan är inte installerad")
    municipality = _municipality()
    return {
        "municipality": municipality,
        "event": event,
        "logo_url": STATIC + municipality.logo,
        "today": timezone.localdate(),
    }
