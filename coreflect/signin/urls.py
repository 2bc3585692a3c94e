"""allauth's pages, less those this service does not use: nobody signs up, changes the email
address their organisation keeps, signs in by an emailed code or links another account to
theirs. Those addresses answer 404 (they stay nameable, as allauth's code refers to them)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path, re_path


def not_here(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404("No such page")


UNUSED = [
    "signup/",
    "email/",
    "confirm-email/",
    "login/code/",
    "reauthenticate/code/",
    "3rdparty/",
    "social/",
]

urlpatterns = [
    *(re_path(rf"^{route}", not_here, name="signin_unused") for route in UNUSED),
    path("", include("allauth.urls")),
]
