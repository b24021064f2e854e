"""Where the apps built on events add to its pages; events never imports them."""

from django.dispatch import Signal

# Sent by the task page with `task`, whose `.event` carries the viewer's `.access`. A
# receiver returns a (label, url) link to where the task came from, or None.
task_origin = Signal()

# Sent by the start page (events.waiting) with `user`, `events` (a queryset of the open
# events the user works on, in the startgrupp or the arbetsgrupp) and `now`. A receiver
# returns a list of events.waiting.Item: what waits for the user in its app, read with a
# constant number of queries however many events and items there are.
waiting_for = Signal()

# Sent by events.services with `task` inside the transaction that changed its status or
# its vad/vem/när, so that a page showing the task elsewhere (a sheet row that became the
# task) can mark itself changed for the browsers that poll it.
task_changed = Signal()

# Sent by the services that finalise a record of the case, inside that transaction, with
# `event`, `title`, `description` (the public description, ärendemening), `path` (where the
# record is kept in the product) and `by`: a sent lägesrapport, a published press text, the
# startgrupp's decisions, a snapshot of the sheet. documents registers it in the case's
# register (OSL 5 kap. 1 §: registered without delay); events never imports documents.
finalised = Signal()

# Sent by an app that summarises a case elsewhere (an omställningsplan's prefilled sections)
# with `event` and `section` ("communication"). A receiver returns its app's text for that
# section of the case, or "".
case_summary = Signal()
