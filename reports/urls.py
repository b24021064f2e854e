from django.urls import path

from reports import views

urlpatterns = [
    path("arenden/<uuid:event_id>/rapporter/", views.report_list, name="report_list"),
    path("arenden/<uuid:event_id>/rapporter/ny/", views.report_create, name="report_create"),
    path(
        "arenden/<uuid:event_id>/rapporter/<uuid:report_id>/",
        views.report_detail,
        name="report_detail",
    ),
    path(
        "arenden/<uuid:event_id>/rapporter/<uuid:report_id>/be-om-godkannande/",
        views.report_request_approval,
        name="report_request_approval",
    ),
    path(
        "arenden/<uuid:event_id>/rapporter/<uuid:report_id>/godkann/",
        views.report_approve,
        name="report_approve",
    ),
    path(
        "arenden/<uuid:event_id>/rapporter/<uuid:report_id>/skicka/",
        views.report_send,
        name="report_send",
    ),
    path(
        "arenden/<uuid:event_id>/rapporter/<uuid:report_id>/pdf/",
        views.report_pdf,
        name="report_pdf",
    ),
]
