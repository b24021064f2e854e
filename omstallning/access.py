"""Who may see and change an omställningsprogram: the one place that decides, beside
events/access.py and with the same rule.

Members read and write, läsbehöriga read; anyone else gets 404 for every URL of the
programme (never learn that it exists), a reader who tries to write gets 403, a superuser
sees everything. Being a member of a linked event gives nothing here, and being a member
of the programme gives nothing on the events: a confidential linked event is shown to a
programme member who is not a member of that event by its case number only, never its
title or company (`linked_events`).
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404

from events.models import Event, Membership
from omstallning.models import (
    FocusArea,
    Measurement,
    Programme,
    ProgrammeEvent,
    ProgrammeMembership,
    Target,
)


def programmes_for_user(user):
    """The programmes `user` may open (all for a superuser)."""
    programmes = Programme.objects.all()
    if user.is_superuser:
        return programmes
    return programmes.filter(
        Exists(ProgrammeMembership.objects.filter(programme=OuterRef("pk"), user=user))
    )


def get_programme_for_user(request, pk, *, write=False) -> Programme:
    """Return the programme if request.user may open it (`write=True`: change it), else
    raise Http404 (no access, or no such programme) or PermissionDenied (a läsbehörig who
    writes). The programme carries `.can_write` for the templates."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    try:
        # One query: the programme and the user's group on it.
        programme = (
            Programme.objects.annotate(
                member_group=Subquery(
                    ProgrammeMembership.objects.filter(programme=OuterRef("pk"), user=user).values(
                        "group"
                    )[:1]
                )
            )
            .filter(pk=pk)
            .get()
        )
    except (Programme.DoesNotExist, ValidationError):
        raise Http404 from None
    if not user.is_superuser and programme.member_group is None:
        raise Http404
    programme.can_write = user.is_superuser or (
        programme.member_group == ProgrammeMembership.Group.MEDLEM
    )
    shown([programme], user)
    if write and not programme.can_write:
        raise PermissionDenied
    return programme


def get_focus_area_for_user(request, programme_id, focus_area_id, *, write=False) -> FocusArea:
    """The insatsområde of a programme request.user may open (as get_programme_for_user)."""
    programme = get_programme_for_user(request, programme_id, write=write)
    try:
        area = FocusArea.objects.get(pk=focus_area_id, programme=programme)
    except (FocusArea.DoesNotExist, ValidationError):
        raise Http404 from None
    area.programme = programme
    return area


def get_target_for_user(request, programme_id, target_id, *, write=False) -> Target:
    """The target of a programme request.user may open (as get_programme_for_user); it
    carries `.focus_area.programme` with `.can_write`."""
    programme = get_programme_for_user(request, programme_id, write=write)
    try:
        target = Target.objects.select_related("focus_area", "measured_by").get(
            pk=target_id, focus_area__programme=programme
        )
    except (Target.DoesNotExist, ValidationError):
        raise Http404 from None
    target.focus_area.programme = programme
    return target


def get_measurement_for_user(
    request, programme_id, target_id, measurement_id, *, write=False
) -> Measurement:
    """A measurement of a target of a programme request.user may open (as
    get_programme_for_user); it carries `.target.focus_area.programme` with `.can_write`."""
    target = get_target_for_user(request, programme_id, target_id, write=write)
    try:
        measurement = Measurement.objects.select_related(
            "entered_by", "corrected_by", "voided_by"
        ).get(pk=measurement_id, target=target)
    except (Measurement.DoesNotExist, ValidationError):
        raise Http404 from None
    measurement.target = target
    return measurement


@dataclass(frozen=True)
class LinkedEvent:
    """A linked event as `user` may see it: `title` and `company` are None when the event is
    confidential and the user is not one of its members."""

    event_id: object
    case_number: str
    title: str | None
    company: str | None
    confidential: bool
    is_member: bool

    @property
    def name(self) -> str:
        if self.title is None:
            return f"{self.case_number} (sekretess)"
        return f"{self.case_number} {self.title}"


def linked_events(programme: Programme, user) -> list[LinkedEvent]:
    """The programme's events, each as `user` may see it; one query."""
    links = (
        ProgrammeEvent.objects.filter(programme=programme)
        .annotate(
            is_member=Exists(Membership.objects.filter(event=OuterRef("event_id"), user=user.pk))
        )
        .select_related("event")
        .only(
            "event__id",
            "event__case_number",
            "event__title",
            "event__company_name",
            "event__confidential",
        )
        .order_by("event__case_number")
    )
    out = []
    for link in links:
        event = link.event
        shown = not event.confidential or link.is_member or user.is_superuser
        out.append(
            LinkedEvent(
                event_id=event.pk,
                case_number=event.case_number,
                title=event.title if shown else None,
                company=event.company_name if shown else None,
                confidential=event.confidential,
                is_member=link.is_member or user.is_superuser,
            )
        )
    return out


