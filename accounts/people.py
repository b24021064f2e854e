"""Colleagues by name or e-mail address, and names in Swedish alphabetical order.

Matching happens in Python, not in the database: neither SQLite nor PostgreSQL applies
Unicode NFKC normalisation in a query. A municipality's accounts are a few hundred rows,
read once per search. Ordering happens in Python (swedish_key, person_key) or in SQL
through the collation "swedish" (accounts.text.swedish, people_order), which orders as
swedish_key does: a database's default collation puts Ä before Å, or Å before Z.

Matching ignores diacritics (people type "oberg" for Öberg on any keyboard); ordering does
not (Å, Ä and Ö are letters of their own, after Z).
"""

import re
import unicodedata
from functools import lru_cache

from accounts.models import User
from accounts.text import SWEDISH, swedish

# In Swedish, å, ä and ö are letters of their own after z (æ and ø sort as ä and ö, ü as y).
# The stand-ins are the three characters after "z" in ASCII, so they sort right after it.
_SWEDISH_LETTERS = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"})
# Letters with no decomposition into a base letter and a mark, matched as their base.
_BASE_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d"})
_EMAIL = re.compile(r"[^\s<>()\[\],;]+@[^\s<>()\[\],;]+")
_PUNCTUATION = "<>()[],;\"'"
# Between people in a list ("lena@…; per@…", one per line): always more than one person.
_LIST = re.compile(r"[;\n\r]")
# Between people too, unless the whole text names someone ("Öberg, Lena").
_COMMA = re.compile(",")


class SeveralNamed(ValueError):
    """The text names more than one person, where a task goes to one."""


def fold(text: str) -> str:
    """`text` as compared: NFKC normalised (full-width letters are the plain ones), case
    folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def match_key(text: str) -> str:
    """`text` as matched: folded, and without diacritics, so that "oberg" finds Öberg and
    "Öberg" finds Oberg. Not for sorting: swedish_key keeps å, ä and ö apart."""
    decomposed = unicodedata.normalize("NFD", fold(text).translate(_BASE_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


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


# A SQLite collation compares two rows at a time: a list of n names asks for a name's key
# about 2·log2(n) times.
_cached_swedish_key = lru_cache(maxsize=4096)(swedish_key)


def swedish_compare(a: str, b: str) -> int:
    """-1, 0 or 1 as `a` sorts before, with or after `b` in Swedish (swedish_key; then the
    text itself, so that no two different texts compare equal): the SQLite collation
    "swedish"."""
    left, right = (_cached_swedish_key(a), a), (_cached_swedish_key(b), b)
    return (left > right) - (left < right)


def register_swedish_collation(sender, connection, **kwargs):
    """On each new SQLite connection (signal connection_created), the collation that
    accounts.text.swedish names. PostgreSQL has it from migration accounts 0004."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SWEDISH, swedish_compare)


def people_order(path: str = "") -> list:
    """order_by() arguments that put people (`path`: the lookup path to a user, such as
    "user__", or "" for users themselves) in the order person_key does, in SQL."""
    return [swedish(f"{path}first_name"), swedish(f"{path}last_name"), f"{path}username"]


def person_key(user: User) -> tuple[str, str, str]:
    """Sort key for people as the product shows them, first name then last name."""
    return (swedish_key(user.first_name), swedish_key(user.last_name), user.username)


def person_label(user: User) -> str:
    """Name and address, as typed back into a person field: the address makes it unique."""
    return f"{user} ({user.email})" if user.email else str(user)


def active_people():
    """The colleagues every person picker offers (a task's Vem, the startgrupp, the
    arbetsgrupp, its lead and reporter): active accounts with a name. A system account
    without one, such as a bare `admin`, is nobody to convene or hand work to."""
    return User.objects.filter(is_active=True).exclude(first_name="", last_name="")


def _haystack(user: User) -> str:
    return f"{user.first_name} {user.last_name} {user.email}"


def _words(text: str) -> list[str]:
    return [word for word in (word.strip(_PUNCTUATION) for word in text.split()) if word]


def search(people, text: str) -> list[User]:
    """Those of `people` whose name or address contains every word of `text`, diacritics
    ignored (match_key: "oberg" finds Öberg). Those whose name or address has the words as
    typed, diacritics and all (fold), come first, then the rest, each group in the order of
    `people`: "Å" lists Åsa and Åke before the many with an "a", within the first ten a
    picker shows."""
    loose = _words(match_key(text))
    if not loose:
        return []
    typed = _words(fold(text))
    first, rest = [], []
    for user in people:
        haystack = _haystack(user)
        if all(word in match_key(haystack) for word in loose):
            exact = all(word in fold(haystack) for word in typed)
            (first if exact else rest).append(user)
    return first + rest


def resolve(people, text: str) -> list[User]:
    """Whom `text` names among `people`: one account, none, or several (ambiguous).
    Raises SeveralNamed when the text is a list of people: two addresses, or names
    separated by ";", a new line, or a comma (unless the whole text names someone, as
    "Öberg, Lena" does).

    An e-mail address in the text names the accounts with that address, compared after
    NFKC normalisation and case folding. Otherwise a full name names those who have it
    (exactly, else diacritics ignored), and failing that, the text names everyone `search`
    finds.
    """
    normalised = unicodedata.normalize("NFKC", text)
    addresses = {normalise_email(found) for found in _EMAIL.findall(normalised)}
    if len(addresses) > 1 or len(_pieces(_LIST, normalised)) > 1:
        raise SeveralNamed(text)
    if addresses:
        (wanted,) = addresses
        return [user for user in people if user.email and normalise_email(user.email) == wanted]
    wanted = fold(text)
    if not wanted:
        return []
    found = [user for user in people if fold(f"{user.first_name} {user.last_name}") == wanted]
    if not found:
        loose = match_key(text)
        found = [
            user for user in people if match_key(f"{user.first_name} {user.last_name}") == loose
        ]
    found = found or search(people, text)
    if not found and len(_pieces(_COMMA, normalised)) > 1:
        raise SeveralNamed(text)
    return found


def _pieces(separator: re.Pattern, text: str) -> list[str]:
    """The non-empty parts of `text` between `separator`s."""
    return [part for part in separator.split(text) if part.strip()]
