"""core.quarantine: keeping, updating and releasing bad items; storing a page around one."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from core.bad_items import BadItem, parse_each, payload_key
from core.bulk import upsert
from core.models import Checkpoint, QuarantinedItem
from core.quarantine import quarantine_items, store_page

pytestmark = pytest.mark.django_db


def test_a_failure_kept_again_updates_its_row() -> None:
    bad = BadItem(
        key="7",
        url="http://x/a?access_token=s3cret",
        payload={"a\x00": "b"},
        error=ValueError("one"),
    )
    quarantine_items(collector="c", scope="s", items=[bad])
    quarantine_items(
        collector="c",
        scope="s",
        items=[BadItem(key="7", url="", payload=None, error=KeyError("two"))],
    )

    [row] = QuarantinedItem.objects.all()
    assert (row.attempts, row.category, row.reason) == (2, "unknown", "KeyError: 'two'")
    assert row.first_seen < row.last_seen


def test_payload_and_url_are_stored_without_nul_or_secrets() -> None:
    bad = BadItem(
        key="7", url="http://x/a?access_token=s3cret", payload={"a\x00": "b"}, error=ValueError("x")
    )
    quarantine_items(collector="c", scope="s", items=[bad])

    row = QuarantinedItem.objects.get()
    assert row.payload == {"a": "b"}
    assert "s3cret" not in row.url


def test_payload_key_prefers_the_source_id_and_is_stable_without_one() -> None:
    assert payload_key({"id": 5, "sha": "x"}) == "5"
    assert payload_key(["odd"]) == payload_key(["odd"]) != payload_key(["other"])


def _store(chunk) -> int:
    rows = [{"collector": "c", "source_key": key, "cursor": {}} for key in chunk]
    return upsert(
        model=Checkpoint,
        rows=rows,
        unique_fields=["collector", "source_key"],
        update_fields=["cursor"],
    ).created


def test_one_refused_item_is_kept_and_the_transaction_goes_on() -> None:
    def parse(payload: object, *, url: str) -> str:
        if not isinstance(payload, str):
            raise ValueError("not a key")
        return payload

    page = parse_each(["ok-1", "x" * 600, "ok-2", 3], parse, url="u")
    with transaction.atomic():
        stored = store_page(collector="c", scope="s", page=page, store=_store, key=lambda k: k[:20])
        assert connection.needs_rollback is False
    assert sorted(Checkpoint.objects.values_list("source_key", flat=True)) == ["ok-1", "ok-2"]
    assert stored.stored == ["ok-1", "ok-2"]
    kept = dict(QuarantinedItem.objects.values_list("item_key", "category"))
    assert kept == {"x" * 20: "database", payload_key(3): "validation"}
