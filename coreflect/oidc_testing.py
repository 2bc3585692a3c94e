"""A real OpenID Connect provider for the tests, imitating Microsoft Entra ID.

`run_provider` starts `node tests/oidc/provider.mjs` (panva's oidc-provider) on 127.0.0.1 with
the issuer `http://127.0.0.1:PORT/<tenant>/v2.0`, as Entra's is
`https://login.microsoftonline.com/<tenant>/v2.0`; `sign_in` does what a person does on its
login page, over plain HTTP. Test support code, like coreflect/testing.py: the standard library
only. docs/testing.md says how to use it.
"""

import base64
import datetime as dt
import hashlib
import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.client import HTTPResponse
from http.cookiejar import CookieJar
from pathlib import Path
from typing import IO, Literal, NotRequired, TypedDict

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
OIDC_PROVIDER_PACKAGE = ROOT / "node_modules" / "oidc-provider"
NODE_MISSING = "node is not on the PATH: the test OpenID provider runs on Node.js 20 or later"


class Client(TypedDict):
    """A client (an app registration, in Entra's words) the provider knows."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    token_endpoint_auth_method: NotRequired[Literal["client_secret_post", "client_secret_basic"]]


class Account(TypedDict):
    """An account's claims; `tid` defaults to the provider's tenant."""

    oid: str
    email: str
    email_verified: bool
    name: str
    preferred_username: str
    amr: list[str]
    tid: NotRequired[str]


class ProviderError(RuntimeError):
    """The provider did not start, or answered something a sign-in cannot go on from."""


class SignInRefused(ProviderError):
    """The provider's login page refused the login (an unknown username)."""


@dataclass(frozen=True)
class Provider:
    """A running provider."""

    port: int
    tenant_id: str
    pid: int
    log_file: IO[bytes]

    @property
    def authority(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        """The issuer, which is also allauth's `server_url` for the app."""
        return f"{self.authority}/{self.tenant_id}/v2.0"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def subject(self, client_id: str, oid: str) -> str:
        """The `sub` the provider gives an account for a client: pairwise, as Entra's is."""
        digest = hashlib.sha256(f"{self.tenant_id}:{client_id}:{oid}".encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def log(self) -> str:
        """What the provider wrote to stderr so far (its errors and oidc-provider's warnings)."""
        self.log_file.flush()
        return Path(self.log_file.name).read_text(errors="replace")


@contextmanager
def run_provider(
    *,
    tenant_id: str,
    clients: Sequence[Client],
    accounts: Mapping[str, Account],
    now: dt.datetime | None = None,
    port: int = 0,
    startup_timeout: float = 30.0,
) -> Iterator[Provider]:
    """Start the provider on 127.0.0.1 (a free port unless `port` is given) and stop it after.

    `accounts` are keyed by the login typed on the provider's page. With `now` (an aware
    datetime) the provider's clock stands still at that instant: pass the test's frozen time,
    since PyJWT (and so allauth) refuses an ID token issued after its own now.
    """
    node = shutil.which("node")
    if node is None:
        raise ProviderError(NODE_MISSING)
    if not OIDC_PROVIDER_PACKAGE.is_dir():
        raise ProviderError(f"{OIDC_PROVIDER_PACKAGE} is missing: run npm ci (make assets does)")
    config: dict[str, object] = {
        "tenant_id": tenant_id,
        "clients": list(clients),
        "accounts": dict(accounts),
    }
    if now is not None:
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        config["now"] = now.isoformat()
    with tempfile.NamedTemporaryFile(prefix="oidc-provider-", suffix=".log") as log_file:
        # The provider's stdin is its lifeline: closing it stops the provider, and it closes by
        # itself if this process dies. Its stderr goes to a file, which never fills as a pipe can.
        process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT), "--port", str(port)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log_file,
        )
        try:
            if process.stdin is None or process.stdout is None:
                raise ProviderError("the provider's stdin and stdout were not piped")
            try:
                process.stdin.write(json.dumps(config).encode() + b"\n")
                process.stdin.flush()
            except BrokenPipeError:
                pass  # it has exited already; _ready_port says why
            actual_port = _ready_port(process, log_file, startup_timeout)
            yield Provider(
                port=actual_port, tenant_id=tenant_id, pid=process.pid, log_file=log_file
            )
        finally:
            _stop(process)


