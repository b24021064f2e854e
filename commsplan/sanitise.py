"""What a press text's body may contain: paragraphs, lists, bold/italic and links to
http(s) or mailto. Everything else (images, styles, scripts, relative links) is removed, so
nothing a user typed can make a browser or the PDF renderer load anything."""

import re

import nh3
from django.utils.html import linebreaks

CLEANER = nh3.Cleaner(
    tags={"p", "br", "ul", "ol", "li", "b", "strong", "i", "em", "a"},
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="noopener noreferrer",
)
BLOCK = re.compile(r"<(p|ul|ol)[\s>]")


def sanitise(text: str) -> str:
    clean = CLEANER.clean(text or "")
    if clean.strip() and not BLOCK.search(clean):
        # Typed as plain text: a blank line starts a new paragraph. nh3 has already
        # escaped the text, so linebreaks must not escape it again.
        clean = linebreaks(clean.strip(), autoescape=False)
    return clean
