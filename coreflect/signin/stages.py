from allauth.mfa.stages import AuthenticateStage
from django.http import HttpRequest

from coreflect.signin.state import SSO_SECOND_FACTOR_FOR


class SecondFactorStage(AuthenticateStage):
    """allauth's step that asks for the second factor, skipped for a single sign-on whose token
    said Entra ID asked for one already (issue 10 point 3)."""

    def _should_handle(self, request: HttpRequest) -> bool:
        user = self.login.user
        if user is not None and request.session.get(SSO_SECOND_FACTOR_FOR) == user.pk:
            return False
        return super()._should_handle(request)
