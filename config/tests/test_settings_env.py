"""Settings from the environment: defaults, bad values, and the production guard."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import environ
import pytest

from config import env as config_env
from config.env import SettingsError
from config.tests.processes import GOOD_SECRET_KEY, clean_env, manage
from core.testing.project_copy import copy_project


@pytest.fixture
def fresh_checkout(tmp_path: Path) -> Path:
    """A copy of the project code without .env or var/, as a fresh clone has."""
    return copy_project(tmp_path)


def test_production_without_secret_key_fails_in_one_line(fresh_checkout: Path) -> None:
    result = manage("check", cwd=fresh_checkout, DEBUG="False")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SECRET_KEY is not set and DEBUG is False; set a long random "
        "SECRET_KEY in the environment or .env"
    ]


def test_production_with_the_development_key_fails(fresh_checkout: Path) -> None:
    result = manage(
        "check", cwd=fresh_checkout, DEBUG="False", SECRET_KEY=config_env.DEV_SECRET_KEY
    )
    assert result.returncode == 1
    assert "SECRET_KEY is the development key" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_with_a_short_key_fails_in_one_line() -> None:
    result = manage("check", DEBUG="False", SECRET_KEY="k3y-" + "0123456789" * 4 + "abcde")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Configuration error: SECRET_KEY is too weak for DEBUG=False: it needs at least 50 "
        "characters (49 given) and at least 5 different ones (18 given); generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    ]


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("abcd" * 20, "(4 given)"),
        ("django-insecure-" + GOOD_SECRET_KEY, "starts with 'django-insecure-'"),
    ],
)
def test_production_refuses_low_variety_and_generated_keys(monkeypatch, key, problem) -> None:
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(SettingsError, match=problem) as raised:
        config_env.secret_key(environ.Env(), debug=False)
    assert key not in str(raised.value)


def test_production_accepts_a_good_key(monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET_KEY)
    assert config_env.secret_key(environ.Env(), debug=False) == GOOD_SECRET_KEY


def test_bad_boolean_is_named(fresh_checkout: Path) -> None:
    result = manage("check", cwd=fresh_checkout, DEBUG="maybe")
    assert result.returncode == 1
    assert result.stderr.strip() == "Configuration error: DEBUG must be true or false, got 'maybe'"


def test_non_postgres_database_url_is_refused(fresh_checkout: Path) -> None:
    result = manage("check", cwd=fresh_checkout, DEBUG="True", DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode == 1
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_importing_settings_creates_no_files(fresh_checkout: Path) -> None:
    code = "import config.settings as s; print(s.DATABASES['default']['ENGINE'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=fresh_checkout,
        env=clean_env(DEBUG="False", SECRET_KEY=GOOD_SECRET_KEY),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "core.dbbackend"
    assert not (fresh_checkout / "var").exists()
    assert not (fresh_checkout / ".env").exists()


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("no", False)]
)
def test_env_bool_values(monkeypatch, raw, expected) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    assert config_env.env_bool(environ.Env(), "SOME_FLAG", default=not expected) is expected


def test_env_int_errors(monkeypatch) -> None:
    monkeypatch.setenv("WAIT", "ten")
    with pytest.raises(SettingsError, match="WAIT must be an integer, got 'ten'"):
        config_env.env_int(environ.Env(), "WAIT", default=0)
    monkeypatch.setenv("WAIT", "-1")
    with pytest.raises(SettingsError, match="WAIT must be at least 0, got -1"):
        config_env.env_int(environ.Env(), "WAIT", default=0)
    monkeypatch.setenv("WAIT", "15")
    assert config_env.env_int(environ.Env(), "WAIT", default=0) == 15
    monkeypatch.delenv("WAIT")
    assert config_env.env_int(environ.Env(), "WAIT", default=7) == 7


def test_env_choice_error(monkeypatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="LOG_FORMAT must be one of text, json, got 'xml'"):
        config_env.env_choice(environ.Env(), "LOG_FORMAT", "text", ("text", "json"))


def test_debug_uses_dev_key_when_unset(monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert config_env.secret_key(environ.Env(), debug=True) == config_env.DEV_SECRET_KEY


def test_database_url_is_used_when_set(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://user:pw@db.example:6543/boost_dashboard")
    config = config_env.database_settings(environ.Env())
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == (
        "db.example",
        6543,
        "boost_dashboard",
    )


def test_socket_directory_in_database_url(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@%2Frun%2Fpostgresql/boost_dashboard")
    config = config_env.database_settings(environ.Env())
    assert (config["HOST"], config["NAME"]) == ("/run/postgresql", "boost_dashboard")


def test_embedded_database_when_unset(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("EMBEDDED_POSTGRES_DIR", str(tmp_path / "pg"))
    config = config_env.database_settings(environ.Env())
    assert config["ENGINE"] == "core.dbbackend"
    assert config["EMBEDDED_DATA_DIR"] == str(tmp_path / "pg")
