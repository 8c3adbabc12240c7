"""`--mbox` imports through the command: a fixture month fills lists, threads, messages
and senders; a second import is free; a message also read from HyperKitty is one row;
threading is checked against the fedora-devel month's own thread index; bad input is
stored or quarantined with a reason, never a crash of the run."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from boost_mailing_list_tracker.mbox import open_mailbox, split_mailbox
from boost_mailing_list_tracker.models import MailingList, Message, Sender, Thread
from boost_mailing_list_tracker.parsers import parse_rfc822
from boost_mailing_list_tracker.tests.conftest import EMAIL, run
from core.models import QuarantinedItem
from cppa_pinecone_sync.documents import Document

pytestmark = pytest.mark.django_db

FEDORA = EMAIL / "jwzthreading/2010-January.txt.gz"
FEDORA_INDEX = EMAIL / "jwzthreading/2010-January_thread.html.gz"


def test_a_fixture_month_fills_the_tables_and_a_second_import_is_free() -> None:
    row, out = run("--mbox", str(FEDORA))

    assert row.status == "succeeded"
    assert "fedora-devel-list: 292 fetched, 292 created, 0 updated" in out
    assert MailingList.objects.get().name == "fedora-devel-list"
    assert Message.objects.count() == 292
    assert Sender.objects.count() > 50
    assert Thread.objects.count() > 50
    counts = (Message.objects.count(), Sender.objects.count(), Thread.objects.count())

    row, out = run("--mbox", str(FEDORA))

    assert "fedora-devel-list: 292 fetched, 0 created, 0 updated" in out
    assert row.counters.get("created", 0) == 0
    assert row.counters.get("updated", 0) == 0
    assert (Message.objects.count(), Sender.objects.count(), Thread.objects.count()) == counts


def test_a_pipermail_month_with_obfuscated_addresses(tmp_path) -> None:
    _, out = run("--mbox", str(EMAIL / "bigbang/2001-November.txt"), "--list", "numpy-discussion")

    # The month holds 164 messages with 82 distinct Message-IDs (each one twice).
    assert "numpy-discussion: 164 fetched, 82 created, 0 updated" in out
    assert Message.objects.count() == 82
    first = Message.objects.get(message_id="3BE2FADF.23D659E9@home.net")
    assert first.sender.key == first.sender.address.casefold()
    assert Sender.objects.filter(address="jjl@pobox.com", display_name="John J. Lee").exists()
    assert not Sender.objects.filter(address__contains=" at ").exists()


class _ThreadIndex(HTMLParser):
    """MHonArc's "Archive by Thread": nested <li>, each with <a name="NNNNN"> (message NNNNN)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[int | None] = []
        self.parent: dict[int, int | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = dict(attrs).get("name") or ""
        if tag == "li":
            self.stack.append(None)
        elif tag == "a" and self.stack and re.fullmatch(r"\d+", name):
            self.stack[-1] = int(name)
            above = [n for n in self.stack[:-1] if n is not None]
            self.parent[int(name)] = above[-1] if above else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.stack:
            self.stack.pop()


def test_threading_of_the_fedora_month_against_its_thread_index() -> None:
    """The index nests at most three levels (deeper replies hang under the third), so
    a parent link matches exactly, or the index's parent is an ancestor of ours."""
    run("--mbox", str(FEDORA))
    index = _ThreadIndex()
    index.feed(gzip.decompress(FEDORA_INDEX.read_bytes()).decode("latin-1"))
    with open_mailbox(str(FEDORA)) as stream:
        hashes = [parse_rfc822(raw).message_hash for raw in split_mailbox(stream, max_bytes=10**7)]
    number = {h: n for n, h in enumerate(hashes)}
    rows = {m.message_hash: m for m in Message.objects.all()}

    exact = ancestor = same_thread = replies = 0
    for message, true_parent in index.parent.items():
        row = rows[hashes[message]]
        chain, link = [], row.parent_hash
        while link in rows and len(chain) < 100:
            chain.append(number[link])
            link = rows[link].parent_hash
        ours = chain[0] if chain else None
        exact += ours == true_parent
        ancestor += true_parent in chain if true_parent is not None else not chain
        if true_parent is not None:
            replies += 1
            same_thread += rows[hashes[true_parent]].thread_id == row.thread_id

    assert len(index.parent) == 292
    assert replies == 232
    # Measured: 210 exact, 287 on our ancestor chain, 231 of 232 replies in their thread.
    assert exact >= 210
    assert ancestor >= 287
    assert same_thread >= 231


def test_a_reply_stored_before_its_parent_moves_into_the_parents_thread(tmp_path) -> None:
    header = "From a@example.org Mon Jan  4 10:00:00 2010\nFrom: a@example.org\n"
    child = (
        f"{header}Subject: Re: start\nMessage-ID: <c@x>\nIn-Reply-To: <b@x>\n"
        "Date: Mon, 4 Jan 2010 12:00:00 +0000\n\nchild\n"
    )
    middle = (
        f"{header}Subject: Re: start\nMessage-ID: <b@x>\nIn-Reply-To: <a@x>\n"
        "Date: Mon, 4 Jan 2010 11:00:00 +0000\n\nmiddle\n"
    )
    root = (
        f"{header}Subject: start\nMessage-ID: <a@x>\nDate: Mon, 4 Jan 2010 10:00:00 +0000\n\nroot\n"
    )
    for number, text in enumerate([child, middle, root]):
        path = tmp_path / f"{number}.mbox"
        path.write_text(text)
        run("--mbox", str(path), "--list", "boost")

    assert Message.objects.values("thread").distinct().count() == 1
    assert Thread.objects.get(messages__message_id="a@x").subject == "start"


def test_the_same_message_from_hyperkitty_and_an_mbox_is_stored_once(hyperkitty, tmp_path) -> None:
    run("--list", "boost")
    before = Message.objects.count()
    mbox = tmp_path / "boost.mbox"
    mbox.write_text(
        "From review.manager at example.org  Sat Mar  1 09:00:00 2025\n"
        "From: review.manager at example.org (Rita Manager)\n"
        "Subject: [boost] [review] Formal review of Boost.Widget begins today\n"
        "Message-ID: <review-start-1@example.org>\n"
        "Date: Sat, 1 Mar 2025 09:00:00 +0000\n\n"
        "Dear Boost community,\n"
    )

    _, out = run("--mbox", str(mbox), "--list", "boost")

    assert "boost: 1 fetched, 0 created, 1 updated" in out
    assert Message.objects.count() == before
    root = Message.objects.get(message_id="review-start-1@example.org")
    assert root.archive_url.endswith("/email/" + root.message_hash + "/")  # kept from HyperKitty
    assert root.sender.address == "review.manager@example.org"
    assert Sender.objects.filter(address="review.manager@example.org").count() == 1


def test_duplicate_message_ids_in_one_mbox_are_one_row() -> None:
    _, out = run("--mbox", str(EMAIL / "ietf-mailarchive/duplicate_tests.mbox"), "--list", "x")

    distinct = Message.objects.count()
    assert 1 < distinct < 10
    assert f"x: 10 fetched, {distinct} created" in out


def test_a_phrase_from_a_body_finds_the_message(hyperkitty) -> None:
    run()
    out = StringIO()

    call_command("search", '"allocator-aware widget_pool"', "--source", "mailing_lists", stdout=out)

    assert "Formal review of Boost.Widget" in out.getvalue()
    assert out.getvalue().count("Boost.Widget begins today") == 1
    quoted = StringIO()
    call_command("search", '"Please say whether the library"', "--json", stdout=quoted)
    assert quoted.getvalue().count('"title"') == 1  # the root; the reply only quotes it


# --- bad input ---------------------------------------------------------------------


def test_a_truncated_mbox_stores_what_it_holds(tmp_path) -> None:
    cut = tmp_path / "cut.mbox"
    data = (EMAIL / "bigbang/bigbang-dev-test.txt").read_bytes()
    cut.write_bytes(data[: len(data) - 200])
    gz = tmp_path / "cut.mbox.gz"
    gz.write_bytes(gzip.compress(data)[:-40])

    row, _ = run("--mbox", str(cut))
    assert row.status == "succeeded"
    assert Message.objects.count() == 6
    Message.objects.all().delete()
    row, _ = run("--mbox", str(gz))

    assert row.status == "succeeded"
    assert Message.objects.count() == 6
    last = Message.objects.order_by("-sent_at").first()
    assert last is not None
    assert "the file ends inside this message (truncated)" in last.problems


def test_a_binary_file_given_as_mbox_is_one_line_error(tmp_path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)

    with pytest.raises(CommandError) as caught:
        run("--mbox", str(binary))

    assert str(caught.value) == (
        f"--mbox {binary} is not a mailbox: its first line is neither an mbox 'From ' line, "
        "an MMDF separator nor a mail header"
    )
    assert Message.objects.count() == 0


def test_a_message_with_no_headers_is_quarantined_with_its_reason(tmp_path) -> None:
    mbox = tmp_path / "headless.mbox"
    mbox.write_text(
        "From a@example.org Mon Jan  4 10:00:00 2010\n\njust a body, no headers\n\n"
        "From b@example.org Mon Jan  4 11:00:00 2010\nFrom: b@example.org\n"
        "Message-ID: <ok@x>\nDate: Mon, 4 Jan 2010 11:00:00 +0000\n\nfine\n"
    )

    row, out = run("--mbox", str(mbox), "--list", "boost")

    assert row.status == "succeeded"
    assert Message.objects.get().message_id == "ok@x"
    [kept] = QuarantinedItem.objects.all()
    assert kept.reason.endswith("message 1 (byte 0) has no headers; kept in quarantine")
    assert isinstance(kept.payload, dict)
    assert kept.payload["head"].startswith("\njust a body")
    assert "boost: 1 fetched, 1 created, 0 updated, 1 quarantined" in out


def test_a_50_mb_message_is_stored_bounded(tmp_path, settings) -> None:
    big = tmp_path / "big.mbox"
    with big.open("wb") as out:
        out.write(
            b"From a@example.org Mon Jan  4 10:00:00 2010\nFrom: a@example.org\n"
            b"Subject: a huge attachment\nMessage-ID: <huge@x>\n"
            b"Date: Mon, 4 Jan 2010 10:00:00 +0000\nMIME-Version: 1.0\n"
            b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
            b"see the attachment\n--b\nContent-Type: application/octet-stream\n"
            b'Content-Disposition: attachment; filename="core.dump"\n'
            b"Content-Transfer-Encoding: base64\n\n"
        )
        line = b"A" * 76 + b"\n"
        for _ in range(50 * 1024 * 1024 // len(line)):
            out.write(line)
        out.write(b"--b--\n")

    row, _ = run("--mbox", str(big), "--list", "boost")

    message = Message.objects.get(message_id="huge@x")
    assert row.status == "succeeded"
    assert message.body == "see the attachment"
    [attachment] = message.attachments
    assert attachment["name"] == "core.dump"
    assert 0 < attachment["size"] < 10_000_000
    assert message.problems[0].startswith(f"{big.stat().st_size - 44} bytes; parsed its first")


def test_an_mbox_url_is_downloaded_and_imported(fixture_server, settings, tmp_path) -> None:
    settings.WORKSPACE_DIR = str(tmp_path / "workspace")
    fixture_server.add("GET", "/export/boost.mbox.gz", body=FEDORA.read_bytes())

    _, out = run("--mbox", f"{fixture_server.base_url}/export/boost.mbox.gz", "--list", "boost")

    assert "boost: 292 fetched, 292 created" in out
    assert not list(Path(settings.WORKSPACE_DIR).glob("*.mbox"))  # the download is removed


def test_dry_run_of_an_mbox_writes_nothing() -> None:
    _, out = run("--mbox", str(FEDORA), "--dry-run")
    assert "would store — fedora-devel-list: 292 fetched" in out
    assert Message.objects.count() == 0


def test_mbox_takes_at_most_one_list() -> None:
    with pytest.raises(
        CommandError, match=r"^--mbox imports into one list; give at most one --list$"
    ):
        run("--mbox", str(FEDORA), "--list", "a", "--list", "b")


def test_the_search_source_loads_documents_by_id_and_reports_its_newest_change() -> None:
    from boost_mailing_list_tracker import search_documents

    run("--mbox", str(EMAIL / "bigbang/bigbang-dev-test.txt"))
    message = Message.objects.select_related("mailing_list").order_by("sent_at")[0]
    doc_id = search_documents.doc_id_of(message)

    [document] = search_documents.load([doc_id, "github-issue-1", "mail-x-UNKNOWN"])

    assert isinstance(document, Document)
    assert document.doc_id == doc_id
    assert document.title == "[bigbang-dev] [Bigbang-dev] test"
    assert document.text == "this is a test"  # the scrubbed-attachment note left out
    assert search_documents.newest_change() == max(
        Message.objects.values_list("row_changed_at", flat=True)
    )
