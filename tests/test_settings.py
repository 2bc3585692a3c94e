"""Secure by default: what settings.py gives with nothing set, in production and in development,
and what the running app does with it (no-store, idle sign-out, password rules)."""

import datetime as dt
import runpy
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils import timezone

from coreflect import settings as settings_module
from coreflect.testing import PASSWORD

SETTINGS = Path(settings_module.__file__)
# Every variable settings.py reads, cleared before each load so the caller's (CI's
# DATABASE_URL, a developer's DEBUG) cannot leak in.
VARIABLES = (
    "COREFLECT_ENV",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "TIME_ZONE",
    "TASKS_IMMEDIATE",
    "LOG_LEVEL",
    "COREFLECT_TLS_PROXY",
    "SESSION_IDLE_MINUTES",
    "NOTES_KEYS",
    "EMAIL_HOST",
    "REQUIRE_SECOND_FACTOR",
    "TRUSTED_PROXIES",
    "BASE_URL",
    "ENTRA_TENANT_ID",
    "ENTRA_CLIENT_ID",
    "ENTRA_CLIENT_SECRET",
)
NOTES_KEY = "bm90ZXMta2V5LWZvci10aGUtc2V0dGluZ3MtdGVzdHM="  # a Fernet key: 32 bytes in base64
PRODUCTION = {
    "SECRET_KEY": "x" * 60,
    "NOTES_KEYS": NOTES_KEY,
    "ALLOWED_HOSTS": "coreflect.example.nhs.uk",
    "DATABASE_URL": "postgres://coreflect@db.example/coreflect",
    "EMAIL_HOST": "smtp.example.nhs.uk",
}


@pytest.fixture
def load(monkeypatch):
    """load(VAR=value, ...): settings.py run afresh with exactly these variables set."""

    def settings_with(**variables: str) -> dict[str, object]:
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS))

    return settings_with


def test_with_nothing_set_the_secret_key_is_required_with_a_hint(load):
    with pytest.raises(ImproperlyConfigured) as refused:
        load()
    message = str(refused.value)
    assert "SECRET_KEY" in message
    assert "secrets.token_urlsafe(50)" in message
    assert "COREFLECT_ENV=development" in message


@pytest.mark.parametrize("missing", ["DATABASE_URL", "ALLOWED_HOSTS", "EMAIL_HOST"])
def test_production_requires_the_database_and_the_hosts(load, missing):
    given = {name: value for name, value in PRODUCTION.items() if name != missing}
    with pytest.raises(ImproperlyConfigured, match=missing):
        load(**given)


def test_production_requires_a_notes_key_with_a_hint(load):
    given = {name: value for name, value in PRODUCTION.items() if name != "NOTES_KEYS"}
    with pytest.raises(ImproperlyConfigured, match="NOTES_KEYS") as refused:
        load(**given)
    assert "Fernet.generate_key()" in str(refused.value)


def test_notes_keys_are_read_newest_first_from_a_comma_separated_list(load):
    older = "b2xkZXIta2V5LWZvci10aGUtc2V0dGluZ3MtdGVzdHM="
    settings = load(**{**PRODUCTION, "NOTES_KEYS": f"{NOTES_KEY}, {older}"})
    assert settings["NOTES_KEYS"] == [NOTES_KEY, older]


def test_a_notes_key_that_is_not_a_fernet_key_is_refused_without_showing_it(load):
    with pytest.raises(ImproperlyConfigured, match="Key 2 of 2") as refused:
        load(**{**PRODUCTION, "NOTES_KEYS": f"{NOTES_KEY},too-short"})
    assert "too-short" not in str(refused.value)


def test_the_secret_key_is_refused_as_a_notes_key(load):
    with pytest.raises(ImproperlyConfigured, match="must not hold SECRET_KEY"):
        load(**{**PRODUCTION, "SECRET_KEY": NOTES_KEY})


def test_with_nothing_but_the_required_variables_debug_is_off_and_https_enforced(load):
    settings = load(**PRODUCTION)
    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is False
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert "SECURE_PROXY_SSL_HEADER" not in settings


def test_production_said_explicitly_is_the_same_as_nothing_said(load):
    def upper(settings: dict[str, object]) -> dict[str, object]:
        return {name: value for name, value in settings.items() if name.isupper()}

    assert upper(load(COREFLECT_ENV="production", **PRODUCTION)) == upper(load(**PRODUCTION))


def test_an_unknown_environment_is_refused_rather_than_guessed(load):
    with pytest.raises(ImproperlyConfigured, match="'dev'"):
        load(COREFLECT_ENV="dev", **PRODUCTION)


def test_tls_ended_at_a_proxy_trusts_its_forwarded_proto_header(load):
    settings = load(COREFLECT_TLS_PROXY="1", **PRODUCTION)
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings["SECURE_SSL_REDIRECT"] is True


