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
"""

import html

from django import forms
from django.http.multipartparser import MultiPartParser

# Stands in for a name that was nothing but path parts and control characters: the file
# must reach the form to be refused there, not vanish as if none had been chosen.
NAMELESS = "namnlos"


class NameRecordingParser(MultiPartParser):
    """Django's parser; a file whose name its cleaning changed also carries `unsafe_name`,
    the name as sent (after HTML entities, which Django decodes first, are decoded)."""

    _unsafe_name = None

    def sanitize_file_name(self, file_name):
        cleaned = super().sanitize_file_name(file_name)
        sent = html.unescape(file_name)
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
