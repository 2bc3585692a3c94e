from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "coreflect.retention"
    verbose_name = "Retention"
