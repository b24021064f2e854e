"""What an uploaded file is, read from its bytes, never from its name or the browser's word.

A file is received only as one of KINDS, and only under a name whose extension is one of that
kind's: a PDF renamed .docx, or an HTML page renamed .pdf, claims to be what it is not and is
refused (`identify` raises Unaccepted with a Swedish sentence for the form). A document that
is markup (HTML, SVG, XML) is never received: a browser that was ever led to show one inline
would run its scripts. Markup *inside* a text or an e-mail is no such document: a note may
mention "<body>", a mail's HTML part is a part of a message/rfc822 download, which no browser
runs.

Office files are zip archives: they are told apart from any zip by the parts the format
requires, and an archive that would expand to more than MAX_UNCOMPRESSED, or any part of more
than MAX_RATIO times its packed size (a zip bomb), is refused before anything trusts it. Every
part is then inflated once, bounded by those declared sizes, so that a size or CRC that lies
is found here (zipfile reads no further than the declared size and checks the CRC).
"""

import email.parser
import email.policy
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError

from events.workbook import number

# Unpacked size of every part together, and the packed:unpacked ratio a part may have once the
# archive is past MIN_SIZE_FOR_RATIO. A report of a few hundred pages with images is tens of
# MB; XML packs 5 to 20 times, a sheet of repeated values up to ~100.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 150
MIN_SIZE_FOR_RATIO = 1024 * 1024
MAX_PARTS = 5000
# Text files: which control characters a text may hold.
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# A text that IS a markup document: it opens, after a BOM, white space and comments, with a
# document type, an XML declaration or a root element a browser would render and run.
_MARKUP_START = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*<\s*(?:!doctype\b|\?xml\b|html\b|svg\b|head\b|body\b|script\b)",
    re.I | re.S,
)
_SVG = re.compile(r"<\s*svg\b", re.I)
# Where a PDF reader looks for the header: within the first 1024 bytes, since scanners and
# print spoolers put a CR LF, spaces or an HP PJL job header ("\x1b%-12345X@PJL …") first
# (Acrobat's and pdf.js's rule; ISO 32000-2 §7.5.2 puts it at the start). At the start of
# a line or after the PJL escape, so that a note that mentions "%PDF-1.7" stays a note.
PDF_HEADER_WITHIN = 1024
_PDF_HEADER = re.compile(rb"(?:\A|[\r\n]|\x1b%-12345X)[ \t\f\x00]*%PDF-\d\.\d")
# Byte order marks a text may begin with, and the codec each says the text is in.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# A macro-enabled OOXML package: its main part's content type (ECMA-376 Part 1 §11.3,
# "…document.macroEnabled.main+xml") or its VBA project part ([MS-OFFMACRO2]).
_MACRO_CONTENT_TYPE = b"macroenabled"
_MACRO_PART = "vbaproject.bin"


@dataclass(frozen=True)
class Kind:
    label: str  # as a sentence names it: "en PDF"
    mime: str
    extensions: tuple[str, ...]  # the first is the one a download is named with


KINDS = {
    "pdf": Kind("en PDF", "application/pdf", ("pdf",)),
    "docx": Kind(
        "ett Word-dokument",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
    ),
    "xlsx": Kind(
        "en Excel-arbetsbok",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
    ),
    "pptx": Kind(
        "en PowerPoint-presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
    ),
    "odt": Kind("ett OpenDocument-dokument", "application/vnd.oasis.opendocument.text", ("odt",)),
    "ods": Kind(
        "ett OpenDocument-kalkylark", "application/vnd.oasis.opendocument.spreadsheet", ("ods",)
    ),
    "odp": Kind(
        "en OpenDocument-presentation",
        "application/vnd.oasis.opendocument.presentation",
        ("odp",),
    ),
    "doc": Kind("ett Word-dokument (äldre format)", "application/msword", ("doc",)),
    "xls": Kind("en Excel-arbetsbok (äldre format)", "application/vnd.ms-excel", ("xls",)),
    "ppt": Kind(
        "en PowerPoint-presentation (äldre format)", "application/vnd.ms-powerpoint", ("ppt",)
    ),
    "jpg": Kind("en JPEG-bild", "image/jpeg", ("jpg", "jpeg")),
    "png": Kind("en PNG-bild", "image/png", ("png",)),
    "gif": Kind("en GIF-bild", "image/gif", ("gif",)),
    "webp": Kind("en WebP-bild", "image/webp", ("webp",)),
    "tif": Kind("en TIFF-bild", "image/tiff", ("tif", "tiff")),
    "heic": Kind("en HEIC-bild", "image/heic", ("heic",)),
    # Its charset is the file's own, named when it is served (text_charset).
    "txt": Kind("en textfil", "text/plain", ("txt", "csv")),
    "eml": Kind("ett e-postmeddelande", "message/rfc822", ("eml",)),
}
ACCEPTED = (
    "PDF, Word, Excel, PowerPoint, OpenDocument, bilder (JPEG, PNG, GIF, WebP, TIFF, HEIC), "
    "text och e-post (.eml)"
)

