from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "coreflect.staff"
    label = "staff"
    verbose_name = "People"
