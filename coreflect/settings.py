"""Settings, read from the environment through small typed helpers.

Safe when nothing is set: that is production, which needs SECRET_KEY, DATABASE_URL and
ALLOWED_HOSTS, keeps DEBUG off and insists on HTTPS. Development settings (SQLite under var/, a
throwaway secret key, DEBUG on, plain HTTP) only when asked for with COREFLECT_ENV=development,
as `make demo`, `make test` and pytest do. docs/development.md lists every variable.
"""

import base64
import binascii
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
ENVIRONMENT = os.environ.get("COREFLECT_ENV") or "production"
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"COREFLECT_ENV is {ENVIRONMENT!r}: set it to development or production "
        "(unset means production)."
    )
PRODUCTION = ENVIRONMENT == "production"


def env_str(name: str, default: str, *, required_in_production: str = "") -> str:
    """The variable's value, else the default; in production a required one must be set."""
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION and required_in_production:
        raise ImproperlyConfigured(
            f"Set the environment variable {name}. {required_in_production} "
            "(On your own machine, set COREFLECT_ENV=development instead.)"
        )
    return default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


SECRET_KEY = env_str(
    "SECRET_KEY",
    "development-only-not-secret",
    required_in_production="Make one: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
)


def is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
    except (ValueError, binascii.Error):
        return False


# Note content is encrypted at rest (coreflect/notes/encryption.py) with Fernet keys that are not
# SECRET_KEY, so neither that key nor a copy of the database alone reads any notes. NOTES_KEYS
# holds one or more, comma separated, newest first: writes use the first, reads try each. To
# rotate, put a new key first, keep the old one after it, run `coreflect rotate-notes-key`, then
# remove the old one. In development `make install` writes var/notes.key once, read instead.
NOTES_KEY_FILE = BASE_DIR / "var" / "notes.key"
_notes_keys = env_str(
    "NOTES_KEYS",
    NOTES_KEY_FILE.read_text() if not PRODUCTION and NOTES_KEY_FILE.exists() else "",
    required_in_production="Make one: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())' (docs/development.md says how to rotate it).",
)
NOTES_KEYS = _notes_keys.replace(",", " ").split()
for _place, _key in enumerate(NOTES_KEYS, start=1):
    if not is_fernet_key(_key):
        raise ImproperlyConfigured(
            f"Key {_place} of {len(NOTES_KEYS)} in NOTES_KEYS is not a Fernet key: 32 bytes in "
            "URL-safe base64, as Fernet.generate_key() makes."
        )
    if _key == SECRET_KEY:
        raise ImproperlyConfigured("NOTES_KEYS must not hold SECRET_KEY: give the notes their own.")
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set ALLOWED_HOSTS, e.g. ALLOWED_HOSTS=coreflect.example.nhs.uk "
        "(On your own machine, set COREFLECT_ENV=development instead.)"
    )

INSTALLED_APPS = [
    # Django's admin, for superusers only, every change audited (coreflect/admin_site.py).
    "coreflect.admin_apps.CoreflectAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    # allauth's list of security keys says when each was last used with it.
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    # Sign-in (coreflect/signin): accounts, password reset, the second factor and Entra ID.
    # First, so its templates for allauth's pages are found before allauth's own.
    "coreflect.signin",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "coreflect.people",
    "coreflect.policy",
    "coreflect.supervision",
    "coreflect.calendars",
    "coreflect.agreements",
    "coreflect.compliance",
    "coreflect.notes",
    "coreflect.imports",
    "coreflect.audit",
    "coreflect.disclosures",
    "coreflect.retention",
    "coreflect.auditlog",
    "coreflect.governance",
    "coreflect.staff",
    "coreflect.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static assets keep their caching headers.
    "coreflect.middleware.NoStore",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A leaver's sign-in ends; without a second factor only enrolment and signing out open.
    "coreflect.signin.middleware.LeaversSignedOut",
    "coreflect.signin.middleware.SecondFactorRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "coreflect.middleware.ExplainMethodNotAllowed",
]

ROOT_URLCONF = "coreflect.urls"
WSGI_APPLICATION = "coreflect.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "coreflect" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coreflect.context_processors.current_person",
            ],
        },
    },
]

