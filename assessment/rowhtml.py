"""A sheet row as shown on the sheet page, in the live poll and after an inline save.

Rendered in Python rather than with a template: at 1,000 rows the template engine alone
took ~120 ms of the page's 150 ms budget; this takes a few. Everything user-written goes
through html.escape.
"""

from html import escape

from django.utils.safestring import mark_safe

from assessment.models import STATUS_LABELS


class ShownRow:
    """A row as the sheet page reads it: the columns `row_html` draws, from one
    values_list() (`COLUMNS`). At 1,000 rows a model instance per row (and its task) cost
    more than drawing them; this is one small object per row, with the attributes of a Row
    that the page uses."""

    COLUMNS = (
        "id",
        "section",
        "parent_id",
        "position",
        "what",
        "who",
        "when",
        "follow_up",
        "status",
        "audience",
        "version",
        "task_id",
        "removed_at",
        "task__status",
    )
    __slots__ = (*COLUMNS[:-1], "task_status", "spec", "order")

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=False):
            setattr(self, name, value)

    @property
    def pk(self):
        return self.id

    def get_shown_status_display(self) -> str:
        # Row.shown_status: a delegated row shows its task's status.
        return STATUS_LABELS.get(self.task_status if self.task_id else self.status, "")


def _lines(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _short(text: str, length: int = 40) -> str:
    return escape(text if len(text) <= length else text[: length - 1] + "…")


def row_html(row, *, can_write: bool, row_base: str) -> str:
    # Written out cell by cell, the row's id made text once: at 1,000 rows each generator,
    # join and UUID formatting per row shows in the page's time.
    pk = str(row.pk)
    url = f"{row_base}{pk}/"
    spec = row.spec
    what = _lines(row.what)
    if row.parent_id:
        what = (
            '<span aria-hidden="true">↳ </span><span class="visually-hidden">'
            f"Åtgärd i kedjan: </span>{what}"
        )
        classes = "chain removed" if row.removed_at else "chain"
    else:
        classes = "removed" if row.removed_at else ""
    if row.removed_at:
        what = f"<strong>Borttagen:</strong> {what}"
    if row.task_id:
        # One status for one piece of work: the task's, in the status column where the
        # section has one, else on the mark; never the row's own beside it.
        mark = "Uppgift"
        if not spec.has_status:
            mark += ": " + escape(row.get_shown_status_display().lower())
        what += f' <span class="task-mark">{mark}</span>'
    # On a phone the cells stack as a card, each after its column's name (data-label,
    # shown by the CSS); Vad needs none.
    tds = (
        f'<td>{what}</td><td data-label="Vem">{escape(row.who)}</td>'
        f'<td data-label="När">{escape(row.when)}</td>'
        f'<td data-label="Uppföljning">{_lines(row.follow_up)}</td>'
    )
    if spec.has_status:
        tds += f'<td data-label="Status">{escape(row.get_shown_status_display())}</td>'
    if spec.has_audience:
        tds += f'<td data-label="Till vem">{escape(row.audience)}</td>'
    return (
        f'<tr id="row-{pk}" data-version="{row.version}" data-order="{row.order}" '
        f'data-section="{row.section}" class="{classes}">{tds}'
        f'<td class="row-links">{_actions(row, can_write=can_write, url=url)}</td></tr>'
    )


def _actions(row, *, can_write: bool, url: str) -> str:
    """What can be done with the row, from the row itself: a tester found "Gör till uppgift"
    only after opening Ändra. Each link names its row for a screen reader's list of links."""
    short = _short(row.what)
    links = ""
    if can_write:
        links = (
            f'<a href="{url}" hx-get="{url}" hx-target="closest tr" hx-swap="outerHTML">'
            f'Ändra<span class="visually-hidden"> rad: {short}</span></a>'
        )
        if not row.task_id and not row.removed_at:
            links += (
                f'<a href="{url}delegera/">Gör till uppgift<span class="visually-hidden">: '
                f"{short}</span></a>"
            )
    return (
        f'{links}<a href="{url}historik/">Historik<span class="visually-hidden"> för rad: '
        f"{short}</span></a>"
    )


def rows_html(rows, *, can_write: bool, row_base: str):
    # Nothing between the rows: a section whose last row the live poll takes away is left
    # with an empty tbody (:empty), which the CSS shows as "Inga rader än".
    return mark_safe(  # noqa: S308 - built from escaped parts above
        "".join(row_html(row, can_write=can_write, row_base=row_base) for row in rows)
    )
