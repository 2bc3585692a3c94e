"""Microsoft Entra ID as allauth's OpenID Connect provider (settings.SOCIALACCOUNT_PROVIDERS
names this class). An Entra account is the pair of its tenant (tid) and its object id in that
tenant (oid): both fixed for the account's life, unlike its email address or name, so that pair
is what a Coreflect account is linked on."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider


def claims_of(data: dict[str, Any]) -> dict[str, Any]:
    """The id token's claims, from what allauth's OpenID Connect adapter passes on."""
    claims = data.get("id_token", data)
    return claims if isinstance(claims, dict) else {}


class EntraProvider(OpenIDConnectProvider):
    # allauth finds a provider's URLs in its package: this one's are OpenID Connect's.
    package = "allauth.socialaccount.providers.openid_connect"

    def extract_uid(self, data: dict[str, Any]) -> str:
        claims = claims_of(data)
        tid, oid = claims.get("tid"), claims.get("oid")
        if not tid or not oid:
            # Not an Entra token: nothing stable to link on. No account has an empty uid, and
            # the adapter refuses a token without both (coreflect/signin/adapter.py).
            return ""
        return f"{tid}:{oid}"

    def extract_email_addresses(self, data: dict[str, Any]) -> list[EmailAddress]:
        """The token's email, verified only when the token says so: email_verified, or Entra's
        xms_edov (the domain's owner verified it)."""
        claims = claims_of(data)
        email = claims.get("email")
        if not email:
            return []
        verified = claims.get("email_verified") in (True, "true") or claims.get("xms_edov") in (
            True,
            "true",
            "1",
            1,
        )
        return [EmailAddress(email=email, verified=verified, primary=True)]
