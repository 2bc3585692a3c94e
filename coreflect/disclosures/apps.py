from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "coreflect.disclosures"
    label = "disclosures"
    verbose_name = "Disclosures"

    def ready(self) -> None:
        # The notice of new disclosures is counted when a person signs in.
        from coreflect.disclosures import signals  # noqa: F401
