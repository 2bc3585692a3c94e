from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "coreflect.governance"
    label = "governance"
    verbose_name = "Governance"
