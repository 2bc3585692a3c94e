from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "coreflect.imports"
    label = "imports"