def _ready_port(process: subprocess.Popen[bytes], log_file: IO[bytes], timeout: float) -> int:
    """The port from the provider's JSON ready line, or a ProviderError with its stderr."""
    if process.stdout is None:
        raise ProviderError("the provider's stdout was not piped")
    deadline = time.monotonic() + timeout
    received = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in received:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                problem = f"did not say it was ready within {timeout:g} s"
                break
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                try:
                    problem = f"exited with status {process.wait(timeout=5)} before it was ready"
                except subprocess.TimeoutExpired:
                    problem = "closed its stdout before it was ready"
                break
            received += chunk
        else:
            line = received.split(b"\n", 1)[0]
            try:
                ready = json.loads(line)
            except json.JSONDecodeError:
                ready = None
            if isinstance(ready, dict) and ready.get("ready") is True:
                port = ready.get("port")
                if isinstance(port, int):
                    return port
            problem = f"printed {line!r} where its JSON ready line belongs"
    log_file.flush()
    stderr = Path(log_file.name).read_text(errors="replace").strip()
    raise ProviderError(
        f"The test OpenID provider ({PROVIDER_SCRIPT.relative_to(ROOT)}) {problem}."
        + (f" Its stderr:\n{stderr}" if stderr else " It wrote nothing to stderr.")
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Close the provider's stdin, which stops it; terminate it, then kill it, if it lingers."""
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass  # a broken pipe: the provider has gone already
    try:
        process.wait(timeout=5)
        return
    except subprocess.TimeoutExpired:
        process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _NoRedirects(urllib.request.HTTPErrorProcessor):
    """Hands every response back as it is: no redirect followed, no error raised for a status."""

    def http_response(
        self, request: urllib.request.Request, response: HTTPResponse
    ) -> HTTPResponse:
        return response

    https_response = http_response


@dataclass
class _Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


# Elements without an end tag, which must not count as opening one.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _PageReader(HTMLParser):
    """The page's first form (its action and named inputs) and its error messages (the text of
    the elements the provider's pages give the ids `login-error` and `error`)."""

    def __init__(self) -> None:
        super().__init__()
        self.form: _Form | None = None
        self.errors: list[str] = []
        self._in_error = 0
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and self.form is None:
            self.form = _Form(attributes.get("action", ""), attributes.get("method", "get"))
            self._in_form = True
        elif tag == "input" and self._in_form and self.form is not None:
            if name := attributes.get("name"):
                self.form.fields[name] = attributes.get("value", "")
        if tag in _VOID:
            return
        if self._in_error or attributes.get("id") in {"login-error", "error"}:
            self._in_error += 1
            if self._in_error == 1:
                self.errors.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        if self._in_error and tag not in _VOID:
            self._in_error -= 1

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.errors[-1] += data


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


def sign_in(authorize_url: str, login: str, *, timeout: float = 10.0) -> str:
    """Sign in as `login` at the provider, starting from its authorize URL (where the app sends
    the browser), and return the redirect that leaves the provider, not followed: the client's
    redirect_uri with `code` and `state` (or with `error`, if the provider refused the request
    itself). Raises SignInRefused if the login page refuses the login, ProviderError for any
    other page the provider shows instead of redirecting."""
    if _origin(authorize_url)[0] != "http":
        raise ValueError(f"not a test provider's address: {authorize_url}")
    provider = _origin(authorize_url)
    opener = urllib.request.build_opener(
        # The provider is on 127.0.0.1: never through a proxy the environment may name.
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPCookieProcessor(CookieJar()),
        _NoRedirects(),
    )
    request = urllib.request.Request(authorize_url)
    submitted = False
    for _ in range(10):
        with opener.open(request, timeout=timeout) as response:
            status = response.status
            location = response.headers.get("Location")
            body = response.read().decode("utf-8", errors="replace")
        if status in {301, 302, 303, 307, 308} and location:
            target = urllib.parse.urljoin(request.full_url, location)
            if _origin(target) != provider:
                return target
            request = urllib.request.Request(target)
            continue
        page = _PageReader()
        page.feed(body)
        message = " ".join(" ".join(error.split()) for error in page.errors if error.strip())
        form = page.form
        if status == 200 and submitted and message:
            raise SignInRefused(f"The test provider refused the login {login!r}: {message}")
        if status != 200 or submitted or form is None:
            raise ProviderError(
                f"The test provider answered {status} at {request.full_url} where a sign-in "
                f"goes on: {message or ' '.join(body.split())[:500]}"
            )
        action = urllib.parse.urljoin(request.full_url, form.action or request.full_url)
        if _origin(action) != provider or form.method.lower() != "post":
            raise ProviderError(f"The provider's login form posts oddly: {form}")
        data = urllib.parse.urlencode({**form.fields, "login": login}).encode()
        request = urllib.request.Request(action, data=data, method="POST")
        submitted = True
    raise ProviderError(f"The test provider redirected more than 10 times from {authorize_url}")