# Form widgets render with the project's templates, so coreflect/templates can override them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str(
            "DATABASE_URL",
            f"sqlite:///{BASE_DIR / 'var' / 'coreflect.sqlite3'}",
            required_in_production="For example postgres://coreflect@db.example/coreflect",
        ),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SILENCED_SYSTEM_CHECKS = [
    # The counting indexes carry extra columns on PostgreSQL; SQLite (the zero-setup default)
    # makes them as plain indexes, which is all it needs.
    "models.W040",
    # HSTS is sent, but not preloaded: that is the domain owner's decision (SECURE_HSTS_PRELOAD).
    "security.W021",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = ["coreflect.signin.backends.AuthenticationBackend"]

# Where people reach Coreflect, for links in emails sent from no request (an import's
# invitations): https and the first of ALLOWED_HOSTS unless set.
BASE_URL = env_str(
    "BASE_URL",
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000",
).rstrip("/")

# The client's address, for the audit log and the sign-in rate limits, is the connection's.
# Behind a reverse proxy or load balancer, TRUSTED_PROXIES lists its addresses (or networks,
# e.g. 10.0.0.0/24): only a request arriving from one of them has its X-Forwarded-For read,
# from the right, skipping the trusted hops. A forged X-Forwarded-For from anyone else changes
# nothing (docs/sign-in.md).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

# Accounts (django-allauth): sign in with an email address or (existing accounts) a username.
# Nobody signs themselves up: accounts come from the people records (coreflect/signin/adapter.py).
ACCOUNT_ADAPTER = "coreflect.signin.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "coreflect.signin.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_FORMS = {
    name: f"coreflect.signin.forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reauthenticate": "ReauthenticateForm",
    }.items()
}
MFA_FORMS = {
    "authenticate": "coreflect.signin.forms.AuthenticateForm",
    "reauthenticate": "coreflect.signin.forms.MFAReauthenticateForm",
    "activate_totp": "coreflect.signin.forms.ActivateTOTPForm",
}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Addresses come from the organisation's own records, not from whoever signs up.
ACCOUNT_EMAIL_VERIFICATION = "none"
# A reset asked for an address with no account sends nothing (the page says the same either way).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# "Your password was changed" and "a second factor was added" go to the person's email.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Coreflect: "
# Sign-in throttling (docs/sign-in.md gives the figures): after SIGN_IN_FAILURES_PER_ACCOUNT
# wrong passwords for one account within SIGN_IN_LOCK_MINUTES, that account cannot sign in
# until the window ends, whatever the address; one address gets SIGN_IN_FAILURES_PER_ADDRESS
# failures in the window, whatever the accounts. Password reset emails are limited the same way.
SIGN_IN_FAILURES_PER_ACCOUNT = env_int("SIGN_IN_FAILURES_PER_ACCOUNT", 5)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 20)
SIGN_IN_LOCK_MINUTES = env_int("SIGN_IN_LOCK_MINUTES", 15)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{SIGN_IN_FAILURES_PER_ADDRESS}/{SIGN_IN_LOCK_MINUTES}m/ip,"
    f"{SIGN_IN_FAILURES_PER_ACCOUNT}/{SIGN_IN_LOCK_MINUTES}m/key",
    "login": "30/m/ip",
    "reset_password": "20/h/ip,3/h/key",
    "reset_password_from_key": "20/h/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# A reset link, and an invitation's link to set a first password, work once and expire after
# this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_LINK_HOURS", 72) * 60 * 60

# The second factor (allauth MFA): an authenticator app (TOTP) with recovery codes, or a
# security key or passkey (WebAuthn). Production requires one of every person before any page
# but enrolment and signing out (coreflect/signin/middleware.py); development may leave it
# optional, with a banner saying so, unless REQUIRE_SECOND_FACTOR=1. Production cannot turn it off.
REQUIRE_SECOND_FACTOR = PRODUCTION or env_bool("REQUIRE_SECOND_FACTOR", False)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Coreflect"
MFA_PASSKEY_LOGIN_ENABLED = False
# Addresses come from the organisation's records (ACCOUNT_EMAIL_VERIFICATION above), so a
# second factor does not wait for an address to be verified.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# WebAuthn needs HTTPS, except on 127.0.0.1 and localhost in development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION

