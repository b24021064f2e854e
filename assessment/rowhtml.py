"""A sheet row as shown on the sheet page, in the live poll and after an inline save.

Rendered in Python rather than with a template: at 1,000 rows the template engine alone
took ~120 ms of the page's 150 ms budget; this takes a few. Everything user-written goes
through html.escape.
"""

from html import escape

from django.utils.safestring import mark_safe


def _lines(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _short(text: str, length: int = 40) -> str:
    return escape(text if len(text) <= length else text[: length - 1] + "…")


def row_html(row, *, can_write: bool, row_base: str) -> str:
    classes = " ".join(
        name for name, on in (("chain", row.parent_id), ("removed", row.removed_at)) if on
    )
    url = f"{row_base}{row.pk}/"
    what = _lines(row.what)
    if row.parent_id:
        what = (
            '<span aria-hidden="true">↳ </span><span class="visually-hidden">'
            f"Åtgärd i kedjan: </span>{what}"
        )
    if row.removed_at:
        what = f"<strong>Borttagen:</strong> {what}"
    if row.task_id:
        # One status for one piece of work: the task's, in the status column where the
        # section has one, else on the mark; never the row's own beside it.
        mark = "Uppgift"
        if not row.spec.has_status:
            mark += ": " + escape(row.get_shown_status_display().lower())
        what += f' <span class="task-mark">{mark}</span>'
    # (column name, content): on a phone the cells stack as a card, each after its column's
    # name (data-label, shown by the CSS); Vad needs none.
    cells = [
        ("", what),
        ("Vem", escape(row.who)),
        ("När", escape(row.when)),
        ("Uppföljning", _lines(row.follow_up)),
    ]
    if row.spec.has_status:
        cells.append(("Status", escape(row.get_shown_status_display())))
    if row.spec.has_audience:
        cells.append(("Till vem", escape(row.audience)))
    tds = "".join(
        f'<td data-label="{label}">{cell}</td>' if label else f"<td>{cell}</td>"
        for label, cell in cells
    )
    tds += f'<td class="row-links">{_actions(row, can_write=can_write, url=url)}</td>'
    return (
        f'<tr id="row-{row.pk}" data-version="{row.version}" data-order="{row.order}" '
        f'data-section="{row.section}" class="{classes}">{tds}</tr>'
    )


def _actions(row, *, can_write: bool, url: str) -> str:
    """What can be done with the row, from the row itself: a tester found "Gör till uppgift"
    only after opening Ändra. Each link names its row for a screen reader's list of links."""
    short = _short(row.what)
    links = []
    if can_write:
        links.append(
            f'<a href="{url}" hx-get="{url}" hx-target="closest tr" hx-swap="outerHTML">'
            f'Ändra<span class="visually-hidden"> rad: {short}</span></a>'
        )
        if not row.task_id and not row.removed_at:
            links.append(
                f'<a href="{url}delegera/">Gör till uppgift<span class="visually-hidden">: '
                f"{short}</span></a>"
            )
    links.append(
        f'<a href="{url}historik/">Historik<span class="visually-hidden"> för rad: '
        f"{short}</span></a>"
    )
    return "".join(links)


def rows_html(rows, *, can_write: bool, row_base: str):
    # Nothing between the rows: a section whose last row the live poll takes away is left
    # with an empty tbody (:empty), which the CSS shows as "Inga rader än".
    return mark_safe(  # noqa: S308 - built from escaped parts above
        "".join(row_html(row, can_write=can_write, row_base=row_base) for row in rows)
    )
