"""Where the apps built on events add to its pages; events never imports them."""

from django.dispatch import Signal

# Sent by the task page with `task`, whose `.event` carries the viewer's `.access`. A
# receiver returns a (label, url) link to where the task came from, or None.
task_origin = Signal()
