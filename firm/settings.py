"""
ClientCalls settings: one module, read from the environment, with defaults that let a
fresh clone run with no configuration (SQLite file). DEBUG is off unless set: `make run` and
the tests (pyproject.toml) set DEBUG=1. Production sets SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL; see .env.example and deploy/.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from firm.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless set: a server started without configuration must not show tracebacks or run
# with the public development key below (it refuses to start instead).
DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY: DEBUG is off and there is no development key.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "firm.apps.FirmConfig",
    "firm.apps.FirmAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "csp",
    "firm.apps.AxesConfig",  # django-axes, its admin section named in Italian
    # Long work off the request (firm/jobs.py): Django's tasks API (the django_tasks backport)
    # with its database backend, run by `manage.py db_worker` (deploy/clientcalls-worker.service).
    "django_tasks",
    "django_tasks_db",
    "clients",
    "calls",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # 400 for a NUL (or an impossible admin date) in a query string or form, before any view.
    "firm.middleware.RefuseUnstorableInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a logged-in user unless it opts out with @login_not_required:
    # call logs and client lists are confidential.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "firm.middleware.NoStoreForUsersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out login into the lockout page (firm/auth.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "firm.urls"
WSGI_APPLICATION = "firm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "firm.context_processors.roles",
            ],
        },
    },
]

# SQLite file in the checkout by default; DATABASE_URL (postgres://…) in production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
        # A connection kept between requests (CONN_MAX_AGE) is tested before a request uses
        # it: after a PostgreSQL restart the first request of each thread opens a new one
        # instead of answering 500.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while an import writes; IMMEDIATE avoids "database is locked"
    # when two writers meet (two imports, an import and an admin edit).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, firm/auth.py): its backend comes first and refuses a locked
# user+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "firm.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "firm.auth.lockout_response"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
# locale: the project's strings, refreshed by `make messages` (makemessages writes to the first
# path). locale_django: hand-kept corrections to Django's, the admin's and django-axes' own
# Italian strings, which makemessages would drop from the first as unused. Both override
# Django's catalogues; compilemessages compiles both.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic writes (production: before the first start and after each upgrade).
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploads (only the letterhead logo, firm settings): kept on disk and read from there when a
# statement is printed; not served over HTTP.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# Where listen_cdr keeps every line of the live 3CX feed before importing it
# (calls/importing/live_feed.py).
CDR_SPOOL_DIR = Path(envstr("CDR_SPOOL_DIR", str(BASE_DIR / "var" / "cdr-spool")))
# listen_cdr --listen: connections read at once (four times as many more wait unread for a
# reader; beyond those they are closed), and the seconds after which a connection that
# sends nothing is closed.
CDR_FEED_MAX_CONNECTIONS = envint("CDR_FEED_MAX_CONNECTIONS", 16)
CDR_FEED_IDLE_SECONDS = envint("CDR_FEED_IDLE_SECONDS", 60)
# listen_cdr --format panasonic_smdr --connect: the log-in of the PBX's SMDR port (the
# PBX's defaults), and the longest pause between two attempts to connect again.
PBX_SMDR_USER = envstr("PBX_SMDR_USER", "SMDR")
PBX_SMDR_PASSWORD = envstr("PBX_SMDR_PASSWORD", "PCCSMDR")
CDR_FEED_RECONNECT_MAX_SECONDS = envint("CDR_FEED_RECONNECT_MAX_SECONDS", 120)
# listen_cdr --watch: a file is read once its size has not changed for this many seconds
# (a PBX or an SFTP upload may still be writing it); a last line without its line end once
# the file has not changed for CDR_WATCH_FINAL_SECONDS.
CDR_WATCH_SETTLE_SECONDS = envint("CDR_WATCH_SETTLE_SECONDS", 10)
CDR_WATCH_FINAL_SECONDS = envint("CDR_WATCH_FINAL_SECONDS", 3600)

# Server connections a PostgreSQL import writes its batches over, so the server inserts on
# more than one core while the importer reads the file (calls/importing/writers.py); 1: one.
CDR_IMPORT_CONNECTIONS = envint("CDR_IMPORT_CONNECTIONS", 2)

# The admin's CDR upload refuses a file larger than this, or files adding up to more than
# that, with a message (calls/forms.py); import_cdr has no limit.
CDR_UPLOAD_MAX_FILE_BYTES = envint("CDR_UPLOAD_MAX_FILE_BYTES", 50 * 1024 * 1024)
CDR_UPLOAD_MAX_REQUEST_BYTES = envint("CDR_UPLOAD_MAX_REQUEST_BYTES", 100 * 1024 * 1024)

# Client and matter lists in XLSX (clients/importing.py): refused before parsing when their
# members add up to more than this uncompressed (a small XLSX can hold gigabytes of XML), and
# while reading past this many rows.
XLSX_MAX_UNCOMPRESSED_BYTES = envint("XLSX_MAX_UNCOMPRESSED_BYTES", 50 * 1000 * 1000)
XLSX_MAX_ROWS = envint("XLSX_MAX_ROWS", 100_000)

# Processes that render a long PDF's chunks side by side (firm/lib/pdf.py, decision 2); 1 renders
# in the web process itself.
PDF_WORKERS = envint("PDF_WORKERS", min(os.cpu_count() or 1, 4))

# Tasks (docs/tasks.md): queued in the database itself (SQLite or PostgreSQL, no broker) and
# run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A call-log PDF of more calls than this is printed by the worker (with its progress shown);
# up to it the PDF comes at once, in the request.
PDF_SYNC_MAX_ROWS = envint("PDF_SYNC_MAX_ROWS", 500)
# Days a job's file (a month pack, a long PDF) stays downloadable; then `delete_old_jobs`
# (deploy/daily.sh) deletes it.
JOB_FILES_KEEP_DAYS = envint("JOB_FILES_KEEP_DAYS", 3)
# A running job's worker writes a heartbeat this often; a job silent for JOB_STALE_SECONDS
# lost its worker (killed, rebooted): it is retried once, then marked failed.
JOB_HEARTBEAT_SECONDS = envint("JOB_HEARTBEAT_SECONDS", 15)
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 120)

# E-mail (the daily reminder, issued statements): Django's own settings, from the
# environment (.env.example). Without EMAIL_HOST, a fresh clone prints e-mails on the console
# when DEBUG is on and talks to an SMTP server on localhost otherwise.
EMAIL_HOST = envstr("EMAIL_HOST", "")
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
# Seconds before a silent SMTP server counts as down (a run reports it and goes on).
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "ClientCalls <clientcalls@localhost>")
SERVER_EMAIL = envstr("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The address users open the site at, for links in e-mails (no trailing slash needed).
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Production hardening: on whenever DEBUG is off (manage.py check --deploy passes).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# Only behind a reverse proxy that sets X-Forwarded-Proto itself (deploy/Caddyfile,
# deploy/nginx.conf); trusted always, any client could claim "https".
TRUST_PROXY_HEADERS = envbool("TRUST_PROXY_HEADERS", False)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Login throttling counts failures per client address (firm.auth.client_address): with
# TRUST_PROXY_HEADERS, the address the proxy of deploy/ saw, else the connection's.
AXES_CLIENT_IP_CALLABLE = "firm.auth.client_address"
# Monitoring may ask the app server for /health/ directly, over plain HTTP on loopback.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Submitting a domain to the browsers' HSTS preload list is the firm's own decision.
# models.W040: the call indexes' INCLUDE columns are for PostgreSQL; SQLite ignores them by
# design (its indexes hold leg_of as a key column instead: calls/models/calls.py).
SILENCED_SYSTEM_CHECKS = ["security.W021", "models.W040"]
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)  # one working day

# Content-Security-Policy (django-csp): only the app's own scripts, styles, images and fonts;
# no inline script or style (pages keep theirs in static/), no plugins, no framing, forms
# post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Django's default, stated: our addresses (with their filters) never reach another site.
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_one_line": {"()": "firm.log.ForbiddenOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
    "loggers": {
        # With LOG_LEVEL=INFO these would write lines for every PDF printed.
        **{name: {"level": "WARNING"} for name in ("weasyprint.progress", "fontTools")},
        # A 403 is one line, not a traceback (firm/log.py).
        "django.request": {"filters": ["forbidden_one_line"]},
    },
}
