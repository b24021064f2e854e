from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError


def validate_static_svg(name: str):
    """The letterhead logo: an SVG among our own static files (the PDF renderer may load
    nothing else)."""
    if not name.endswith(".svg") or ".." in name.split("/") or name.startswith("/"):
        raise ValidationError("Ange en SVG-fil bland de statiska filerna, t.ex. img/logo.svg.")
    if not finders.find(name):
        raise ValidationError(f"Filen {name} finns inte bland de statiska filerna.")
