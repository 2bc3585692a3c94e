from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "coreflect.supervision"
    label = "supervision"
