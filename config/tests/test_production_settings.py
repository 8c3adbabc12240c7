"""Production settings are safe by default: HTTPS, HSTS, secure cookies, check --deploy."""

from __future__ import annotations

import json
import sys

import pytest

from config.tests.processes import GOOD_SECRET_KEY, manage, run

PRODUCTION = {"DEBUG": "False", "SECRET_KEY": GOOD_SECRET_KEY, "ALLOWED_HOSTS": "data.example.org"}
HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
)
PRINT_HTTPS = (
    "import json, config.settings as s; "
    f"print(json.dumps({{name: getattr(s, name) for name in {HTTPS_SETTINGS!r}}}))"
)


def https_settings(**env: str) -> dict:
    result = run([sys.executable, "-c", PRINT_HTTPS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_passes_on_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_defaults_are_secure() -> None:
    assert https_settings(**PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_development_defaults_allow_plain_http() -> None:
    values = https_settings(DEBUG="True")
    assert values.pop("SECURE_HSTS_SECONDS") == 0
    assert set(values.values()) == {False, None}


def test_each_https_setting_comes_from_the_environment() -> None:
    values = https_settings(
        **PRODUCTION,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert values.pop("SECURE_HSTS_SECONDS") == 3600
    assert values.pop("SECURE_PROXY_SSL_HEADER") == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert set(values.values()) == {False}


def test_a_bad_proxy_header_is_one_line() -> None:
    result = manage("check", **PRODUCTION, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Configuration error: SECURE_PROXY_SSL_HEADER must be a header name such as "
        "X-Forwarded-Proto, got 'X-Forwarded-Proto: https'"
    ]


@pytest.fixture
def ssl_redirect(settings):
    """Production's redirect; the test settings turn it off for the plain-HTTP test client."""
    settings.SECURE_SSL_REDIRECT = True
    settings.HEALTH_CHECK_BROKER = False
    settings.HEALTH_CHECK_WORKERS = False


def test_plain_http_is_redirected_to_https(client, ssl_redirect) -> None:
    response = client.get("/status/")
    assert (response.status_code, response["Location"]) == (301, "https://testserver/status/")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/health/", "/metrics"])
def test_probes_are_not_redirected(client, ssl_redirect, path) -> None:
    assert client.get(path).status_code in {200, 403, 503}


def test_a_trusted_proxy_header_marks_the_request_secure(client, ssl_redirect, settings) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/status/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 302  # on to the login page, no HTTPS redirect
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