def may_start_from(user, event: Event) -> bool:
    """A programme is started from an event by its startgrupp (issue 15, item 1), or a
    superuser; `event` comes from events.access.get_event_for_user."""
    return user.is_superuser or event.member_group == Membership.Group.STARTGRUPP


# A company named without its legal form ("Granlunds Snickeri" for "Granlunds Snickeri AB").
_LEGAL_FORM = re.compile(r"\s+(?:AB|HB|KB|aktiebolag|handelsbolag|kommanditbolag)\.?$", re.I)


def hidden_names(programme_ids, user) -> dict:
    """{programme id: [(name, case number), …]}: the title and company of every linked
    event that is confidential NOW and of which `user` is not a member, longest first. A
    programme's title and plan were typed or prefilled while the event may still have been
    open; what they show is masked by the event's current confidentiality. One query."""
    names = defaultdict(list)
    if user.is_superuser:
        return names
    links = (
        ProgrammeEvent.objects.filter(programme_id__in=programme_ids, event__confidential=True)
        .exclude(Exists(Membership.objects.filter(event=OuterRef("event_id"), user=user.pk)))
        .values_list("programme_id", "event__case_number", "event__title", "event__company_name")
    )
    for programme_id, number, title, company in links:
        names[programme_id].extend(_names(number, title, company))
    return _longest_first(names)


def hidden_names_of_readers(programme_ids, readers) -> dict:
    """{reader pk: hidden_names(programme_ids, reader)} for many readers at once (a scan's
    reminders to every measurer), in two queries whatever their number."""
    links = list(
        ProgrammeEvent.objects.filter(
            programme_id__in=programme_ids, event__confidential=True
        ).values_list(
            "programme_id",
            "event_id",
            "event__case_number",
            "event__title",
            "event__company_name",
        )
    )
    readers = {reader.pk: reader for reader in readers}
    members = set(
        Membership.objects.filter(
            event_id__in={link[1] for link in links}, user_id__in=readers
        ).values_list("event_id", "user_id")
    )
    out = {}
    for pk, reader in readers.items():
        names = defaultdict(list)
        for programme_id, event_id, number, title, company in links:
            if not reader.is_superuser and (event_id, pk) not in members:
                names[programme_id].extend(_names(number, title, company))
        out[pk] = _longest_first(names)
    return out


def _names(number: str, title: str, company: str) -> list[tuple[str, str]]:
    """The names a confidential event goes by, each with its case number: its title, its
    company, and the company without its legal form."""
    return [
        (name.strip(), number)
        for name in (title, company, _LEGAL_FORM.sub("", company))
        if name.strip()
    ]


def _longest_first(names: dict) -> dict:
    # "Hemliga Sågen AB" is replaced before "Hemliga Sågen" would leave a stray "AB".
    for found in names.values():
        found.sort(key=lambda pair: -len(pair[0]))
    return names


# What may stand between two words of a name as it is typed or pasted: any run of
# whitespace (a no-break, thin or narrow space among them), hyphens and every dash
# (U+2010 to U+2015, the minus), and the soft hyphen a word processor leaves behind.
_BETWEEN = "[\\s\\-\u00ad\u2010-\u2015\u2212]+"
_WORDS = re.compile(_BETWEEN)


def _pattern(name: str) -> str:
    words = [re.escape(word) for word in _WORDS.split(unicodedata.normalize("NFC", name)) if word]
    return _BETWEEN.join(words)


def mask(text: str, names) -> str:
    """`text` with each of `names` (hidden_names' pairs) replaced by its case number,
    whatever its case, its Unicode normal form (NFC or NFD) and whatever runs of spaces,
    no-break spaces, hyphens or dashes stand between its words ("Hemliga  Sågen",
    "hemliga\u00a0sågen", "Hemliga-Sågen" are all "Hemliga Sågen"). The text comes back in
    NFC, as it is stored (accounts.text)."""
    text = unicodedata.normalize("NFC", text)
    for name, number in names:
        pattern = _pattern(name)
        if pattern:
            text = re.sub(pattern, lambda _, number=number: number, text, flags=re.IGNORECASE)
    return text


def unmasked(posted: dict, stored: dict, hidden) -> dict:
    """`posted` (a form's cleaned data) with each text that reads exactly as the masked form
    of what is stored (`stored`: {field name: stored text}) put back to the stored text. A
    member outside a confidential linked event edits a form filled with masked text
    (`mask`); a field they left as it was is unchanged, and must neither overwrite
    everyone's text with the case number nor be logged as a change."""
    kept = {
        name: text
        for name, text in stored.items()
        if name in posted and text != posted[name] and posted[name] == mask(text, hidden)
    }
    return {**posted, **kept}


def shown(programmes, user):
    """`programmes`, each carrying `.hidden` (its hidden_names for `user`) and
    `.shown_title`, the title as `user` may read it; the title itself is left as stored."""
    programmes = list(programmes)
    names = hidden_names([p.pk for p in programmes], user)
    for programme in programmes:
        programme.hidden = names.get(programme.pk, [])
        programme.shown_title = mask(programme.title, programme.hidden)
    return programmes
