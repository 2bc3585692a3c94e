"""The tests' OpenID provider (tests/oidc/provider.mjs, started by coreflect/oidc_testing.py)
on its own: discovery, a whole authorization-code flow with PKCE from Python, and what it
refuses. The Django sign-in tests rely on it behaving as Microsoft Entra ID does.

Each test runs on the root conftest's frozen clock, so the provider is given the same instant
(`now=`): PyJWT refuses an ID token issued after its own now.
"""

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import urllib.error
import urllib.parse
import urllib.request

import jwt
import pytest

from coreflect.oidc_testing import (
    NODE_MISSING,
    Account,
    Client,
    ProviderError,
    SignInRefused,
    run_provider,
    sign_in,
)

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason=NODE_MISSING)

TENANT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
# Nothing listens here: sign_in returns the redirect without following it.
REDIRECT_URI = "http://127.0.0.1:9/accounts/oidc/entra/login/callback/"
POST_CLIENT: Client = {
    "client_id": "coreflect",
    "client_secret": "post-secret",
    "redirect_uris": [REDIRECT_URI],
}
BASIC_CLIENT: Client = {
    "client_id": "coreflect-basic",
    "client_secret": "basic-secret",
    "redirect_uris": [REDIRECT_URI],
    "token_endpoint_auth_method": "client_secret_basic",
}
ALICE: Account = {
    "oid": "00000000-0000-0000-0000-00000000a11c",
    "email": "alice@example.nhs.uk",
    "email_verified": True,
    "name": "Alice Example",
    "preferred_username": "alice@example.nhs.uk",
    "amr": ["pwd", "mfa"],
}
OLLY: Account = {
    "oid": "00000000-0000-0000-0000-0000000001e1",
    "email": "olly@example.nhs.uk",
    "email_verified": False,
    "name": "Olly Example",
    "preferred_username": "olly@example.nhs.uk",
    "amr": ["pwd"],
}


@pytest.fixture
def provider():
    with run_provider(
        tenant_id=TENANT,
        clients=[POST_CLIENT, BASIC_CLIENT],
        accounts={"alice": ALICE, "olly": OLLY},
        now=dt.datetime.now(dt.UTC),
    ) as running:
        yield running


def get_json(url: str, headers: dict[str, str] | None = None) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as response:
        return json.load(response)


