from django.urls import path

from documents import views

DOCUMENT = "arenden/<uuid:event_id>/handlingar/<uuid:document_id>/"

urlpatterns = [
    path("arenden/<uuid:event_id>/handlingar/", views.document_list, name="document_list"),
    path("arenden/<uuid:event_id>/handlingar/ny/", views.document_upload, name="document_upload"),
    path(
        "arenden/<uuid:event_id>/handlingar/diarieblad.csv",
        views.document_register_export,
        name="document_register_export",
    ),
    path(DOCUMENT, views.document_detail, name="document_detail"),
    path(
        DOCUMENT + "versioner/<uuid:version_id>/",
        views.document_download,
        name="document_download",
    ),
    path(DOCUMENT + "ny-version/", views.document_version_add, name="document_version_add"),
    path(DOCUMENT + "sekretess/", views.document_mark_secret, name="document_mark_secret"),
    path(DOCUMENT + "av-misstag/", views.document_void, name="document_void"),
    path(DOCUMENT + "koppla/", views.document_link, name="document_link"),
    path(
        DOCUMENT + "kopplingar/<uuid:link_id>/ta-bort/",
        views.document_unlink,
        name="document_unlink",
    ),
]
