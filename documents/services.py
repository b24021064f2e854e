"""Registering documents on a case, their versions, secrecy markings and voiding. Each
function takes the acting user as `by` and writes the händelselogg in the same transaction.

The log names a document by its number and its public description (ärendemening), never its
title: the log is read by everyone on the case, the title may hold what a marking protects.
"""

import hashlib
import uuid
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from documents.models import Document, Link, RegisterCounter, SecrecyMarking, Version
from events.models import Event, LogEntry
from events.services import Refused, add_log_entry


def _next_serial(event: Event) -> int:
    """The next number in the case's register, one above the last handed out.

    Must run inside a transaction: the UPDATE locks the counter row until commit (on
    SQLite the transaction's write lock), so a second upload at the same moment waits and
    gets the next number; the unique (event, serial) is the backstop."""
    RegisterCounter.objects.get_or_create(event=event)
    RegisterCounter.objects.filter(event=event).update(last=F("last") + 1)
    return RegisterCounter.objects.get(event=event).last


def _write(document: Document, number: int, name: str, key: str, data: bytes, *, by):
    """The Version of `document` for `data`, its file already in storage (not yet saved).

    Written before the transaction that registers it, so that the register's counter is
    never locked while a file travels to a bucket; the caller removes it again if that
    transaction fails (_kept_only_if_saved). Stored under a name of ours: the uploader's
    name only labels the download."""
    version = Version(
        document=document,
        number=number,
        original_name=name,
        kind=key,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )
    version.file.save(
        f"{document.event_id}/{document.pk}/{uuid.uuid4()}", ContentFile(data), save=False
    )
    return version


@contextmanager
def _kept_only_if_saved(version: Version):
    """Remove `version`'s file from storage if the block fails: a file whose rows were
    rolled back would be an orphan nobody can reach nor account for. The block must be
    the outermost transaction (the views call these services outside any other), or a
    later rollback of an outer one would leave the file behind."""
    try:
        yield
    except BaseException:
        version.file.storage.delete(version.file.name)
        raise


def register(event: Event, data: dict, *, file: tuple[str, str, bytes], by) -> Document:
    """Register an uploaded document on `event` and store its first version.

    `data`: title, public_description, document_date, direction, counterpart,
    omit_counterpart, omit_description (as the form cleaned them). `file`: (cleaned name,
    key of filetypes.KINDS, content), as documents.forms.UploadField checked it. Returns
    the Document with its number. Raises what the database raises; the file is then gone
    from storage again."""
    document = Document(event=event, registered_by=by, **data)
    version = _write(document, 1, *file, by=by)
    with _kept_only_if_saved(version), transaction.atomic():
        document.serial = _next_serial(event)
        document.registered_at = timezone.now()
        document.save(force_insert=True)
        version.document = document
        version.save(force_insert=True)
        add_log_entry(
            event,
            by=by,
            kind=LogEntry.Kind.NOTE,
            text=f"Handling {document.number} registrerad: {document.public_entry}.",
        )
    return document


def _create(event: Event, data: dict, *, by) -> Document:
    return Document.objects.create(
        event=event, serial=_next_serial(event), registered_by=by, **data
    )


def register_finalised(event: Event, *, title: str, description: str, path: str, by) -> Document:
    """Register a record the product itself finalised in the case (a sent lägesrapport, a
    published press text, the startgrupp's decisions, a snapshot of the sheet), kept where
    `path` leads. Upprättad by `by`, dated today. Called in the transaction that finalised
    it, through events.signals.finalised (documents.apps); that service has logged it."""
    return _create(
        event,
        {
            "title": title,
            "public_description": description,
            "document_date": timezone.localdate(),
            "direction": Document.Direction.UPPRATTAD,
            "counterpart": by.get_full_name() or by.get_username(),
            "source_path": path,
        },
        by=by,
    )


