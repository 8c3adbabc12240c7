"""The fake serves only what Pinecone's published 2025-10 specs define, as they define it."""

from __future__ import annotations

from pathlib import Path

import yaml

from cppa_pinecone_sync.tests.pinecone_fake import CONTROL_ROUTES, DATA_ROUTES

SPECS = Path(__file__).parent / "fixtures" / "pinecone-api"


def _operations(name: str) -> dict[tuple[str, str], dict]:
    spec = yaml.safe_load((SPECS / name).read_text(encoding="utf-8"))
    return {
        (method.upper(), path): operation
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if method in {"get", "post", "delete", "patch", "put"}
    }


def test_every_route_of_the_fake_is_in_the_specs() -> None:
    assert set(_operations("db_data_2025-10.oas.yaml")) >= DATA_ROUTES
    assert set(_operations("db_control_2025-10.oas.yaml")) >= CONTROL_ROUTES


def test_the_fake_answers_with_the_status_codes_the_spec_gives() -> None:
    data = _operations("db_data_2025-10.oas.yaml")
    assert "201" in data[("POST", "/records/namespaces/{namespace}/upsert")]["responses"]
    assert "200" in data[("POST", "/records/namespaces/{namespace}/search")]["responses"]
    control = _operations("db_control_2025-10.oas.yaml")
    assert "201" in control[("POST", "/indexes/create-for-model")]["responses"]
    assert "404" in control[("GET", "/indexes/{index_name}")]["responses"]
