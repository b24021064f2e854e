from django.urls import path

from events import views

urlpatterns = [
    path("", views.start, name="start"),
    path("arenden/ny/", views.event_create, name="event_create"),
    path("notiser/", views.notifications, name="notifications"),
    path("notiser/lasta/", views.notifications_read, name="notifications_read"),
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
    path("arenden/<uuid:event_id>/fas/", views.phase_change, name="phase_change"),
]
