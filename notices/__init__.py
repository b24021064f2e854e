"""Who must be told what, exactly once: notices in the app and by e-mail, their outbox,
and the reader's list. Depends on `accounts` only; the apps that own a kind of notice
register it (`notices.register` in their `ready()`) and post it (`notices.post`)."""

from notices.kinds import Message, register

__all__ = ["Message", "post", "register"]


def post(messages, *, by=None) -> int:
    """Write `messages` (notices.Message) to the outbox in the caller's transaction, except
    those to `by` (nobody is told of what they did themselves), and hand the new ones to a
    sender once the transaction commits. Returns how many were new: a message whose natural
    key is already there (same kind, target, reader and occasion) is not written again."""
    # Imported here: apps import this package before the models are ready.
    from notices.posting import post as write

    return write(messages, by=by)
