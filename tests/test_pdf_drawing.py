"""What the PDFs draw, read back from the files: the same pages on every server (only the
shipped fonts), no missing-glyph boxes in an archive copy that claims PDF/A-2a, and no
hyphen the renderer made up, nor text running off the page.

The documents are rendered once per module, through HTTP, from a press text and a
lägesrapport holding what people paste: emoji, Tigrinya, Arabic, Sami letters, a control
character, soft hyphens, long addresses and a 60-letter word."""

import importlib
import io
import os
import re
import subprocess
import sys
from typing import NamedTuple

import pytest
from defusedxml import ElementTree
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from pdfminer.converter import PDFPageAggregator
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pypdf import PdfReader
from pypdf.generic import ContentStream
from weasyprint.text import ffi as weasyprint_ffi

from commsplan.models import Municipality
from commsplan.pdf import press_text_html
from events.pdf import FONTS
from reports.pdf import report_html
from tests.personas import create_cast
from tests.test_commsplan import write_text
from tests.test_reports import draft, fill_case_file

# Exactly 60 letters, one word: a title the line cannot hold.
LONG_WORD = "Omställningsstödsansökningshandläggningsrutinbeskrivningarna"
LINK = "https://www.norsjo.se/naringsliv/varsel-och-omstallning/stod-till-foretag-och-anstallda"
# A tracking link: 80 characters with no break opportunity, longer than a line.
TOKEN = "a7f3c9e1b5d8" * 6 + "0f2e4d6c"
TRACKED = f"https://www.norsjo.se/nyheter?utm_source=pressmeddelande&id={TOKEN}"
EMAIL = "naringslivskontoret@norsjo.kommun.example.se"
SHY = "\u00ad"
# Text as people paste it, and what each part must look like in the PDF's text.
KEPT = ("🙂", "ትግርኛ", "العربية", "Ođđa sámi", "Áá Čč Đđ Ŋŋ Šš Ŧŧ Žž", "ǥ ǧ ǩ ǯ ʒ ǫ ǭ ï", "❤", "🇸🇪")
PASTED = (
    "Hälsningar 🙂 på ትግርኛ och العربية\u200f. Ođđa sámi: Áá Čč Đđ Ŋŋ Šš Ŧŧ Žž, ǥ ǧ ǩ ǯ ʒ ǫ ǭ ï. "
    "Vi ❤️ Norsjö 👍🏽 🇸🇪 👨‍👩‍👧. Inklistrat\x0bmed\x07styrtecken, "
    "privat tecken \ue000 och ny emoji 🥲. "
    # Full-width forms (ASCII + U+FEE0), as East Asian input methods type digits and letters;
    # a unit in one character, as some fonts and PDFs hand it over.
    + "Möte 12 december i KS 2026/0002, <b>fet</b>, ".translate(
        {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
    )
    + "vikt 20 \u338f."
)
# The same address after words of every length: some land where a line ends, at the soft
# hyphens pasted with it.
VERBS = ("i", "på", "och", "att", "läs", "se mer", "besök", "skriver")
SOFT_ADDRESSES = " ".join(
    f"{VERBS[i % 8]} https://www.nor{SHY}sjo.se/var{SHY}sel/om{SHY}ställ{SHY}ning"
    for i in range(40)
)
SOFT_ADDRESS = "https://www.norsjo.se/varsel/omställning"
# Pasted with a soft hyphen where the rest cannot fit on a line: WeasyPrint breaks there
# and adds a hyphen even under `hyphens: none`.
TITLE = f"Stöd enligt {LONG_WORD[:13]}{SHY}{LONG_WORD[13:]} i Norsjö"
BODY = "\n\n".join(
    [
        PASTED,
        f"Läs mer på [{LINK}]({LINK}) eller mejla {EMAIL}.",
        f"Spårad länk: {TRACKED.replace('&id=', '&id=' + SHY)}",
        SOFT_ADDRESSES,
        f"Skriv till naringslivs{SHY}kontoret{SHY}@norsjo.kommun.example.se om stödet.",
        *["Kommunen öppnar en träffpunkt för de berörda i Bastuträsk. " * 10] * 6,
    ]
)

# The module's documents are made in the test database (which is set up only for a module
# that marks its tests).
pytestmark = pytest.mark.django_db

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
A4_WIDTH = 595.28
RIGHT_MARGIN = 22 / 25.4 * 72  # pdf.css: @page margin, in points


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker):
    """The documents of this module, rendered once through HTTP: {name: (html, pdf bytes)}.
    The case file is made in a transaction rolled back at the end, as a test's would be."""
    documents = {}
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        if not Municipality.objects.exists():
            importlib.import_module("commsplan.migrations.0002_seed_norsjo_defaults").seed(
                apps, None
            )
        cast = create_cast()
        client = Client()
        text = write_text(client, cast, title=TITLE, lead=PASTED, body=BODY)
        url = reverse("press_text_pdf", args=[cast.event.pk, text.pk])
        documents["press"] = (press_text_html(text), client.get(url).content)
        documents["press archive"] = (None, client.get(url, {"arkiv": "1"}).content)

        fill_case_file(cast)
        report = draft(client, cast, summary=f"{PASTED} {TITLE}. Se {TRACKED}")
        url = reverse("report_pdf", args=[cast.event.pk, report.pk])
        documents["report"] = (report_html(report), client.get(url).content)
        documents["report archive"] = (None, client.get(url, {"arkiv": "1"}).content)
        transaction.set_rollback(True)
    return documents


