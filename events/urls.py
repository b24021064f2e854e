from django.urls import path

from events import views

urlpatterns = [
    path("", views.start, name="start"),
    path("arenden/ny/", views.event_create, name="event_create"),
    path("uppgifter/", views.my_tasks, name="my_tasks"),
    path("arenden/<uuid:event_id>/", views.event_detail, name="event_detail"),
    path("arenden/<uuid:event_id>/sammanfattning/", views.event_summary, name="event_summary"),
    path("arenden/<uuid:event_id>/redigera/", views.event_edit, name="event_edit"),
    path("arenden/<uuid:event_id>/logg/alla/", views.event_log, name="event_log"),
    path("arenden/<uuid:event_id>/logg/", views.log_entry_add, name="log_entry_add"),
    path("arenden/<uuid:event_id>/nulagesbild/", views.picture_edit, name="picture_edit"),
    path(
        "arenden/<uuid:event_id>/nulagesbild/historik/",
        views.picture_history,
        name="picture_history",
    ),
    path("arenden/<uuid:event_id>/beslut/", views.decisions, name="decisions"),
    path("arenden/<uuid:event_id>/startgrupp/", views.startgroup_edit, name="startgroup_edit"),
    path(
        "arenden/<uuid:event_id>/moten/<uuid:convening_id>/",
        views.meeting_edit,
        name="meeting_edit",
    ),
    path(
        "arenden/<uuid:event_id>/moten/<uuid:convening_id>/stall-in/",
        views.meeting_cancel,
        name="meeting_cancel",
    ),
    path("arenden/<uuid:event_id>/fas/", views.phase_change, name="phase_change"),
    path("arenden/<uuid:event_id>/avsluta/", views.event_close, name="event_close"),
    path("arenden/<uuid:event_id>/oppna-igen/", views.event_reopen, name="event_reopen"),
    path("arenden/<uuid:event_id>/uppgifter/", views.task_list, name="task_list"),
    path("arenden/<uuid:event_id>/varsel/", views.varsel_clock, name="varsel_clock"),
    path("arenden/<uuid:event_id>/varsel/uppgifter/", views.varsel_tasks, name="varsel_tasks"),
    path("arenden/<uuid:event_id>/personer/", views.person_search, name="person_search"),
    path(
        "arenden/<uuid:event_id>/uppgifter/<uuid:task_id>/",
        views.task_detail,
        name="task_detail",
    ),
    path(
        "arenden/<uuid:event_id>/uppgifter/<uuid:task_id>/andra/",
        views.task_edit,
        name="task_edit",
    ),
]
