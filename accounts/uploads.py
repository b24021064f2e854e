"""Uploaded file names: a name with path parts or control characters is refused, not
quietly cleaned.

Django's multipart parser strips path parts and non-printable characters from a file's name
before any view sees it (MultiPartParser.sanitize_file_name), and drops a file whose name is
nothing else. Then "../../etc/passwd.pdf" arrives as "passwd.pdf" and a right-to-left
override that showed "fdp.exe" as "exe.pdf" is gone without a word, and the user is never
told that the file's name was not what it seemed. NameRecordingParser, which
norsjo.middleware.UploadNameMiddleware puts on every request, marks such a file with the
name it was sent under (`unsafe_name`); SafeNameFileField refuses it with a Swedish
sentence, so that the form keeps what was typed in its other fields.

A space of another width is a space: macOS names a screenshot "… at 10.00.00\u202fAM.png"
and a name typed in Word may hold a no-break space. Such a character (Unicode category Zs)
is not printable to Python, so Django would drop it; it is kept as a plain space instead.
"""

import html
import re

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http.multipartparser import MultiPartParser

# What a multipart body may hold besides its one file: the form's fields and the parts'
# headers, far less than this.
BODY_MARGIN = 1024 * 1024
# Stands in for a name that was nothing but path parts and control characters: the file
# must reach the form to be refused there, not vanish as if none had been chosen.
NAMELESS = "namnlos"
# Every space separator but the plain space (Unicode category Zs, stable since Unicode 6.3:
# no-break, ogham, en to hair, narrow no-break, medium mathematical, ideographic).
_OTHER_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def plain_spaces(name: str) -> str:
    """`name` with each space separator (category Zs) written as a plain space."""
    return _OTHER_SPACES.sub(" ", name)


class NameRecordingParser(MultiPartParser):
    """Django's parser; a file whose name its cleaning changed also carries `unsafe_name`,
    the name as sent (after HTML entities, which Django decodes first, are decoded)."""

    _unsafe_name = None

    def sanitize_file_name(self, file_name):
        # Django decodes entities first: "&#xa0;" is a no-break space too.
        file_name = plain_spaces(html.unescape(file_name))
        cleaned = super().sanitize_file_name(file_name)
        sent = file_name
        self._unsafe_name = sent if cleaned != sent else None
        return cleaned or (NAMELESS if self._unsafe_name else None)

    def handle_file_complete(self, old_field_name, counters):
        super().handle_file_complete(old_field_name, counters)
        files = self._files.getlist(old_field_name)
        if self._unsafe_name is not None and files:
            files[-1].unsafe_name = self._unsafe_name
        self._unsafe_name = None


def shown(name: str) -> str:
    """`name` with each invisible or control character written as its code point ("U+202E"),
    so that the message shows what the name holds rather than doing what it says."""
    return "".join(char if char.isprintable() else f"[U+{ord(char):04X}]" for char in name)


class SafeNameFileField(forms.FileField):
    """A FileField that refuses a file whose name had path parts or control characters
    (NameRecordingParser marks it)."""

    def clean(self, data, initial=None):
        unsafe = getattr(data, "unsafe_name", None)
        if unsafe is not None:
            raise forms.ValidationError(
                f"Filnamnet innehåller sökvägsdelar eller styrtecken (”{shown(unsafe)}”). "
                "Byt namn på filen och välj den igen.",
                code="unsafe_name",
            )
        return super().clean(data, initial)


def body_limit() -> int:
    """The largest multipart body read, in bytes: the largest file the product takes
    (DOCUMENT_MAX_BYTES) and BODY_MARGIN."""
    return settings.DOCUMENT_MAX_BYTES + BODY_MARGIN


def stopped_as_too_large(request) -> bool:
    """Whether BodyLimitHandler stopped reading this request's body as too large. Reading
    request.POST (if nothing has yet) is what runs it; False for anything but a POST."""
    if request.method != "POST":
        return False
    _ = request.POST
    return getattr(request, "upload_too_large", False)


class BodyLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: a multipart body longer than body_limit() is not kept
    past the start of its file. Django would otherwise write every byte (to a temporary
    file) before any form could say it is too large. The fields before the file (the CSRF
    token, the submission key) are read; the request is marked `upload_too_large`, and the
    view says the file is too large (documents.views with a page of its own, the sheet
    import on its field; see stopped_as_too_large). A body whose Content-Length
    is absent or lies is stopped when its file passes the limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = body_limit()
        self.announced_too_large = (content_length or 0) > self.limit
        self.request.upload_too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.announced_too_large:
            self._stop()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self._stop()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _stop(self):
        self.request.upload_too_large = True
        # The rest of the body is read and thrown away, never stored: a connection reset
        # mid-upload reaches the user as the browser's own error page behind gunicorn,
        # not as our "Filen är för stor".
        raise StopUpload(connection_reset=False)
