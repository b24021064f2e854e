"""Notices about a case, for every app built on events: one place decides what a mail about
a case may say. A confidential case is named by its number only; its title, company and
every other user-written text stay out of subject and body (handlingsplanen: the
municipality's information must not precede the company's own)."""

import notices
from events.models import Event


def message(event: Event, kind: str, *, to, sentence: str, path: str, **content):
    """A notices.Message about `event`: labelled with its case number, the title added to
    the details unless the case is confidential. `content`: target, occasion, topic,
    details, due_at, ics, attachment, reply_to (see notices.Message)."""
    details = content.pop("details", "")
    if not event.confidential:
        details = f"Ärende: {event.case_number} {event.title}" + (
            f"\n\n{details}" if details else ""
        )
    return notices.Message(
        kind=kind,
        to=to,
        label=event.case_number,
        sentence=sentence,
        path=path,
        details=details,
        confidential=event.confidential,
        **content,
    )


def tell(event: Event, kind: str, to, sentence: str, *, path: str, by, **content) -> int:
    """Post one notice about `event` to each of `to` (accounts or addresses; None and ""
    are skipped), never to `by`, in the caller's transaction. `content` as for message
    (target, occasion: the transition's moment, so a repeated one tells again). Returns
    how many were new."""
    return notices.post(
        [message(event, kind, to=x, sentence=sentence, path=path, **content) for x in to if x],
        by=by,
    )