# The part each zip-based format cannot be without (ECMA-376 Part 2 §10.1.2 and the main part
# its content types name; OpenDocument 1.3 Part 2 §3.3: "mimetype" first, stored).
_OOXML_MAIN = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
_ODF_MIMETYPES = {KINDS[key].mime.encode(): key for key in ("odt", "ods", "odp")}


class Unaccepted(ValidationError):
    """The file is not received; the message says why, in Swedish, for the file field."""


def clean_name(name: str) -> str:
    """The uploaded file's name as shown and stored: NFC, without control or format
    characters (a right-to-left override would show "fdp.exe" as "exe.pdf"), its last path
    part only, no leading dots, at most 200 characters keeping the extension. A name that
    had path parts or control characters when it was sent is refused before this
    (accounts.uploads); this is the rule, not a hope about the parser. Unaccepted if
    nothing is left."""
    name = "".join(char for char in unicodedata.normalize("NFC", name) if char.isprintable())
    name = re.split(r"[\\/]", name)[-1].strip().lstrip(".")
    if not name:
        raise Unaccepted("Filen saknar namn. Byt namn på filen och försök igen.")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = stem[: 199 - len(extension)] + dot + extension if dot else name[:200]
    return name


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def identify(name: str, data: bytes) -> Kind:
    """The Kind of `data`, uploaded as `name` (already cleaned), or Unaccepted: empty, of a
    kind not received, markup, an archive that is no Office file or would expand too far,
    or a name claiming another kind than the content is."""
    if not data:
        raise Unaccepted("Filen är tom (0 byte). Välj filen igen; den kan ha sparats fel.")
    key = _kind_of(data, extension_of(name))
    kind = KINDS[key]
    claimed = extension_of(name)
    if claimed and claimed not in kind.extensions:
        raise Unaccepted(
            f"Filen heter ”{name}” men är {kind.label}, inte en .{claimed}-fil. Ladda upp "
            f"rätt fil, eller byt filändelsen till .{kind.extensions[0]} om innehållet är rätt."
        )
    return kind


def _kind_of(data: bytes, claimed: str) -> str:
    guess = filetype.guess(data[:8192])
    if guess is not None and guess.extension in (
        "zip",
        "docx",
        "xlsx",
        "pptx",
        "odt",
        "ods",
        "odp",
        "epub",
    ):
        return _archive_kind(data)
    if guess is not None and guess.extension in KINDS:
        return guess.extension
    if guess is None and _PDF_HEADER.search(data[: PDF_HEADER_WITHIN + len("%PDF-1.7")]):
        return "pdf"
    if guess is not None:
        raise Unaccepted(
            f"Filen är en .{guess.extension}-fil. Sådana tas inte emot; här tas emot: {ACCEPTED}."
        )
    return _text_kind(data, claimed)


