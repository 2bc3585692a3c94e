from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "coreflect.audit"
    label = "audit"

    def ready(self) -> None:
        # Sign-ins, failed sign-ins and sign-outs are recorded.
        from coreflect.audit import signals  # noqa: F401
