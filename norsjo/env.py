"""Strict parsing of environment variables for settings.py.

A malformed value stops start-up with a message that names the variable: a typo in
production must never silently fall back to a default (healthchecks' envbool/envint habit).
"""

import os
from pathlib import Path

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
