from django.urls import path

from assessment import views, views_excel, views_parties

ROW = "arenden/<uuid:event_id>/bedomning/rader/<uuid:row_id>/"

urlpatterns = [
    path("arenden/<uuid:event_id>/bedomning/", views.sheet, name="sheet"),
    path(
        "arenden/<uuid:event_id>/bedomning/andringar/", views.sheet_changes, name="sheet_changes"
    ),
    path(
        "arenden/<uuid:event_id>/bedomning/narvaro/", views.sheet_presence, name="sheet_presence"
    ),
    path("arenden/<uuid:event_id>/bedomning/rader/", views.row_add, name="row_add"),
    path(ROW, views.row_edit, name="row_edit"),
    path(ROW + "flytta/", views.row_move, name="row_move"),
    path(ROW + "ta-bort/", views.row_remove, name="row_remove"),
    path(ROW + "aterstall/", views.row_restore, name="row_restore"),
    path(ROW + "delegera/", views.row_delegate, name="row_delegate"),
    path(ROW + "historik/", views.row_history, name="row_history"),
    path("arenden/<uuid:event_id>/bedomning/historik/", views.sheet_history, name="sheet_history"),
    path(
        "arenden/<uuid:event_id>/bedomning/lagesbilder/",
        views.snapshot_create,
        name="snapshot_create",
    ),
    path(
        "arenden/<uuid:event_id>/bedomning/lagesbilder/<uuid:snapshot_id>/",
        views.snapshot_detail,
        name="snapshot_detail",
    ),
    path(
        "arenden/<uuid:event_id>/bedomning/excel/", views_excel.sheet_export, name="sheet_export"
    ),
    path(
        "arenden/<uuid:event_id>/bedomning/excel/las-in/",
        views_excel.sheet_import,
        name="sheet_import",
    ),
    path(
        "arenden/<uuid:event_id>/bedomning/excel/las-in/<uuid:draft_id>/",
        views_excel.import_confirm,
        name="import_confirm",
    ),
    path("arenden/<uuid:event_id>/parter/", views_parties.parties, name="parties"),
    path(
        "arenden/<uuid:event_id>/parter/<uuid:party_id>/",
        views_parties.party_detail,
        name="party_detail",
    ),
    path(
        "arenden/<uuid:event_id>/parter/<uuid:party_id>/kontakt/",
        views_parties.contact_add,
        name="contact_add",
    ),
]
