"""The project's addresses plus the sign-in's page for using a second factor again, which
the sign-in work adds (django-allauth's mfa_reauthenticate): the role page links to it once
it exists."""

from django.http import HttpResponse
from django.urls import path

from coreflect.urls import urlpatterns as project

urlpatterns = [
    *project,
    path("reauthenticate/", lambda request: HttpResponse("again"), name="mfa_reauthenticate"),
]
