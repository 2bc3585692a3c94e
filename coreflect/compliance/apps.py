from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "coreflect.compliance"
    label = "compliance"
