from django.urls import path, re_path

from guests import views, views_guest

urlpatterns = [
    path(
        "arenden/<uuid:event_id>/parter/<uuid:party_id>/forfragningar/",
        views.guest_requests,
        name="guest_requests",
    ),
    path(
        "arenden/<uuid:event_id>/parter/<uuid:party_id>/forfragningar/<uuid:request_id>/"
        "aterkalla/",
        views.guest_request_revoke,
        name="guest_request_revoke",
    ),
    # settings.SESSIONLESS_PATHS holds this prefix: no session on these pages.
    path("gast/<str:token>/", views_guest.guest_page, name="guest_page"),
    re_path(r"^gast/(?P<rest>.*)$", views_guest.no_such_page),
]
