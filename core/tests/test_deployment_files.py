"""Docker files can't run here; check what can be: they parse and match the code."""

from __future__ import annotations

import http.client
import re
import subprocess
from pathlib import Path

import environ
import pytest
import yaml
from django.core.management import get_commands

from config.env import secret_key
from config.tests.processes import GOOD_SECRET_KEY, clean_env, venv_tool

ROOT = Path(__file__).resolve().parents[2]


def compose(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def env_example_names() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


def settings_env_names() -> set[str]:
    text = (ROOT / "config" / "settings.py").read_text() + (ROOT / "config" / "env.py").read_text()
    return set(re.findall(r'"([A-Z][A-Z0-9_]+)"', text))


def app_services() -> dict[str, dict]:
    return {k: v for k, v in compose("docker-compose.yml")["services"].items() if "build" in v}


def test_compose_has_the_stack() -> None:
    services = compose("docker-compose.yml")["services"]
    assert {"web", "celery_worker", "celery_beat", "redis", "postgres", "migrate"} <= set(services)
    assert "beat-state" in compose("docker-compose.yml")["volumes"]
    for name in ("web", "celery_worker", "celery_beat"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    for name in ("web", "celery_worker", "postgres", "redis"):
        assert "healthcheck" in services[name]


@pytest.mark.parametrize("name", ["DEBUG", "DATABASE_URL", "CELERY_BROKER_URL", "LOG_FORMAT"])
def test_every_env_var_set_by_compose_is_documented_and_read(name) -> None:
    for service in app_services().values():
        assert name in service["environment"]
    assert name in env_example_names()
    assert name in settings_env_names()


def test_compose_sets_only_known_variables() -> None:
    known = env_example_names() & settings_env_names()
    for service in app_services().values():
        assert set(service["environment"]) <= known


def test_manage_commands_in_compose_exist() -> None:
    commands = get_commands()
    for service in app_services().values():
        argv = service["command"]
        if argv[:2] == ["python", "manage.py"]:
            assert argv[2] in commands


def test_celery_and_gunicorn_targets_exist() -> None:
    import config.celery
    import config.wsgi

    assert config.celery.app.main == "config"
    assert callable(config.wsgi.application)
    for service in app_services().values():
        argv = service["command"]
        if argv[0] == "celery":
            assert argv[1:3] == ["-A", "config"]
        if argv[0] == "gunicorn":
            assert argv[1] == "config.wsgi:application"


def test_test_compose_serves_postgres_on_5433() -> None:
    service = compose("docker-compose.test.yml")["services"]["postgres-test"]
    assert service["ports"] == ["5433:5432"]


def test_dockerfile_runs_as_non_root_and_collects_static() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER collector$", text, re.M)
    assert "collectstatic --no-input" in text
    assert "gunicorn" in text


def test_the_build_time_secret_key_passes_the_production_rule(monkeypatch) -> None:
    key = re.search(r"SECRET_KEY=(\S+)", (ROOT / "Dockerfile").read_text())
    assert key is not None
    monkeypatch.setenv("SECRET_KEY", key.group(1))
    assert secret_key(environ.Env(), debug=False) == key.group(1)


def test_web_healthcheck_passes_against_production_settings() -> None:
    """compose's web command and health check, run here over plain HTTP.

    The HTTPS redirect is on (DEBUG=False) and the database is down (port 1): the
    check must still see /health/ answer, as it does before the first batch has run.
    """
    web = compose("docker-compose.yml")["services"]["web"]
    argv = [venv_tool(web["command"][0]), *web["command"][1:]]
    argv[argv.index("--bind") + 1] = "127.0.0.1:0"
    argv[argv.index("--workers") + 1] = "1"
    env = clean_env(
        DEBUG="False",
        SECRET_KEY=GOOD_SECRET_KEY,
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
        HEALTH_CHECK_BROKER="false",
        HEALTH_CHECK_WORKERS="false",
    )
    with subprocess.Popen(argv, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) as server:
        try:
            port = listening_port(server)
            # The first answer waits for the worker to boot, which compose's start allows for.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request("GET", "/status/")
            response = connection.getresponse()
            assert response.status == 301
            assert response.getheader("Location", "").startswith("https://")
            check = web["healthcheck"]["test"][1:]
            check[-1] = check[-1].replace("8000", str(port))
            result = subprocess.run(check, env=env, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stderr
        finally:
            server.terminate()


def listening_port(server: subprocess.Popen[str]) -> int:
    """The port gunicorn bound, from its "Listening at: http://127.0.0.1:PORT" line."""
    assert server.stderr is not None
    for line in server.stderr:
        match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
        if match:
            return int(match.group(1))
    raise AssertionError(f"gunicorn exited with {server.wait()} before listening")