class Glyph(NamedTuple):
    text: str
    x0: float
    x1: float
    size: float


class _Boxes(PDFPageAggregator):
    """Keeps the box of every character drawn, in points (pdfminer's layout)."""

    def render_char(self, *args, **kwargs):
        advance = super().render_char(*args, **kwargs)
        char = self.cur_item._objs[-1]
        self.glyphs.append(Glyph(char.get_text(), char.x0, char.x1, char.size))
        return advance


def boxes(content: bytes) -> list[list[Glyph]]:
    """The characters of each page with their boxes."""
    resources = PDFResourceManager()
    device = _Boxes(resources)
    interpreter = PDFPageInterpreter(resources, device)
    pages = []
    for page in PDFPage.get_pages(io.BytesIO(content)):
        device.glyphs = []
        interpreter.process_page(page)
        pages.append(device.glyphs)
    return pages


def _code_to_cid(font) -> dict[int, int] | None:
    """The font's encoding as {2-byte code: CID}; None for Identity-H (the code is the
    CID). WeasyPrint writes an embedded CMap of cidchar lines when a glyph is missing."""
    encoding = font["/Encoding"]
    if encoding == "/Identity-H":
        return None
    cmap = encoding.get_object().get_data().decode("latin-1")
    assert "<0000> <ffff>" in cmap  # two bytes a code
    mapping = {}
    for block in re.findall(r"begincidchar(.*?)endcidchar", cmap, re.S):
        for code, cid in re.findall(r"<([0-9a-fA-F]+)>\s*(\d+)", block):
            mapping[int(code, 16)] = int(cid)
    for block in re.findall(r"begincidrange(.*?)endcidrange", cmap, re.S):
        for low, high, cid in re.findall(r"<(\w+)>\s*<(\w+)>\s*(\d+)", block):
            for code in range(int(low, 16), int(high, 16) + 1):
                mapping[code] = int(cid) + code - int(low, 16)
    return mapping


def shown_cids(content: bytes) -> list[tuple[str, int]]:
    """(font, CID) of every glyph a text-showing operator draws (Tj, TJ, ' and "), in the
    pages and in the forms they draw, decoded through the font's encoding. A code the
    encoding does not map shows CID 0 (ISO 32000-1, 9.7.6.3)."""
    reader = PdfReader(io.BytesIO(content))
    shown = []

    def run(contents, resources):
        fonts = resources.get("/Font") or {}
        xobjects = resources.get("/XObject") or {}
        font, saved = None, []
        for operands, operator in ContentStream(contents, reader).operations:
            strings = []
            if operator == b"q":
                saved.append(font)
            elif operator == b"Q":
                font = saved.pop()
            elif operator == b"Tf":
                font = fonts[operands[0]].get_object()
            elif operator in (b"Tj", b"'"):
                strings = [operands[0]]
            elif operator == b'"':
                strings = [operands[2]]
            elif operator == b"TJ":
                strings = [item for item in operands[0] if isinstance(item, str | bytes)]
            elif operator == b"Do":
                xobject = xobjects[operands[0]].get_object()
                if xobject["/Subtype"] == "/Form":
                    run(xobject, xobject.get("/Resources") or resources)
            for string in strings:
                raw = string.original_bytes if isinstance(string, str) else bytes(string)
                mapping = _code_to_cid(font)
                for i in range(0, len(raw), 2):
                    code = int.from_bytes(raw[i : i + 2])
                    cid = code if mapping is None else mapping.get(code, 0)
                    shown.append((font["/BaseFont"], cid))

    for page in reader.pages:
        run(page.get_contents(), page["/Resources"])
    return shown


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def joined(content: bytes) -> str:
    """The document's text without white space and page footers: an address broken over
    two lines or pages is whole again, and a hyphen the renderer added stays in it."""
    text = "".join(re.sub(r".*Sida \d+ av \d+", "", page) for page in page_texts(content))
    return "".join(text.split())


