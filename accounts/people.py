"""Colleagues by name or e-mail address, and names in Swedish alphabetical order.

Matching and ordering happen in Python, not in the database: neither SQLite nor PostgreSQL
applies Unicode NFKC normalisation in a query, and a database's collation may put Å before
Z. A municipality's accounts are a few hundred rows, read once per search.
"""

import re
import unicodedata

from accounts.models import User

# In Swedish, å, ä and ö are letters of their own after z (æ and ø sort as ä and ö, ü as y).
# The stand-ins are the three characters after "z" in ASCII, so they sort right after it.
_SWEDISH_LETTERS = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"})
_EMAIL = re.compile(r"[^\s<>()\[\],;]+@[^\s<>()\[\],;]+")
_PUNCTUATION = "<>()[],;\"'"


def fold(text: str) -> str:
    """`text` as compared: NFKC normalised (full-width letters are the plain ones), case
    folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalise_email(address: str) -> str:
    """An address as compared with another: NFKC normalised, case folded, trimmed."""
    return unicodedata.normalize("NFKC", address).casefold().strip()


def swedish_key(text: str) -> str:
    """A sort key that puts `text` in Swedish alphabetical order whatever the locale:
    case-insensitive, å ä ö after z, other accents (é, à) with their base letter."""
    folded = fold(text).translate(_SWEDISH_LETTERS)
    return "".join(
        char for char in unicodedata.normalize("NFD", folded) if not unicodedata.combining(char)
    )


def person_key(user: User) -> tuple[str, str, str]:
    """Sort key for people as the product shows them, first name then last name."""
    return (swedish_key(user.first_name), swedish_key(user.last_name), user.username)


def person_label(user: User) -> str:
    """Name and address, as typed back into a person field: the address makes it unique."""
    return f"{user} ({user.email})" if user.email else str(user)


def active_people():
    """Accounts a task can go to: active, and with a name (not a bare `admin`)."""
    return User.objects.filter(is_active=True).exclude(first_name="", last_name="")


def _haystack(user: User) -> str:
    return fold(f"{user.first_name} {user.last_name} {user.email}")


def search(people, text: str) -> list[User]:
    """Those of `people` whose name or address contains every word of `text`, in the
    order of `people`."""
    words = [word.strip(_PUNCTUATION) for word in fold(text).split()]
    words = [word for word in words if word]
    if not words:
        return []
    found = []
    for user in people:
        haystack = _haystack(user)
        if all(word in haystack for word in words):
            found.append(user)
    return found


def resolve(people, text: str) -> list[User]:
    """Whom `text` names among `people`: one account, none, or several (ambiguous).

    An e-mail address in the text names the accounts with that address, compared after
    NFKC normalisation and case folding. Otherwise a full name names those who have it, and
    failing that, the text names everyone `search` finds.
    """
    if address := _EMAIL.search(unicodedata.normalize("NFKC", text)):
        wanted = normalise_email(address.group())
        return [user for user in people if user.email and normalise_email(user.email) == wanted]
    wanted = fold(text)
    if not wanted:
        return []
    exact = [user for user in people if fold(f"{user.first_name} {user.last_name}") == wanted]
    return exact or search(people, text)
