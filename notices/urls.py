from django.urls import path

from notices import views

urlpatterns = [
    path("notiser/", views.notice_list, name="notifications"),
    path("notiser/lasta/", views.mark_read, name="notifications_read"),
]