# Single sign-on with Microsoft Entra ID over OpenID Connect (docs/sign-in.md says how to
# register the app): on when ENTRA_TENANT_ID, ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET are set.
# Accounts are linked on the token's tid and oid claims (coreflect/signin/entra.py).
ENTRA_TENANT_ID = env_str("ENTRA_TENANT_ID", "")
ENTRA_CLIENT_ID = env_str("ENTRA_CLIENT_ID", "")
ENTRA_CLIENT_SECRET = env_str("ENTRA_CLIENT_SECRET", "")
ENTRA_AUTHORITY = env_str("ENTRA_AUTHORITY", "https://login.microsoftonline.com").rstrip("/")
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "coreflect.signin.entra.EntraProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "entra",
                "name": "your Microsoft work account",
                "client_id": ENTRA_CLIENT_ID,
                "secret": ENTRA_CLIENT_SECRET,
                "settings": {
                    "server_url": f"{ENTRA_AUTHORITY}/{ENTRA_TENANT_ID}/v2.0",
                    "tenant_id": ENTRA_TENANT_ID,
                    # Entra's userinfo is Microsoft Graph's and lacks tid and oid: the id token
                    # holds what is needed.
                    "fetch_userinfo": False,
                },
            }
        ]
        if ENTRA_TENANT_ID and ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET
        else [],
    }
}

# Email (Django's mailers): SMTP to EMAIL_HOST (with EMAIL_PORT, EMAIL_HOST_USER,
# EMAIL_HOST_PASSWORD, EMAIL_USE_TLS); in development, unless EMAIL_HOST is set, emails are
# printed on the console instead. Production cannot start without EMAIL_HOST.
# (Lower case: EMAIL_HOST itself is a deprecated setting now the mailer holds it.)
email_host = env_str(
    "EMAIL_HOST", "", required_in_production="The SMTP server for Coreflect's emails."
)
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": email_host,
            "port": env_int("EMAIL_PORT", 587 if PRODUCTION else 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", PRODUCTION),
            "timeout": 30,
        },
    }
    if email_host
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Coreflect <coreflect@localhost>")

# The sign-in rate limits need a cache every worker shares: the database's (its table is made
# by coreflect/signin's migration).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "coreflect_cache",
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "coreflect" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve the compiled assets straight from the app folders, so a fresh clone needs no
# collectstatic step; whitenoise still sends them with caching headers.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = BASE_DIR / "var" / "media"

# A strict policy: no inline script or style, nothing from other hosts. The one exception is
# where the sign-in page's "Sign in with your Microsoft work account" form goes on to (browsers
# apply form-action to the redirect after the form too): Entra ID's sign-in, when it is on.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [
        CSP.SELF,
        *([ENTRA_AUTHORITY] if SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] else []),
    ],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# A sign-in ends after SESSION_IDLE_MINUTES without a request (every request saves the session,
# which restarts the clock) and when the browser closes: a shared ward computer left signed in
# does not stay open to the next person.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# HTTPS only in production: plain HTTP is redirected and browsers are told (HSTS) to use HTTPS
# for a year, subdomains included. Where TLS ends at a proxy or load balancer in front of
# gunicorn, COREFLECT_TLS_PROXY=1 trusts its X-Forwarded-Proto header; the proxy must set that
# header itself, replacing any the browser sent. Without it, behind such a proxy, every request
# looks like plain HTTP and is redirected in a loop.
SECURE_SSL_REDIRECT = PRODUCTION
if env_bool("COREFLECT_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
# Not on browsers' preload list: preloading commits the trust's whole domain, every subdomain
# included, to HTTPS in every browser for months after any change of mind. That is the domain
# owner's decision, not this service's, so security.W021 is silenced (SILENCED_SYSTEM_CHECKS).
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Background work (imports) runs through Django's tasks framework. The database backend needs
# `coreflect db_worker` running; TASKS_IMMEDIATE=1 runs tasks in the request instead (tests).
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if env_bool("TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend"
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# The most one import (the upload page or `coreflect import`) takes, all files together.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# A request bigger than that has its files skipped as they arrive (nothing of them in memory
# or on disk), and the upload page says why; the proxy in front should also cap request bodies
# (for example nginx's client_max_body_size) so that such a body is not sent at all.
FILE_UPLOAD_HANDLERS = [
    "coreflect.imports.uploads.RefuseOversized",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
