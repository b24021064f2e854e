"""What the sheet adds to the pages of events (events.signals), connected in
AssessmentConfig.ready."""

from django.urls import reverse

from assessment.models import Row
from events.access import Access


def task_origin_link(sender, task, **kwargs) -> tuple[str, str] | None:
    """The sheet row `task` was delegated from, as (label, url) for the task page, or None:
    for a task not delegated from the sheet, and for a task holder who is not a member (they
    do not see the sheet). `task.event` carries the viewer's `.access`. One query."""
    if task.event.access < Access.READ:
        return None
    row = Row.objects.filter(task=task).only("pk", "section", "removed_at").first()
    if row is None:
        return None
    label = f"bedömningsmallen ({row.get_section_display()})"
    if row.removed_at:
        # A removed row is on no sheet: its own page shows it, marked removed.
        return label + " (raden är borttagen)", reverse("row_edit", args=[task.event.pk, row.pk])
    return label, reverse("sheet", args=[task.event.pk]) + f"#row-{row.pk}"
