"""What an uploaded file is, read from its bytes, never from its name or the browser's word.

A file is received only as one of KINDS, and only under a name whose extension is one of that
kind's: a PDF renamed .docx, or an HTML page renamed .pdf, claims to be what it is not and is
refused (`identify` raises Unaccepted with a Swedish sentence for the form). Markup (HTML, SVG,
XML) is never received: a browser that was ever led to show one inline would run its scripts.

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
# Text files: how much is read to decide, and which control characters a text may hold.
TEXT_PROBE = 64 * 1024
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SVG = re.compile(rb"<\s*svg\b", re.I)
_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|svg|script|body|head|iframe|\?xml)\b", re.I)


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
    "txt": Kind("en textfil", "text/plain; charset=utf-8", ("txt", "csv")),
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


def _odf_kind(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> str | None:
    if not parts or parts[0].filename != "mimetype" or parts[0].file_size > 100:
        return None
    return _ODF_MIMETYPES.get(archive.read(parts[0]).strip())


def _text_kind(data: bytes, claimed: str) -> str:
    probe = data[:TEXT_PROBE]
    if _MARKUP.search(probe.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]):
        what = "en SVG-bild" if _SVG.search(probe) else "en HTML- eller XML-fil"
        raise Unaccepted(
            f"Filen är {what}. Sådana tas inte emot: de kan innehålla skript. Spara den som "
            "PDF och ladda upp den i stället."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows' own text files in Swedish (Anteckningar before 2019).
        text = data.decode("cp1252", errors="replace")
        if "\ufffd" in text:
            raise Unaccepted(_unknown()) from None
    if _TEXT_CONTROLS.search(text):
        raise Unaccepted(_unknown())
    if claimed == "eml":
        return "eml" if _is_mail(data) else "txt"
    return "txt"


def _is_mail(data: bytes) -> bool:
    """A message as RFC 5322 §3.6 requires it: a header block with From and Date."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
    return bool(headers["From"] and headers["Date"]) and not headers.defects


def _unknown() -> str:
    return f"Filens innehåll är inte av någon typ som tas emot. Här tas emot: {ACCEPTED}."
