"""Strict parsing of environment variables for settings.py.

A malformed value stops start-up with a message that names the variable: a typo in
production must never silently fall back to a default (healthchecks' envbool/envint habit).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _raw(name: str, default: str | None) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip()


def envbool(name: str, default: bool) -> bool:
    value = _raw(name, None)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r}: expected one of true/false, yes/no, 1/0, on/off"
    )


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name, None)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: must be at least {minimum}")
    return number


def envfloat(name: str, default: float, *, minimum: float = 0.0) -> float:
    value = _raw(name, None)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a number") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: must be at least {minimum}")
    return number


def envstr(name: str, default: str) -> str:
    value = _raw(name, None)
    return default if value is None else value


def envlist(name: str, default: list[str]) -> list[str]:
    value = _raw(name, None)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envsecret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the file named by NAME_FILE (Docker/systemd credentials style)."""
    path = _raw(f"{name}_FILE", None)
    if path is not None:
        if _raw(name, None) is not None:
            raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both")
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as e:
            raise ImproperlyConfigured(
                f"{name}_FILE={path!r}: cannot read ({e.strerror})"
            ) from None
    return _raw(name, default)


def envurl(name: str, default: str, *, https: bool) -> str:
    """An absolute http(s) URL, kept exactly as written (an OpenID issuer is compared
    character for character); `https` refuses plain http."""
    value = _raw(name, None)
    if value is None:
        return default
    parts = urlsplit(value)
    schemes = {"https"} if https else {"http", "https"}
    if parts.scheme not in schemes or not parts.netloc:
        expected = "https://…" if https else "http(s)://…"
        raise ImproperlyConfigured(f"{name}={value!r}: expected an absolute {expected} address")
    return value


def envpairs(name: str) -> dict[str, str]:
    """Comma-separated `key=value` pairs, in the order written (a later pair never
    overrides an earlier one: a repeated key is an error)."""
    pairs: dict[str, str] = {}
    for item in envlist(name, []):
        key, equals, value = (part.strip() for part in item.partition("="))
        if not equals or not key or not value:
            raise ImproperlyConfigured(f"{name}: {item!r} is not of the form key=value")
        if key in pairs:
            raise ImproperlyConfigured(f"{name}: {key!r} is given twice")
        pairs[key] = value
    return pairs