def fonts(content: bytes) -> list[dict]:
    """Every font dictionary the pages and their forms use."""
    found = {}

    def visit(resources):
        for font in (resources.get("/Font") or {}).values():
            found[font.indirect_reference.idnum] = font.get_object()
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Form" and "/Resources" in xobject:
                visit(xobject["/Resources"])

    for page in PdfReader(io.BytesIO(content)).pages:
        visit(page["/Resources"])
    return list(found.values())


# The same document on every server (item 12) -------------------------------------------

# A fontconfig configuration without a single font directory: a host with no fonts.
NO_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""
RENDER = """
import sys
from pathlib import Path
import django
django.setup()
from events.pdf import html_to_pdf
for source in sorted(Path(sys.argv[1]).glob("*.html")):
    source.with_suffix(".pdf").write_bytes(html_to_pdf(source.read_text()))
"""


def test_the_documents_have_the_same_pages_and_text_on_a_host_without_fonts(rendered, tmp_path):
    names = ("press", "report")
    for name in names:
        (tmp_path / f"{name}.html").write_text(rendered[name][0])
    (tmp_path / "fonts.conf").write_text(NO_FONTS.format(cache=tmp_path / "cache"))
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(tmp_path / "fonts.conf"),
        "DJANGO_SETTINGS_MODULE": "norsjo.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    bare_host = subprocess.run(
        [sys.executable, "-c", RENDER, str(tmp_path)],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert "No fonts configured in FontConfig" in bare_host.stderr  # WeasyPrint's warning
    for name in names:
        here, bare = rendered[name][1], (tmp_path / f"{name}.pdf").read_bytes()
        assert len(page_texts(bare)) == len(page_texts(here)), name
        assert page_texts(bare) == page_texts(here), name
    assert len(page_texts(rendered["press"][1])) >= 2  # a page break to agree on