class Flow:
    """One authorization-code request with PKCE, as allauth makes it."""

    def __init__(self, provider, client: Client) -> None:
        self.config = get_json(provider.discovery_url)
        self.client = client
        self.verifier = secrets.token_urlsafe(48)
        self.state = secrets.token_urlsafe(16)
        self.nonce = secrets.token_urlsafe(16)

    @property
    def authorize_url(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        query = {
            "client_id": self.client["client_id"],
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile email",
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.config['authorization_endpoint']}?{urllib.parse.urlencode(query)}"

    def code(self, login: str) -> str:
        redirect = urllib.parse.urlsplit(sign_in(self.authorize_url, login))
        assert redirect._replace(query="").geturl() == REDIRECT_URI
        query = urllib.parse.parse_qs(redirect.query)
        assert query["state"] == [self.state]
        return query["code"][0]

    def exchange(self, code: str, *, secret: str | None = None, verifier: str | None = None):
        """The token endpoint's (status, JSON body), authenticating as the client is set to."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier or self.verifier,
        }
        client_id, secret = self.client["client_id"], secret or self.client["client_secret"]
        headers = {}
        if self.client.get("token_endpoint_auth_method") == "client_secret_basic":
            pair = f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(secret)}"
            headers["Authorization"] = f"Basic {base64.b64encode(pair.encode()).decode()}"
        else:
            form |= {"client_id": client_id, "client_secret": secret}
        request = urllib.request.Request(
            self.config["token_endpoint"],
            data=urllib.parse.urlencode(form).encode(),
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.load(error)

    def verified_id_token(self, provider, tokens: dict) -> dict:
        key = jwt.PyJWKClient(self.config["jwks_uri"]).get_signing_key_from_jwt(tokens["id_token"])
        return jwt.decode(
            tokens["id_token"],
            key,
            algorithms=["RS256"],
            audience=self.client["client_id"],
            issuer=provider.issuer,
        )


def test_discovery_gives_an_entra_shaped_issuer_and_endpoints_under_it(provider):
    config = get_json(provider.discovery_url)

    assert provider.authority == f"http://127.0.0.1:{provider.port}"
    assert provider.issuer == f"http://127.0.0.1:{provider.port}/{TENANT}/v2.0"
    assert config["issuer"] == provider.issuer
    for endpoint in ["authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"]:
        assert config[endpoint].startswith(f"{provider.issuer}/"), endpoint
    assert "S256" in config["code_challenge_methods_supported"]
    assert set(config["token_endpoint_auth_methods_supported"]) == {
        "client_secret_post",
        "client_secret_basic",
    }
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert config["subject_types_supported"] == ["pairwise"]
    assert {"tid", "oid", "email", "email_verified", "amr"} <= set(config["claims_supported"])
    assert [key["alg"] for key in get_json(config["jwks_uri"])["keys"]] == ["RS256"]


@pytest.mark.parametrize("client", [POST_CLIENT, BASIC_CLIENT], ids=lambda c: c["client_id"])
def test_signing_in_with_pkce_gives_an_id_token_signed_by_the_provider_with_entras_claims(
    provider, client
):
    flow = Flow(provider, client)

    status, tokens = flow.exchange(flow.code("alice"))

    assert status == 200, tokens
    claims = flow.verified_id_token(provider, tokens)
    assert claims["tid"] == TENANT
    assert claims["oid"] == ALICE["oid"]
    assert claims["email"] == "alice@example.nhs.uk"
    assert claims["email_verified"] is True
    assert claims["name"] == "Alice Example"
    assert claims["preferred_username"] == "alice@example.nhs.uk"
    assert claims["amr"] == ["pwd", "mfa"]
    assert claims["nonce"] == flow.nonce
    # Pairwise, as Entra's: one sub per client for the same person, never the oid.
    assert claims["sub"] == provider.subject(client["client_id"], ALICE["oid"])
    assert claims["sub"] != ALICE["oid"]
    # The provider's clock stands at the test's frozen instant.
    assert claims["iat"] == int(dt.datetime.now(dt.UTC).timestamp())


def test_an_account_without_a_second_factor_has_only_pwd_in_amr(provider):
    flow = Flow(provider, POST_CLIENT)

    claims = flow.verified_id_token(provider, flow.exchange(flow.code("olly"))[1])

    assert claims["oid"] == OLLY["oid"]
    assert claims["amr"] == ["pwd"]
    assert claims["email_verified"] is False


def test_userinfo_gives_only_the_standard_claims_as_entras_does(provider):
    flow = Flow(provider, POST_CLIENT)
    tokens = flow.exchange(flow.code("alice"))[1]

    userinfo = get_json(
        flow.config["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert userinfo == {
        "sub": provider.subject("coreflect", ALICE["oid"]),
        "name": "Alice Example",
        "email": "alice@example.nhs.uk",
    }


def test_an_unknown_login_is_refused(provider):
    flow = Flow(provider, POST_CLIENT)

    with pytest.raises(SignInRefused, match="no account called mallory"):
        sign_in(flow.authorize_url, "mallory")


def test_a_wrong_client_secret_is_refused(provider):
    flow = Flow(provider, POST_CLIENT)

    status, body = flow.exchange(flow.code("alice"), secret="not-the-secret")

    assert (status, body["error"]) == (401, "invalid_client")


def test_a_code_with_the_wrong_pkce_verifier_is_refused(provider):
    flow = Flow(provider, POST_CLIENT)

    status, body = flow.exchange(flow.code("alice"), verifier=secrets.token_urlsafe(48))

    assert (status, body["error"]) == (400, "invalid_grant")


def test_the_provider_stops_when_its_block_ends():
    with run_provider(tenant_id=TENANT, clients=[POST_CLIENT], accounts={}) as running:
        assert get_json(running.discovery_url)["issuer"] == running.issuer

    with pytest.raises(ProcessLookupError):
        os.kill(running.pid, 0)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(running.discovery_url, timeout=5)


def test_a_provider_that_cannot_start_says_why():
    bad: Client = {"client_id": "coreflect", "client_secret": "s", "redirect_uris": []}

    with pytest.raises(
        ProviderError, match=r"clients\[0\]\.redirect_uris must be a non-empty list"
    ):
        with run_provider(tenant_id=TENANT, clients=[bad], accounts={}):
            pass
