from django.urls import path

from coreflect.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.subscription, name="subscription"),
    path("<str:token>.ics", views.feed, name="feed"),
]