def test_only_the_shipped_fonts_are_used_and_every_one_is_embedded(rendered):
    # The PostScript names of static/fonts' files, with our family names (FONTS).
    ours = {family.replace(" ", "-") for family, *_ in FONTS}
    for name, (_, content) in rendered.items():
        for font in fonts(content):
            assert font["/Subtype"] == "/Type0", name
            base = font["/BaseFont"].split("+")[-1]
            assert any(base.startswith(family) for family in ours), (name, base)
            cid_font = font["/DescendantFonts"][0].get_object()
            # CIDs are glyph ids: what the glyph-0 test decodes is what is drawn.
            assert cid_font["/CIDToGIDMap"] == "/Identity", name
            descriptor = cid_font["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), (name, base)


# No missing-glyph boxes, and an archive copy that is what it claims (item 13) -----------


@pytest.mark.parametrize("name", ["press archive", "report archive"])
def test_no_text_is_drawn_with_the_missing_glyph(rendered, name):
    shown = shown_cids(rendered[name][1])
    assert len(shown) > 1000
    # PDF/A-2 (ISO 19005-2) 6.2.11.8: no text-showing operator references .notdef, glyph 0
    # (CID 0: the fonts map CIDs to glyphs one to one, as the test above checks).
    assert [font for font, cid in shown if cid == 0] == []


@pytest.mark.parametrize("name", ["press", "report archive"])
def test_what_people_paste_is_kept_and_only_what_no_font_has_is_replaced(rendered, name):
    text = "\n".join(page_texts(rendered[name][1]))
    for kept in KEPT:
        assert kept in text, kept
    assert "Inklistrat" in text
    assert "styrtecken" in text
    # A private-use character and an emoji newer than the emoji font: a visible mark.
    assert "privat tecken \ufffd och ny emoji \ufffd" in text


@pytest.mark.parametrize("name", ["press archive", "report archive"])
def test_the_archive_copy_declares_pdf_a_2a_with_an_output_intent(rendered, name):
    reader = PdfReader(io.BytesIO(rendered[name][1]))
    claims = {}  # the PDF/A identification schema's properties, as attributes or elements
    for element in ElementTree.fromstring(reader.xmp_metadata.stream.get_data()).iter():
        claims |= {key: value for key, value in element.attrib.items() if PDFAID in key}
        if PDFAID in element.tag:
            claims[element.tag] = element.text
    assert claims == {f"{PDFAID}part": "2", f"{PDFAID}conformance": "A"}
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert [intent.get_object()["/S"] for intent in intents] == ["/GTS_PDFA1"]
    assert "/DestOutputProfile" in intents[0].get_object()


# Line breaking (item 14) ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["press", "report"])
def test_nothing_runs_off_the_page(rendered, name):
    right_edge = A4_WIDTH - RIGHT_MARGIN + 0.5  # half a point for rounding
    pages = boxes(rendered[name][1])
    if name == "press":  # the 60 letters in the title (19 pt), in the report in a line
        assert len(LONG_WORD) == 60
        title = "".join(glyph.text for glyph in pages[0] if glyph.size > 15)
        assert f"Stödenligt{LONG_WORD}iNorsjö" in "".join(title.split())
    outside = [glyph for page in pages for glyph in page if glyph.x1 > right_edge]
    assert outside == []


@pytest.mark.parametrize("name", ["press", "report"])
def test_no_hyphen_is_added_to_an_address_a_link_or_a_long_word(rendered, name):
    text = joined(rendered[name][1])
    assert "\u2010" not in text  # WeasyPrint's hyphen
    assert SHY not in text
    assert LONG_WORD in text
    assert TRACKED in text
    if name == "press":
        assert LINK in text
        assert text.count(EMAIL) == 2  # as typed, and pasted with soft hyphens
        assert text.count(SOFT_ADDRESS) == 40


def test_the_press_texts_link_keeps_its_address(rendered):
    reader = PdfReader(io.BytesIO(rendered["press"][1]))
    targets = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if annotation.get_object().get("/A", {}).get("/URI")
    ]
    assert LINK in targets


@pytest.mark.parametrize("name", ["press archive", "report archive"])
def test_a_character_no_font_has_is_drawn_as_its_compatibility_form(rendered, name):
    # Lines joined with a space: the sentence may wrap.
    text = " ".join(" ".join(page_texts(rendered[name][1])).split())
    assert "Möte 12 december i KS 2026/0002, <b>fet</b>, vikt 20 kg." in text
    assert not re.search("[\uff01-\uff5e\u338f]", text)
    # Drawn with real glyphs, none of them glyph 0 (test_no_text_is_drawn_with_the_missing_glyph
    # holds for the whole document).
    assert [cid for _, cid in shown_cids(rendered[name][1]) if cid == 0] == []


def subsetter_warnings():
    return [m for m in checks.run_checks() if m.id == "events.W001"]


def test_no_warning_where_harfbuzz_subsets_the_fonts():
    # `make test` installed libharfbuzz-subset0, as `make run` does.
    assert subsetter_warnings() == []


def test_a_host_without_harfbuzz_subset_is_warned_with_the_package_to_install(monkeypatch):
    # WeasyPrint leaves its handle None where the library would not load.
    monkeypatch.setattr(weasyprint_ffi, "harfbuzz_subset", None)
    (warning,) = subsetter_warnings()
    assert "dubbelt så lång tid" in warning.msg
    assert "apt-get install -y libharfbuzz-subset0" in warning.hint


def test_a_harfbuzz_too_old_for_the_subsetter_is_named_not_the_package_already_there(
    monkeypatch,
):
    # The library loads, but HarfBuzz is older than the 4.1 WeasyPrint subsets with.
    class OldHarfBuzz:
        def hb_version_atleast(self, major, minor, micro):
            return (major, minor, micro) <= (3, 4, 0)

    monkeypatch.setattr(weasyprint_ffi, "harfbuzz", OldHarfBuzz())
    (warning,) = subsetter_warnings()
    assert "äldre än 4.1" in warning.hint
    assert "apt-get install" not in warning.hint
