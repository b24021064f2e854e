from django.urls import path

from commsplan import views

EVENT = "arenden/<uuid:event_id>/kommunikation/"
ROW = EVENT + "tidplan/<uuid:row_id>/"
TEXT = EVENT + "texter/<uuid:text_id>/"

urlpatterns = [
    path(EVENT, views.commsplan, name="commsplan"),
    path(EVENT + "planen/", views.commsplan_edit, name="commsplan_edit"),
    path(EVENT + "foretagets-besked/", views.company_announcement, name="company_announcement"),
    path(ROW, views.tidplan_row_edit, name="tidplan_row_edit"),
    path(ROW + "talepunkter/", views.talking_points_edit, name="talking_points_edit"),
    path(ROW + "talepunkter/pdf/", views.talking_points_pdf, name="talking_points_pdf"),
    path(ROW + "ny-text/", views.press_text_create, name="press_text_create"),
    path(TEXT, views.press_text_detail, name="press_text_detail"),
    path(TEXT + "redigera/", views.press_text_edit, name="press_text_edit"),
    path(TEXT + "citat/", views.press_text_quote, name="press_text_quote"),
    path(
        TEXT + "be-om-faktagranskning/",
        views.press_text_step,
        {"step": "request_fact_check"},
        name="press_text_request_fact_check",
    ),
    path(
        TEXT + "faktagranska/",
        views.press_text_step,
        {"step": "fact_check"},
        name="press_text_fact_check",
    ),
    path(TEXT + "skicka-tillbaka/", views.press_text_send_back, name="press_text_send_back"),
    path(TEXT + "godkann/", views.press_text_step, {"step": "approve"}, name="press_text_approve"),
    path(TEXT + "publicera/", views.press_text_publish, name="press_text_publish"),
    path(TEXT + "ratta/", views.press_text_correct, name="press_text_correct"),
    path(TEXT + "pdf/", views.press_text_pdf, name="press_text_pdf"),
]
