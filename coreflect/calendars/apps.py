from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "coreflect.calendars"
    label = "calendars"