def add_version(document: Document, file: tuple[str, str, bytes], *, by) -> Version:
    """A new file for `document`; the earlier versions are kept. Not on a voided one, nor
    on one the product finalised (Refused); the file is then gone from storage again."""
    version = _write(document, 0, *file, by=by)
    with _kept_only_if_saved(version), transaction.atomic():
        document = Document.objects.select_for_update().select_related("event").get(pk=document.pk)
        if document.is_voided:
            raise Refused("Handlingen är registrerad av misstag: den får inga nya versioner.")
        if document.source_path:
            raise Refused("Handlingen finns i ärendet och ändras där, inte här.")
        last = document.versions.order_by("-number").values_list("number", flat=True).first()
        version.number = (last or 0) + 1
        version.uploaded_at = timezone.now()
        version.save(force_insert=True)
        add_log_entry(
            document.event,
            by=by,
            kind=LogEntry.Kind.EDIT,
            text=f"Ny version ({version.number}) av handling {document.number}.",
        )
    return version


def mark_secret(document: Document, *, provision: str, note: str, by) -> SecrecyMarking:
    """Note that `document` may hold secret information under `provision` (OSL 5 kap. 5 §),
    also a voided one: it is still kept and may still be asked for. Refused if the document
    is already marked under the same provision (letter case aside)."""
    already = Refused(f"Handlingen är redan sekretessmarkerad enligt {provision}.")
    if document.secrecy_markings.filter(provision__iexact=provision).exists():
        raise already
    try:
        with transaction.atomic():
            marking = SecrecyMarking.objects.create(
                document=document, provision=provision, note=note, marked_by=by
            )
            add_log_entry(
                document.event,
                by=by,
                kind=LogEntry.Kind.NOTE,
                text=f"Handling {document.number} sekretessmarkerad enligt {provision}.",
            )
    except IntegrityError:
        # The same marking saved by someone else at the same moment.
        raise already from None
    return marking


def void(document: Document, *, reason: str, by) -> None:
    """Mark `document` registered in error, with `reason`. It keeps its number and its
    files: a public record is never deleted (arkivlagen)."""
    with transaction.atomic():
        voided = Document.objects.filter(pk=document.pk, voided_at__isnull=True).update(
            voided_at=timezone.now(), voided_by=by, void_reason=reason
        )
        if not voided:
            raise Refused("Handlingen är redan markerad som registrerad av misstag.")
        add_log_entry(
            document.event,
            by=by,
            kind=LogEntry.Kind.NOTE,
            text=f"Handling {document.number} registrerad av misstag: {reason}",
        )


def link(document: Document, target: str, thing, *, by) -> Link:
    """Refer to `document` from `thing`, a task, row, contact or report of the same case
    (`target`: its key in documents.targets.KINDS, which found it in the case). Linking
    twice changes nothing."""
    with transaction.atomic():
        made_link, made = Link.objects.get_or_create(
            document=document, target=target, target_id=thing.pk, defaults={"linked_by": by}
        )
        if made:
            add_log_entry(
                document.event,
                by=by,
                kind=LogEntry.Kind.NOTE,
                text=f"Handling {document.number} kopplad till {_named(made_link, thing)}.",
            )
    return made_link


def unlink(made_link: Link, thing, *, by) -> None:
    """Remove a link; the document and its registration stay. `thing` is what it linked
    from (None if that is gone), for the log."""
    document = made_link.document
    with transaction.atomic():
        removed, _ = Link.objects.filter(pk=made_link.pk).delete()
        if removed:
            add_log_entry(
                document.event,
                by=by,
                kind=LogEntry.Kind.NOTE,
                text=f"Handling {document.number} inte längre kopplad till "
                f"{_named(made_link, thing)}.",
            )


def _named(made_link: Link, thing) -> str:
    # A task is named by what it is, as the log names tasks elsewhere; a row or a contact
    # by its kind only: its text is free prose, often long, that the log need not repeat.
    kind = made_link.get_target_display().lower()
    if made_link.target == Link.Target.TASK and thing is not None:
        return f"uppgiften ”{thing.what}”"
    return kind
