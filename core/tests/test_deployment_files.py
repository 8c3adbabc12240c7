"""Docker files can't run here; check what can be: they parse and match the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

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
