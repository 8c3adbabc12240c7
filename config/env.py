"""Environment reading shared by the settings modules.

Settings come only from the environment (and an optional `.env` file beside
`manage.py`); this module keeps the parsing rules and their error messages in one
place so every bad value is reported the same way, in one line.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote

import environ
from django.core.checks.security.base import (  # check --deploy's rule for the key (W009)
    SECRET_KEY_INSECURE_PREFIX,  # pyright: ignore[reportAttributeAccessIssue] - not in the stubs
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# The key shipped in .env.example: fine on a laptop, refused in production.
DEV_SECRET_KEY = "dev-insecure-change-me"
GENERATE_KEY_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
HEADER_NAME = re.compile(r"[A-Za-z0-9-]+")


class SettingsError(ImproperlyConfigured):
    """A setting is missing or malformed; the message names it and the fix."""


def exit_on_settings_error(exc: SettingsError) -> NoReturn:
    """Print the one line an operator needs and exit 1: a known failure, no traceback."""
    sys.stderr.write(f"Configuration error: {exc}\n")
    sys.stderr.flush()
    raise SystemExit(1)


def load_settings_or_exit() -> None:
    """Import Django's settings now, so a bad value stops a server before it starts.

    Celery and gunicorn read settings lazily, deep inside their own start-up code,
    which prints a traceback for any exception; loading them first keeps it to one line.
    """
    from django.conf import settings

    if settings.configured:
        return
    module = os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        importlib.import_module(module)  # Django finds it in sys.modules later
    except SettingsError as exc:
        exit_on_settings_error(exc)


def load_env() -> environ.Env:
    """Return an `environ.Env`, reading `.env` first when it exists (never creating it)."""
    env = environ.Env()
    dotenv = BASE_DIR / ".env"
    if dotenv.is_file():
        environ.Env.read_env(str(dotenv), overwrite=False)
    return env


def env_bool(env: environ.Env, name: str, default: bool) -> bool:
    """Read a boolean, rejecting values that are neither true nor false."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def env_int(env: environ.Env, name: str, default: int, *, minimum: int = 0) -> int:
    """Read an integer of at least `minimum`, with a one-line error otherwise."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_float(
    env: environ.Env, name: str, default: float, *, minimum: float, maximum: float
) -> float:
    """Read a number from `minimum` to `maximum`, with a one-line error otherwise."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be from {minimum} to {maximum}, got {value}")
    return value


def env_choice(env: environ.Env, name: str, default: str, choices: tuple[str, ...]) -> str:
    """Read one of a fixed set of strings (case-insensitive)."""
    raw = env.str(name, default=default).strip().lower()
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def secret_key(env: environ.Env, *, debug: bool) -> str:
    """Return SECRET_KEY; production (DEBUG=False) refuses a missing, dev or weak key.

    "Weak" is Django's own rule (check --deploy's security.W009), imported rather than
    copied so the two never disagree; the key itself never appears in the message.
    """
    key = env.str("SECRET_KEY", default="").strip()
    if debug:
        return key or DEV_SECRET_KEY
    if not key:
        raise SettingsError(
            "SECRET_KEY is not set and DEBUG is False; set a long random SECRET_KEY "
            "in the environment or .env"
        )
    if key == DEV_SECRET_KEY:
        raise SettingsError(
            "SECRET_KEY is the development key from .env.example and DEBUG is False; "
            "set a unique SECRET_KEY for production"
        )
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        raise SettingsError(
            f"SECRET_KEY starts with {SECRET_KEY_INSECURE_PREFIX!r} (a key Django generated "
            f"for development) and DEBUG is False; generate one with: {GENERATE_KEY_HINT}"
        )
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        raise SettingsError(
            f"SECRET_KEY is too weak for DEBUG=False: it needs at least {SECRET_KEY_MIN_LENGTH} "
            f"characters ({len(key)} given) and at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS} "
            f"different ones ({len(set(key))} given); generate one with: {GENERATE_KEY_HINT}"
        )
    return key


def proxy_ssl_header(env: environ.Env) -> tuple[str, str] | None:
    """SECURE_PROXY_SSL_HEADER from a header name: requests carrying `<name>: https` are secure.

    Empty (the default) trusts no header: only set it when a proxy in front of the app
    always sets or strips that header, or any client could claim to be on HTTPS.
    """
    raw = env.str("SECURE_PROXY_SSL_HEADER", default="").strip()
    if not raw:
        return None
    if not HEADER_NAME.fullmatch(raw):
        raise SettingsError(
            f"SECURE_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, got {raw!r}"
        )
    return "HTTP_" + raw.upper().replace("-", "_"), "https"


def database_settings(env: environ.Env) -> dict:
    """Return the default DATABASES entry: DATABASE_URL, else the embedded server.

    The embedded server is not started here: importing settings must not touch the
    disk. The `core.dbbackend` engine starts it on the first connection.
    """
    url = env.str("DATABASE_URL", default="").strip()
    if url:
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # environ raises several types for a bad URL
            raise SettingsError(f"DATABASE_URL is not a valid database URL: {exc}") from None
        engine = config.get("ENGINE", "")
        if "postgresql" not in engine:
            raise SettingsError(
                "DATABASE_URL must point at PostgreSQL (postgres://...); "
                f"this project does not support {engine or 'that engine'}"
            )
        config["ENGINE"] = "django.db.backends.postgresql"
        # A Unix socket directory comes percent-encoded (postgres://%2Frun%2Fpostgresql/db).
        config["HOST"] = unquote(str(config.get("HOST") or ""))
        return config
    data_dir = env.str("EMBEDDED_POSTGRES_DIR", default=str(BASE_DIR / "var" / "postgres"))
    return {
        "ENGINE": "core.dbbackend",
        "NAME": "postgres",
        "USER": "postgres",
        "OPTIONS": {},
        "EMBEDDED_DATA_DIR": data_dir,
    }


SLACK_TOKEN_PREFIX = "SLACK_BOT_TOKEN_"


def slack_bot_tokens(env: environ.Env) -> dict[str, str]:
    """Slack bot tokens by team label: `default` for SLACK_BOT_TOKEN, `<label>` (lower
    case) for each SLACK_BOT_TOKEN_<LABEL>. Empty values are left out."""
    tokens: dict[str, str] = {}
    default = env.str("SLACK_BOT_TOKEN", default="").strip()
    if default:
        tokens["default"] = default
    for name in sorted(os.environ):
        if name.startswith(SLACK_TOKEN_PREFIX) and len(name) > len(SLACK_TOKEN_PREFIX):
            value = os.environ[name].strip()
            if value:
                tokens[name[len(SLACK_TOKEN_PREFIX) :].lower()] = value
    return tokens
