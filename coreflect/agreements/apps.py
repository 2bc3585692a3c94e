from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "coreflect.agreements"
    verbose_name = "Supervision agreements"
