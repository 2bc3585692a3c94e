from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "coreflect.audit"
    label = "audit"
