"""The programme's pictures (issue 15, item 4), drawn on the server as SVG with matplotlib:
each target's measurements against its path and styrgräns, and the programme's status
distribution. The same SVG is served to the page (as an <img> from its own URL, behind the
programme's access check) and is what a PDF will embed.

The site's CSP allows no inline style, so the SVG carries presentation attributes only:
matplotlib writes `style="…"` and a <style> sheet, which `presentation_only` rewrites
(SVG 1.1, 6.4: every styling property may be given as a presentation attribute). Text stays
text (svg.fonttype "none"): smaller, searchable, read by a screen reader that opens it.
"""

import io
import re
import xml.etree.ElementTree as ET
from datetime import date

import matplotlib
from defusedxml.ElementTree import fromstring
from matplotlib import dates as mdates
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from omstallning import numbers
from omstallning.access import mask
from omstallning.models import DAYS, Colour, Target
from omstallning.status import EJ_MATT, LABELS, path_value

SVG = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

# Colours with a contrast of at least 3:1 to white (WCAG 1.4.11) and told apart by their
# labels too, never by colour alone.
FILL = {Colour.GRON: "#2e7d32", Colour.GUL: "#b8860b", Colour.ROD: "#c62828", EJ_MATT: "#616161"}
LINE = "#1f4e79"
PATH = "#555555"
FONT = "DejaVu Sans, Noto Sans, sans-serif"
# Axis numbers in Swedish, as on the page ("1 200,5").
SWEDISH = FuncFormatter(lambda value, _: numbers.text(value))
# Text is never read as mathtext: a unit such as "$ per $" or "$\foo$" is the user's words,
# and a failed parse would be a 500 on every view of the chart.
RC = {"svg.fonttype": "none", "svg.hashsalt": "norsjo", "font.size": 10, "text.parse_math": False}


def _svg(figure: Figure) -> bytes:
    out = io.BytesIO()
    FigureCanvasSVG(figure).print_svg(out, metadata={"Date": None, "Creator": None})
    return presentation_only(out.getvalue())


_FONT = re.compile(
    r"(?:(?P<style>italic|oblique)\s+)?(?:(?P<weight>bold|\d00)\s+)?(?P<size>[\d.]+px)\s+(?P<family>.+)"
)


def presentation_only(svg: bytes) -> bytes:
    """`svg` with every `style` attribute turned into presentation attributes and every
    <style> element removed (matplotlib's `*{stroke-linejoin: round; stroke-linecap: butt}`
    is given to the root instead, from where it is inherited)."""
    root = fromstring(svg)
    for parent in root.iter():
        for child in list(parent):
            if child.tag == f"{{{SVG}}}style":
                parent.remove(child)
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if not style:
            continue
        for declaration in style.split(";"):
            if ":" not in declaration:
                continue
            name, value = (part.strip() for part in declaration.split(":", 1))
            if name == "font":
                match = _FONT.match(value)
                if match:
                    element.set("font-size", match["size"])
                    element.set("font-family", FONT)
                    if match["weight"]:
                        element.set("font-weight", match["weight"])
                    if match["style"]:
                        element.set("font-style", match["style"])
                continue
            element.set(name, value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    figure.set_facecolor("white")
    return figure


def target_chart(target: Target, measurements: list, today: date, hidden=()) -> bytes:
    """The target's measurements (value over date) against its path, from (baseline date,
    baseline value) to (target date, target value), and its styrgräns; SVG bytes. Its only
    text of the user's, the unit on the y axis, is masked by `hidden` (the programme's
    hidden_names for the reader, omstallning.access.mask). Only
    DAYS is drawn (the path cut at its edges, measurements outside left to the table): data
    stored before the forms kept dates within it must not break the page."""
    first, last = max(target.baseline_on, DAYS[0]), min(target.target_on, DAYS[1])
    measurements = [m for m in measurements if DAYS[0] <= m.measured_on <= DAYS[1]]
    with matplotlib.rc_context(RC):
        figure = _figure(7, 3.6)
        axes = figure.add_subplot()
        if first < last:
            axes.plot(
                [first, last],
                [float(path_value(target, first)), float(path_value(target, last))],
                color=PATH,
                linestyle="--",
                label="Linje mot målet",
            )
        axes.axhline(
            float(target.threshold), color=FILL[Colour.ROD], linestyle=":", label="Styrgräns"
        )
        if measurements:
            axes.plot(
                [m.measured_on for m in measurements],
                [float(m.value) for m in measurements],
                color=LINE,
                marker="o",
                label="Mätt värde",
            )
        axes.set_ylabel(mask(target.unit, hidden))
        axes.yaxis.set_major_formatter(SWEDISH)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        axes.grid(True, color="#dddddd")
        axes.legend(loc="best", frameon=False)
        return _svg(figure)


def status_chart(counts: dict[str, int]) -> bytes:
    """The programme's targets by status, one horizontal bar per status with its count;
    SVG bytes. `counts` maps "gron", "gul", "rod", "ej_matt" to a number of targets."""
    order = [Colour.GRON, Colour.GUL, Colour.ROD, EJ_MATT]
    with matplotlib.rc_context(RC):
        figure = _figure(6, 2.4)
        axes = figure.add_subplot()
        labels = [str(LABELS[c]) for c in order]
        values = [counts.get(str(c), 0) for c in order]
        bars = axes.barh(labels, values, color=[FILL[c] for c in order])
        axes.bar_label(bars, labels=[str(v) for v in values], padding=3)
        axes.invert_yaxis()
        axes.set_xlabel("Antal mål")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.xaxis.set_major_formatter(SWEDISH)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        return _svg(figure)
