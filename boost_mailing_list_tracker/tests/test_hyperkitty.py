"""HyperKitty runs against the loopback server serving the samples: full, incremental,
an upstream edit, one list failing, and the archive/replay round trip."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from boost_mailing_list_tracker import testing
from boost_mailing_list_tracker.models import MailingList, Message, Sender, Thread
from boost_mailing_list_tracker.selectors import thread_tree
from boost_mailing_list_tracker.tests.conftest import PAGE_SIZE, run
from core.checkpoints import get_checkpoint
from core.models import QuarantinedItem
from core.testing import fixture_server as faults

pytestmark = pytest.mark.django_db

ROOT_ID = "review-start-1@example.org"


def test_full_run_fills_lists_threads_messages_and_senders(hyperkitty) -> None:
    row, out = run()

    assert row.status == "succeeded"
    assert set(MailingList.objects.values_list("name", flat=True)) == set(testing.LISTS)
    assert Message.objects.count() == 8
    assert "boost: 5 fetched, 5 created, 0 updated" in out
    assert "boost-users: 2 fetched, 2 created, 0 updated" in out
    root = Message.objects.get(message_id=ROOT_ID)
    assert root.sender.address == "review.manager@example.org"  # de-obfuscated
    assert root.sender.mailman_id == "c0ffee01"
    assert root.normalized_subject == "formal review of boost.widget begins today"
    thread = root.thread
    assert [(m.message_id, depth) for m, depth in thread_tree(thread)] == [
        (ROOT_ID, 0),
        ("review-reply-2@example.net", 1),
        ("review-reply-3@example.com", 2),
    ]
    reply = Message.objects.get(message_id="review-reply-2@example.net")
    assert reply.sent_at is not None
    assert reply.sent_at.isoformat() == "2025-03-02T09:30:00+00:00"  # UTC
    assert reply.attachments == [{"name": "bench.png", "content_type": "image/png", "size": 48213}]
    assert reply.quote_marks["quoted"] == [[0, 1]]
    assert reply.body.splitlines()[reply.quote_marks["signature"]].startswith("_____")
    anonymous = Message.objects.get(message_id="no-address-5@example.org")
    assert anonymous.sender.key == "unknown:anonymous coward"
    assert get_checkpoint(
        collector="boost_mailing_list_tracker", source_key=testing.address("boost")
    ) == {"newest": "2025-03-05T12:00:00+00:00"}


def test_second_run_adds_nothing(hyperkitty) -> None:
    run()
    counts = (Message.objects.count(), Sender.objects.count(), Thread.objects.count())

    row, out = run()

    assert row.status == "succeeded"
    assert row.counters.get("created", 0) == 0
    assert row.counters.get("updated", 0) == 0
    assert (Message.objects.count(), Sender.objects.count(), Thread.objects.count()) == counts
    # Only the overlap window before the checkpoint (2 days) is read again.
    assert "boost: 2 fetched, 0 created, 0 updated" in out


def test_a_message_edited_upstream_is_updated(hyperkitty) -> None:
    run()
    emails = hyperkitty.emails["boost"]
    edited = next(e for e in emails if e["message_id"] == "no-address-5@example.org")
    edited["content"] = "Not me, but see the cmake branch."
    testing.serve_list(hyperkitty, "boost", emails, page_size=PAGE_SIZE)

    _row, out = run("--list", "boost")

    assert "boost: 2 fetched, 0 created, 1 updated" in out
    assert Message.objects.get(message_id="no-address-5@example.org").body.endswith("cmake branch.")


def test_new_messages_are_added_by_the_next_run(hyperkitty) -> None:
    run()
    emails = hyperkitty.emails["boost-announce"]
    new = dict(emails[0], message_id="release-1.89@example.org", date="2025-08-13T10:00:00Z")
    new["message_id_hash"] = "N" * 32
    new["url"] = new["url"].replace(emails[0]["message_id_hash"], new["message_id_hash"])
    testing.serve_list(hyperkitty, "boost-announce", [new, *emails], page_size=PAGE_SIZE)

    _, out = run("--list", "boost-announce")

    assert "boost-announce: 2 fetched, 1 created, 0 updated" in out
    assert Message.objects.filter(mailing_list__name="boost-announce").count() == 2


def test_one_list_failing_does_not_stop_the_others(hyperkitty) -> None:
    target = testing.emails_target("boost-users", offset=0, limit=PAGE_SIZE)
    hyperkitty.fail("GET", target, faults.server_error(503), times=2)

    with pytest.raises(Exception, match=r"1 of 3 lists failed \(boost-users@lists.boost.org\)"):
        run()

    stored = set(Message.objects.values_list("mailing_list__name", flat=True))
    assert stored == {"boost", "boost-announce"}
    assert (
        get_checkpoint(
            collector="boost_mailing_list_tracker", source_key=testing.address("boost-users")
        )
        is None
    )
    row, out = run()
    assert "boost-users: 2 fetched, 2 created, 0 updated" in out
    assert row.status == "succeeded"


def test_a_malformed_email_is_quarantined_and_the_list_goes_on(hyperkitty) -> None:
    emails = hyperkitty.emails["boost-users"]
    emails[0]["date"] = "not a date"
    testing.serve_list(hyperkitty, "boost-users", emails, page_size=PAGE_SIZE)

    row, out = run("--list", "boost-users")

    assert Message.objects.filter(mailing_list__name="boost-users").count() == 1
    [kept] = QuarantinedItem.objects.all()
    assert "field 'date'" in kept.reason
    assert kept.scope.endswith(":listed")
    assert "boost-users: 1 fetched, 1 created, 0 updated, 1 quarantined" in out
    assert row.counters.get("quarantined") == 1

    emails[0]["date"] = "2025-03-02T09:00:00Z"  # the archive corrects it
    testing.serve_list(hyperkitty, "boost-users", emails, page_size=PAGE_SIZE)
    row, out = run("--list", "boost-users")

    assert "boost-users: 2 fetched, 1 created, 0 updated" in out
    assert row.counters.get("released") == 1
    assert not QuarantinedItem.objects.exists()


def test_a_kept_email_is_retried_by_the_next_run(hyperkitty) -> None:
    emails = hyperkitty.emails["boost-announce"]
    emails[0]["sender"] = "not an object"
    testing.serve_list(hyperkitty, "boost-announce", emails, page_size=PAGE_SIZE)
    run("--list", "boost-announce")
    [kept] = QuarantinedItem.objects.all()
    assert kept.scope.endswith(":email")
    assert "field 'sender'" in kept.reason

    row, _ = run("--list", "boost-announce")  # the kept payload is parsed again, still bad

    assert QuarantinedItem.objects.get().attempts == 2
    assert row.counters.get("quarantined") == 1


def test_since_and_until_read_a_window_and_keep_the_checkpoints(hyperkitty) -> None:
    _, _out = run("--list", "boost", "--since", "2025-03-02", "--until", "2025-03-03")

    assert set(Message.objects.values_list("message_id", flat=True)) == {
        "review-reply-2@example.net",
        "review-reply-3@example.com",
    }
    assert (
        get_checkpoint(collector="boost_mailing_list_tracker", source_key=testing.address("boost"))
        is None
    )


def test_dry_run_writes_nothing(hyperkitty) -> None:
    _, out = run("--dry-run")

    assert "would store — boost: 5 fetched, 5 created" in out
    assert Message.objects.count() == 0
    assert MailingList.objects.count() == 0


def test_archive_then_replay_stores_the_same_messages(hyperkitty, settings, tmp_path) -> None:
    run("--archive", "--list", "boost")
    archived = sorted(Message.objects.values_list("message_hash", "body"))
    Message.objects.all().delete()
    Thread.objects.all().delete()
    call_command(
        "run_boost_mailing_list_tracker", "--list", "boost", "--full",
        "--replay", str(tmp_path / "workspace" / "raw"), stdout=__import__("io").StringIO(),
    )  # fmt: skip
    assert sorted(Message.objects.values_list("message_hash", "body")) == archived


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--list", "boost-devel"], "--list 'boost-devel' is not a configured list; known: "
         "boost, boost-users, boost-announce (MAILING_LIST_NAMES)"),
        (["--since", "2025-13-01"], "--since '2025-13-01' is not a date; use YYYY-MM-DD (UTC)"),
        (["--since", "2025-03-02", "--until", "2025-03-01"],
         "--since 2025-03-02 is after --until 2025-03-01"),
        (["--mbox", "/nonexistent/x.mbox"], "--mbox /nonexistent/x.mbox: no such file"),
    ],
)  # fmt: skip
def test_bad_flags_are_one_line_errors(hyperkitty, args, message) -> None:
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == message


def test_the_admin_thread_page_shows_its_messages_in_order_with_depth(
    hyperkitty, admin_client
) -> None:
    run("--list", "boost")
    thread = Message.objects.get(message_id=ROOT_ID).thread

    html = admin_client.get(
        f"/admin/boost_mailing_list_tracker/thread/{thread.pk}/change/"
    ).content.decode()

    assert html.index("margin-left:0em") < html.index("margin-left:2em")
    assert html.index("margin-left:2em") < html.index("margin-left:4em")
    assert "Bob Reviewer" in html
    for path in ("message", "sender", "mailinglist"):
        assert admin_client.get(f"/admin/boost_mailing_list_tracker/{path}/").status_code == 200
