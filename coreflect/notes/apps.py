from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "coreflect.notes"
    label = "notes"
    verbose_name = "Session notes"
