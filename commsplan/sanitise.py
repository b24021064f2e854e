"""What the kommunikatör types and what it becomes: Markdown in, sanitised HTML out.

Nobody types HTML (issue 13): a press text's body and the KSO's talking points are stored as
Markdown as typed, and rendered here whenever they are shown, on screen and in the PDF. A
blank line starts a paragraph and a line break stays one, whatever else the text holds (a
list between two paragraphs keeps both). Only paragraphs, line breaks, lists, bold, italic
and links are made; HTML typed into the text is shown as the characters typed, never
interpreted.

The HTML then goes through nh3 as well: links only to http(s) or mailto, nothing that could
make a browser or the PDF renderer load anything. Markdown-it already makes nothing else;
the cleaner is the second wall, not the only one.
"""

import nh3
from markdown_it import MarkdownIt

CLEANER = nh3.Cleaner(
    tags={"p", "br", "ul", "ol", "li", "b", "strong", "i", "em", "a"},
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="noopener noreferrer",
)

# CommonMark with raw HTML off, and a single line break kept as one (as people expect from a
# text field). Off as well: what would make tags the cleaner removes, leaving their words
# outside any paragraph — headings ("# "), indented code (a paragraph indented by four
# spaces), blockquotes, rules, code spans, images.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    [
        "heading",
        "lheading",
        "code",
        "fence",
        "blockquote",
        "hr",
        "html_block",
        "html_inline",
        "backticks",
        "image",
        "reference",
    ]
)

HELP = (
    "En tom rad ger ett nytt stycke. Punktlista: börja raderna med ”- ”; numrerad lista: "
    "”1. ”. **Fet**, *kursiv* och länkar som [norsjo.se](https://norsjo.se) går att använda."
)


def render(text: str) -> str:
    """`text` (Markdown) as sanitised HTML; "" for a text with nothing in it."""
    if not (text or "").strip():
        return ""
    return CLEANER.clean(_MARKDOWN.render(text))
