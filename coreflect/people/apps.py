from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "coreflect.people"
    label = "people"
