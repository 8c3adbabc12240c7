"""Django settings for Boost Data Collector.

Every value comes from the environment (or `.env`); `.env.example` documents each
variable. Importing this module has no side effects on disk: the embedded
PostgreSQL server starts on the first database connection, not here.
"""

from __future__ import annotations

from config.env import (
    BASE_DIR,
    database_settings,
    env_bool,
    env_choice,
    env_int,
    load_env,
    secret_key,
)
from core.logging import build_logging_config

env = load_env()

DEBUG = env_bool(env, "DEBUG", default=False)
SECRET_KEY = secret_key(env, debug=DEBUG)
ALLOWED_HOSTS = [
    host.strip()
    for host in env.str("ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "core",
    # Collector apps, alphabetical.
    "boost_library_tracker",
    "cppa_user_tracker",
    "github_activity_tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_settings(env)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))

# Where collectors keep files (raw archives, clones); created on first use only.
WORKSPACE_DIR = env.str("WORKSPACE_DIR", default=str(BASE_DIR / "var" / "workspace"))

LOG_FORMAT = env_choice(env, "LOG_FORMAT", default="text", choices=("text", "json"))
LOG_LEVEL = env_choice(
    env, "LOG_LEVEL", default="info", choices=("debug", "info", "warning", "error")
).upper()
LOGGING = build_logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# Seconds a collector command waits for its advisory lock with --wait-lock (0 = forever).
COLLECTOR_LOCK_WAIT_SECONDS = env_int(env, "COLLECTOR_LOCK_WAIT_SECONDS", default=0)