def _archive_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            _refuse_bomb(parts)
            names = {part.filename for part in parts}
            key = next((k for main, k in _OOXML_MAIN.items() if main in names), None)
            if key is None or "[Content_Types].xml" not in names:
                key = _odf_kind(archive, parts)
            else:
                _refuse_macros(archive, names)
            if key is None:
                raise Unaccepted(
                    "Filen är ett zip-arkiv, inget Office-dokument. Packa upp det och ladda "
                    "upp filerna var för sig."
                )
            # Inflated once, bounded by the declared sizes just checked: a lying size or a
            # broken part raises BadZipFile here rather than in the reader's Office program.
            for part in parts:
                with archive.open(part) as stream:
                    while stream.read(1024 * 1024):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError):
        raise Unaccepted(
            "Filen är skadad: den ser ut som ett Office-dokument men går inte att läsa."
        ) from None
    return key


def _refuse_bomb(parts: list[zipfile.ZipInfo]) -> None:
    total = sum(part.file_size for part in parts)
    steepest = max((p.file_size / max(p.compress_size, 1) for p in parts), default=0)
    if (
        len(parts) > MAX_PARTS
        or total > MAX_UNCOMPRESSED
        or (steepest > MAX_RATIO and total > MIN_SIZE_FOR_RATIO)
    ):
        raise Unaccepted(
            "Filen packas upp till misstänkt mycket data (uppackad storlek "
            f"{number(total // (1024 * 1024))} MB i {number(len(parts))} delar). Den har inte "
            "tagits emot."
        )


def _refuse_macros(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Unaccepted if the OOXML package holds macros, whatever its name (.docm, or a .docm
    renamed .docx): a macro runs in the reader's Office program with the reader's rights.
    Read after _refuse_bomb, so [Content_Types].xml is of a bounded size."""
    types = archive.read("[Content_Types].xml").lower()
    if _MACRO_CONTENT_TYPE in types or any(
        name.lower().rsplit("/", 1)[-1] == _MACRO_PART for name in names
    ):
        raise Unaccepted(
            "Filen innehåller makron, och sådana tas inte emot: ett makro körs hos den som "
            "öppnar filen. Spara den utan makron (.docx/.xlsx/.pptx) och försök igen."
        )


def _odf_kind(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> str | None:
    if not parts or parts[0].filename != "mimetype" or parts[0].file_size > 100:
        return None
    return _ODF_MIMETYPES.get(archive.read(parts[0]).strip())


def _text_kind(data: bytes, claimed: str) -> str:
    # An e-mail first: its header block says what it is, and the HTML of its parts (quoted-
    # printable, 8bit in any charset, base64) is no document of its own.
    if claimed == "eml" and _is_mail(data):
        return "eml"
    text = decoded(data)
    if text is None or _TEXT_CONTROLS.search(text):
        raise Unaccepted(_unknown())
    if _MARKUP_START.match(text):
        what = "en SVG-bild" if _SVG.search(text) else "en HTML- eller XML-fil"
        raise Unaccepted(
            f"Filen är {what}. Sådana tas inte emot: de kan innehålla skript. Spara den som "
            "PDF och ladda upp den i stället."
        )
    return "txt"


def text_charset(data: bytes) -> str:
    """The charset a text file (kind "txt") is in, as a Content-Type names it: "utf-8"
    (also with a BOM), "utf-16" (a BOM, either byte order: Anteckningar's and Excel's
    "Unicode"), else "windows-1252" (Windows' own Swedish texts before 2019, and latin-1,
    which it contains)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return "utf-8" if codec == "utf-8-sig" else codec
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "windows-1252"
    return "utf-8"


# The codec each charset of text_charset is read with: Python's "utf-8-sig" and "utf-16"
# take the BOM off.
_CODECS = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "windows-1252": "cp1252"}


def decoded(data: bytes) -> str | None:
    """`data` as text in the charset text_charset names, without a BOM; None if it is not
    text in it (bytes cp1252 leaves undefined, a UTF-16 of odd length)."""
    try:
        return data.decode(_CODECS[text_charset(data)])
    except UnicodeDecodeError:
        return None


def _is_mail(data: bytes) -> bool:
    """A message as RFC 5322 §3.6 requires it: a header block, without defects, with From
    and Date."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(data)
    return bool(headers["From"] and headers["Date"]) and not headers.defects


def _unknown() -> str:
    return f"Filens innehåll är inte av någon typ som tas emot. Här tas emot: {ACCEPTED}."
