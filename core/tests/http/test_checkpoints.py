"""Checkpoints: saved with their data, rolled back with it, and a resume that loses
and duplicates nothing wherever the run was interrupted."""

from __future__ import annotations

import httpx
import pytest
from django.db import transaction

from core.checkpoints import clear_checkpoint, get_checkpoint, save_checkpoint
from core.errors import CollectorFailureCategory, RateLimitExhausted, classify_failure
from core.http import GitHubClient
from core.testing import fixture_server as faults
from core.tests.http.conftest import ISSUE_PAGES, ISSUES_PARAMS, ISSUES_PATH

pytestmark = pytest.mark.django_db

COLLECTOR = "demo"
CURSOR_KEY = "octokit-fixture-org/paginate-issues:issues"
# The "data" a page writes: a list of stored issue numbers, kept as its own row so
# the test needs no demo table; what matters is that it shares the transaction.
DATA_KEY = "stored-issue-numbers"


def store_pages(client: GitHubClient) -> None:
    """Fetch from the saved cursor on; store each page and its cursor in one transaction."""
    cursor = get_checkpoint(collector=COLLECTOR, source_key=CURSOR_KEY) or {}
    if cursor.get("done"):
        return
    for page in client.pages(ISSUES_PATH, params=ISSUES_PARAMS, start_url=cursor.get("next")):
        with transaction.atomic():
            stored = get_checkpoint(collector=COLLECTOR, source_key=DATA_KEY) or []
            numbers = stored + [item["number"] for item in page.items]
            save_checkpoint(collector=COLLECTOR, source_key=DATA_KEY, cursor=numbers)
            save_checkpoint(
                collector=COLLECTOR,
                source_key=CURSOR_KEY,
                cursor={"next": page.next_url, "done": page.next_url is None},
            )


def test_a_checkpoint_is_read_back_and_replaced() -> None:
    assert get_checkpoint(collector=COLLECTOR, source_key="k") is None
    with transaction.atomic():
        save_checkpoint(collector=COLLECTOR, source_key="k", cursor={"since": "2026-01-01"})
    with transaction.atomic():
        save_checkpoint(collector=COLLECTOR, source_key="k", cursor={"since": "2026-02-01"})

    assert get_checkpoint(collector=COLLECTOR, source_key="k") == {"since": "2026-02-01"}
    assert get_checkpoint(collector="other", source_key="k") is None
    assert clear_checkpoint(collector=COLLECTOR, source_key="k") == 1


def test_a_rolled_back_transaction_takes_its_checkpoint_with_it() -> None:
    def write_page_then_fail() -> None:
        with transaction.atomic():
            save_checkpoint(collector=COLLECTOR, source_key=DATA_KEY, cursor=[1, 2, 3])
            save_checkpoint(collector=COLLECTOR, source_key=CURSOR_KEY, cursor={"next": "p2"})
            raise RuntimeError("the data write failed")

    with pytest.raises(RuntimeError):
        write_page_then_fail()

    assert get_checkpoint(collector=COLLECTOR, source_key=DATA_KEY) is None
    assert get_checkpoint(collector=COLLECTOR, source_key=CURSOR_KEY) is None


def test_a_checkpoint_needs_a_collector_and_a_key() -> None:
    with pytest.raises(ValueError, match="collector name and a source key"):
        save_checkpoint(collector="", source_key="k", cursor=1)


@pytest.mark.django_db(transaction=True)
def test_save_outside_atomic_needs_require_transaction_false() -> None:
    with pytest.raises(ValueError, match=r"inside transaction.atomic\(\)"):
        save_checkpoint(collector=COLLECTOR, source_key="k", cursor=1)
    save_checkpoint(collector=COLLECTOR, source_key="k", cursor=1, require_transaction=False)
    assert get_checkpoint(collector=COLLECTOR, source_key="k") == 1


EXPECTED_NUMBERS_COUNT = 13


@pytest.mark.parametrize("failing_page", range(len(ISSUE_PAGES)))
@pytest.mark.parametrize("fault", ["server_error", "reset", "rate_limit"])
def test_an_interrupted_run_resumes_without_loss_or_duplicates(
    octokit_server, make_client, fake_clock, failing_page, fault
) -> None:
    target = ISSUE_PAGES[failing_page]
    if fault == "rate_limit":
        far_reset = fake_clock.now() + 7200
        octokit_server.fail("GET", target, faults.rate_limited(remaining=0, reset_at=far_reset))
    else:
        reply = faults.server_error(500) if fault == "server_error" else faults.reset()
        octokit_server.fail("GET", target, reply, times=3)  # every attempt of the policy

    with pytest.raises((httpx.HTTPError, RateLimitExhausted)) as caught:
        store_pages(make_client())
    expected = {
        "server_error": CollectorFailureCategory.UPSTREAM,
        "reset": CollectorFailureCategory.NETWORK,
        "rate_limit": CollectorFailureCategory.RATE_LIMIT,
    }[fault]
    assert classify_failure(caught.value) is expected
    stored = get_checkpoint(collector=COLLECTOR, source_key=DATA_KEY) or []
    assert len(stored) == 3 * failing_page  # every page before the fault, nothing after

    store_pages(make_client())  # the next run

    numbers = get_checkpoint(collector=COLLECTOR, source_key=DATA_KEY)
    assert len(numbers) == len(set(numbers)) == EXPECTED_NUMBERS_COUNT
    failed_hits = 1 if fault == "rate_limit" else 3
    first_page_hits = failed_hits + 1 if failing_page == 0 else 1
    assert octokit_server.hits("GET", ISSUE_PAGES[0]) == first_page_hits  # no re-read
    store_pages(make_client())  # a finished cursor makes a third run a no-op
    assert get_checkpoint(collector=COLLECTOR, source_key=DATA_KEY) == numbers
