from django.urls import path

from notices import views

urlpatterns = [
    path("notiser/", views.notice_list, name="notifications"),
    path("notiser/lasta/", views.mark_read, name="notifications_read"),
    path("notiser/<uuid:notice_id>/", views.open_notice, name="notice_open"),
]
