from django.urls import path

from omstallning import edits, views

P = "omstallning/<uuid:programme_id>/"

urlpatterns = [
    path("omstallning/", views.programme_list, name="programme_list"),
    path("arenden/<uuid:event_id>/omstallning/ny/", views.programme_start, name="programme_start"),
    path(P, views.programme_detail, name="programme_detail"),
    path(P + "fas/", views.programme_phase, name="programme_phase"),
    path(P + "arenden/", views.programme_link_event, name="programme_link_event"),
    path(P + "medlemmar/", views.programme_members, name="programme_members"),
    path(P + "logg/", views.programme_log, name="programme_log"),
    path(
        P + "medlemmar/<int:user_id>/ta-bort/",
        edits.programme_member_remove,
        name="programme_member_remove",
    ),
    path(P + "diagram.svg", views.status_chart, name="programme_status_chart"),
    path(P + "plan/ny/", views.plan_new_version, name="plan_new_version"),
    path(P + "plan/jamfor/", views.plan_compare, name="plan_compare"),
    path(P + "plan/<uuid:version_id>/", views.plan_detail, name="plan_detail"),
    path(P + "plan/<uuid:version_id>/andra/", views.plan_edit, name="plan_edit"),
    path(P + "plan/<uuid:version_id>/budget/", views.plan_budget_add, name="plan_budget_add"),
    path(
        P + "plan/<uuid:version_id>/budget/<uuid:line_id>/",
        edits.budget_line_edit,
        name="budget_line_edit",
    ),
    path(
        P + "plan/<uuid:version_id>/budget/<uuid:line_id>/ta-bort/",
        edits.budget_line_remove,
        name="budget_line_remove",
    ),
    path(P + "plan/<uuid:version_id>/godkann/", views.plan_approve, name="plan_approve"),
    path(P + "plan/<uuid:version_id>/anta/", views.plan_adopt, name="plan_adopt"),
    path(P + "insatsomraden/", views.focus_area_add, name="focus_area_add"),
    path(
        P + "insatsomraden/<uuid:focus_area_id>/andra/",
        edits.focus_area_edit,
        name="focus_area_edit",
    ),
    path(
        P + "insatsomraden/<uuid:focus_area_id>/avsluta/",
        edits.focus_area_end,
        name="focus_area_end",
    ),
    path(
        P + "insatsomraden/<uuid:focus_area_id>/mal/ny/",
        views.target_create,
        name="target_create",
    ),
    path(P + "mal/<uuid:target_id>/", views.target_detail, name="target_detail"),
    path(P + "mal/<uuid:target_id>/matningar/", views.measurement_add, name="measurement_add"),
    path(P + "mal/<uuid:target_id>/andra/", edits.target_edit, name="target_edit"),
    path(P + "mal/<uuid:target_id>/avsluta/", edits.target_end, name="target_end"),
    path(
        P + "mal/<uuid:target_id>/matningar/<uuid:measurement_id>/",
        edits.measurement_edit,
        name="measurement_edit",
    ),
    path(
        P + "mal/<uuid:target_id>/matningar/<uuid:measurement_id>/stryk/",
        edits.measurement_void,
        name="measurement_void",
    ),
    path(P + "mal/<uuid:target_id>/farg/", views.target_colour, name="target_colour"),
    path(P + "mal/<uuid:target_id>/diagram.svg", views.target_chart, name="target_chart"),
]
