from django.apps import AppConfig


class AuditLogConfig(AppConfig):
    name = "coreflect.auditlog"
    label = "auditlog"
    verbose_name = "Audit log"
