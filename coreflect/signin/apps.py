from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "coreflect.signin"
    label = "signin"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        # Password resets and changes, second factors added and removed go in the audit log.
        from coreflect.signin import signals  # noqa: F401