def test_development_needs_nothing_set_and_uses_plain_http(load):
    settings = load(COREFLECT_ENV="development")
    assert settings["DEBUG"] is True
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert str(settings["DATABASES"]["default"]["NAME"]).endswith("coreflect.sqlite3")


def test_development_reads_the_notes_key_make_wrote_unless_one_is_set(load):
    settings = load(COREFLECT_ENV="development")
    key_file = settings["NOTES_KEY_FILE"]
    if not key_file.exists():
        pytest.skip("make install writes var/notes.key")
    assert settings["NOTES_KEYS"] == key_file.read_text().split()
    assert load(COREFLECT_ENV="development", NOTES_KEYS=NOTES_KEY)["NOTES_KEYS"] == [NOTES_KEY]


def test_the_demo_runs_development_settings_with_debug_off(load):
    # As `make demo` serves it, so visitors see the designed error pages.
    settings = load(COREFLECT_ENV="development", DEBUG="0")
    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_sign_ins_idle_out_after_thirty_minutes_unless_set_and_end_with_the_browser(load):
    settings = load(**PRODUCTION)
    assert settings["SESSION_COOKIE_AGE"] == 30 * 60
    assert settings["SESSION_SAVE_EVERY_REQUEST"] is True
    assert settings["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert load(SESSION_IDLE_MINUTES="10", **PRODUCTION)["SESSION_COOKIE_AGE"] == 600


def test_the_tests_themselves_run_on_development_settings(settings):
    assert settings.PRODUCTION is False
    assert settings.SECURE_SSL_REDIRECT is False


# The running app -------------------------------------------------------------------------------


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_signed_in_pages_tell_browsers_to_keep_no_copy(login, alice):
    response = login(alice).get(reverse("home"))
    assert response.status_code == 200
    assert no_store(response)


@pytest.mark.parametrize("export", ["compliance:matrix_csv", "compliance:matrix_xlsx"])
def test_matrix_downloads_tell_browsers_to_keep_no_copy(login, hana, alice, export):
    response = login(hana).get(reverse(export))
    assert response.status_code == 200
    assert no_store(response)


def test_static_assets_are_still_cached(login, alice):
    response = login(alice).get("/static/js/app.mjs")
    assert response.status_code == 200
    assert not no_store(response)
    assert "max-age" in response["Cache-Control"]


def test_a_sign_in_ends_after_thirty_idle_minutes(login, alice):
    client = login(alice)
    later = timezone.now() + dt.timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_each_request_restarts_the_idle_clock(login, alice):
    client = login(alice)
    start = timezone.now()
    for minutes in (20, 40, 60):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("home")).status_code == 200, minutes


def test_the_session_cookie_ends_when_the_browser_closes(client, alice):
    client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie.value
    assert not cookie["expires"] and not cookie["max-age"]


def test_persona_password_passes_the_password_rules(everyone):
    for person in everyone.values():
        validate_password(PASSWORD, user=person.user)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("alice.able1", "password_too_similar"),
        ("Zq9!xv", "password_too_short"),
        ("password123", "password_too_common"),
        ("4081937256", "password_entirely_numeric"),
    ],
)
def test_each_of_the_four_password_rules_refuses_what_it_should(password, code):
    user = User(username="alice.able", email="alice.able@example.nhs.uk")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)
    assert code in {error.code for error in refused.value.error_list}


def test_production_requires_a_second_factor_whatever_the_environment_says(load):
    assert load(**PRODUCTION)["REQUIRE_SECOND_FACTOR"] is True
    assert load(**PRODUCTION, REQUIRE_SECOND_FACTOR="0")["REQUIRE_SECOND_FACTOR"] is True


def test_development_leaves_the_second_factor_optional_unless_asked(load):
    assert load(COREFLECT_ENV="development")["REQUIRE_SECOND_FACTOR"] is False
    assert load(COREFLECT_ENV="development", REQUIRE_SECOND_FACTOR="1")["REQUIRE_SECOND_FACTOR"]


def test_single_sign_on_is_off_until_all_three_entra_settings_are_given(load):
    def apps(**variables: str) -> list[dict[str, object]]:
        return load(**PRODUCTION, **variables)["SOCIALACCOUNT_PROVIDERS"]["openid_connect"]["APPS"]

    assert apps() == []
    assert apps(ENTRA_TENANT_ID="t", ENTRA_CLIENT_ID="c") == []
    (app,) = apps(ENTRA_TENANT_ID="t", ENTRA_CLIENT_ID="c", ENTRA_CLIENT_SECRET="s")
    assert app["client_id"] == "c"
    assert app["settings"]["server_url"] == "https://login.microsoftonline.com/t/v2.0"


def test_links_in_emails_use_the_first_host_unless_a_base_url_is_given(load):
    assert load(**PRODUCTION)["BASE_URL"] == "https://coreflect.example.nhs.uk"
    assert load(**PRODUCTION, BASE_URL="https://x.example/")["BASE_URL"] == "https://x.example"
