from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "coreflect.policy"
    verbose_name = "Policy"
