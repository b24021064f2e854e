"""What a document can be linked from (issue 18): a task, a row of the assessment sheet, a
line of a party's contact log, a lägesrapport. Each kind says where its model is, how it
belongs to a case, what a person calls it and where its page is.

A task is events' own; the apps beside documents register their kinds in their ready()
(assessment.links, reports.links), so that documents never imports them
(tests/test_architecture.py) and nothing here writes to them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.db import models
from django.urls import reverse
from django.utils.text import Truncator

from documents.models import Link
from events.models import Event, Task


def short(text: str) -> str:
    """`text` on one line, cut to 70 characters, for a link's name; "(tom)" when empty."""
    return Truncator(" ".join(text.split())).chars(70) or "(tom)"


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    case: str  # the lookup from the model to its Event
    heading: str  # the choices' group on the document page
    name: Callable[[models.Model], str]
    url: Callable[[models.Model], str]
    # Only these are offered for a new link (a removed row is not); a link made earlier is
    # still listed and can be removed.
    offered: dict
    # What the name and the page need beside the object itself: one join, no query each.
    related: tuple[str, ...] = ()

    def objects(self):
        query = self.model._default_manager.all()
        return query.select_related(*self.related) if self.related else query

    def in_case(self, event: Event):
        return self.objects().filter(**{self.case: event})


KINDS = {
    Link.Target.TASK: Kind(
        model=Task,
        case="event",
        heading="Uppgifter",
        name=lambda task: short(task.what),
        url=lambda task: reverse("task_detail", args=[task.event_id, task.pk]),
        offered={},
    ),
}


def choices(event: Event) -> list[tuple[str, list[tuple[str, str]]]]:
    """The things of `event` a document can be linked from, grouped by kind for a <select>:
    [(heading, [("row:<uuid>", name), …]), …]. One query a kind."""
    grouped = []
    for key, kind in KINDS.items():
        found = kind.in_case(event).filter(**kind.offered)
        options = [(f"{key}:{thing.pk}", kind.name(thing)) for thing in found]
        if options:
            grouped.append((kind.heading, options))
    return grouped


def find(event: Event, value: str):
    """The (kind key, object) that `value` ("row:<uuid>") names in `event`, or None."""
    key, _, pk = value.partition(":")
    if key not in KINDS:
        return None
    try:
        pk = UUID(pk)
    except ValueError:
        return None
    kind = KINDS[key]
    found = kind.in_case(event).filter(pk=pk).first()
    return (key, found) if found is not None else None


def described(links) -> list[dict]:
    """Each of `links` (of one document) with its target's kind, name and page:
    [{"link": Link, "kind": "Uppgift", "name": str, "url": str}], in link order. One query a
    kind that occurs; a target gone from its case is left out."""
    by_kind: dict[str, list[Link]] = {}
    for link in links:
        by_kind.setdefault(link.target, []).append(link)
    found = {}
    for key, some in by_kind.items():
        kind = KINDS[key]
        for thing in kind.objects().filter(pk__in=[link.target_id for link in some]):
            found[key, thing.pk] = thing
    out = []
    for link in links:
        thing = found.get((link.target, link.target_id))
        if thing is not None:
            kind = KINDS[link.target]
            out.append(
                {
                    "link": link,
                    "kind": link.get_target_display(),
                    "name": kind.name(thing),
                    "url": kind.url(thing),
                }
            )
    return out


def register(key: str, kind: Kind) -> None:
    """Let documents be linked from `kind.model`'s objects under `key` (a Link.Target value).
    Called from the owning app's AppConfig.ready()."""
    KINDS[key] = kind


def key_of(thing: models.Model) -> str:
    """The kind key of a task, row, contact or report; KeyError for anything else."""
    return next(key for key, kind in KINDS.items() if isinstance(thing, kind.model))
