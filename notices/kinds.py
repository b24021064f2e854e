"""The kinds of notice, registered by the apps that own them, and the shape of one message.

Nothing here imports a model: apps register their kinds in `AppConfig.ready()`, before the
models of every app are loaded.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Kind:
    """What a notice is about. `title` starts its subject, before the case number.
    `still_wanted(target) -> bool` is asked just before mailing: a reminder whose task was
    finished, or whose case was closed, is cancelled instead. `always_mail` sends it even to
    a user who turned notice mail off (a lägesrapport addressed to them). Notices of the
    kinds of one `series` about the same target to the same reader replace each other: one
    not yet mailed when a newer one is written is cancelled, not sent (a meeting's
    invitation, moved again before it went out: only the newest version counts)."""

    name: str
    title: str
    still_wanted: Callable[[object], bool] | None = None
    always_mail: bool = False
    series: str = ""


KINDS: dict[str, Kind] = {}


def register(name: str, title: str, *, still_wanted=None, always_mail=False, series="") -> Kind:
    """Register a kind of notice; the app that owns the kind calls this in `ready()`.
    Registering the same name again replaces it (Django may call `ready()` twice in tests)."""
    KINDS[name] = Kind(name, title, still_wanted, always_mail, series)
    return KINDS[name]


def in_series(series: str) -> list[str]:
    """The names of the kinds of `series`."""
    return [kind.name for kind in KINDS.values() if kind.series == series]


def get(name: str) -> Kind:
    """The registered kind; LookupError for a name no app registered."""
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"No app registered the notice kind {name!r}") from None


@dataclass
class Message:
    """One notice to one reader, before it is written to the outbox.

    - `to`: an account, or an e-mail address for someone without one (then no app link is
      mailed: there is nothing they could open);
    - `label`: what the case is called in the subject, its number (KS 2026/0007);
    - `sentence`: one sentence saying what is wanted of the reader, with no user-written
      text in it, since it is all a confidential case's mail may carry besides the link;
    - `path`: the page to open; `target`: the row it is about (content type + id);
    - `occasion`: the moment that makes the natural key: a repeated transition (done,
      reopened, done) is a new notice, a retried send of the same occasion is not;
    - `topic`, `details`: user-written text (a task's "vad", a title), left out of subject
      and body when `confidential`;
    - `due_at`: when it was due (a reminder sent long after says it is late).
    """

    kind: str
    to: object
    label: str
    sentence: str
    path: str
    target: object = None
    occasion: datetime | None = None
    topic: str = ""
    details: str = ""
    confidential: bool = False
    due_at: datetime | None = None
    ics: str = ""
    attachment: tuple[str, bytes] | None = None
    reply_to: str = ""
