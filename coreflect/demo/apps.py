from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "coreflect.demo"
    label = "demo"
