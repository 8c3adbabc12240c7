"""Every file of tests/fixtures/email/ (copied unchanged from the shared fixtures) through
the one parser path: split, parsed without an exception, with its sender, date, subject
and body right; then the traps one by one (charsets, RFC 2047/2231, transfer encodings,
multipart, bounces, missing boundaries, unescaped From lines, CRLF, MMDF, long and
duplicate Message-IDs, bad dates, obfuscated and truncated addresses)."""

from __future__ import annotations

from pathlib import Path

import pytest

from boost_mailing_list_tracker.addresses import deobfuscate, parse_sender
from boost_mailing_list_tracker.bodies import decode_text, mark_quotes, own_text
from boost_mailing_list_tracker.items import MessageItem
from boost_mailing_list_tracker.mbox import NotAMailbox, open_mailbox, split_mailbox
from boost_mailing_list_tracker.parsers import normalize_subject, parse_date, parse_rfc822
from boost_mailing_list_tracker.tests.conftest import EMAIL

# (file, messages in it, first message's sender key, date (UTC), subject, body start)
FIRST_MESSAGES = [
    (
        "bigbang/2001-November.txt",
        164,
        "jjl@pobox.com",
        "2001-11-01T11:19:12+00:00",
        "[Numpy-discussion] RE: Numeric2",
        "On Tue, 30 Oct 2001, Perry Gre",
    ),
    (
        "bigbang/bigbang-dev-test.txt",
        6,
        "sb@ischool.berkeley.edu",
        "2014-11-08T19:37:32+00:00",
        "[Bigbang-dev] test",
        "this is a test\n-------------- ",
    ),
    (
        "cpython-test_email/mailbox_01.mbox",
        1,
        "unknown:foo",
        "2022-08-07T11:40:37+00:00",
        "unquoted From in body; extra info on From line",
        "Hello\n\nFrom time to time",
    ),
    (
        "cpython-test_email/msg_02.txt",
        1,
        "ppp-request@zzz.org",
        "2001-04-21T00:18:00+00:00",
        "Ppp digest, Vol 1 #2 - 5 msgs",
        "Send Ppp mailing list submissi",
    ),
    (
        "cpython-test_email/msg_07.txt",
        1,
        "barry@digicool.com",
        "2001-04-20T23:35:02+00:00",
        "Here is your dingus fish",
        "Hi there,\n\nThis is the dingus ",
    ),
    (
        "cpython-test_email/msg_10.txt",
        1,
        "barry@python.org",
        "2001-04-20T23:35:02+00:00",
        "Lyrics",
        "This is a 7bit encoded message",
    ),
    (
        "cpython-test_email/msg_15.txt",
        1,
        "xx@xx.dk",
        "2001-04-30T10:17:50+00:00",
        "XX",
        "Some removed test. ",
    ),
    (
        "cpython-test_email/msg_16.txt",
        1,
        "postmaster@ucla.edu",
        "2001-09-24T03:14:35+00:00",
        "Delivery Notification: Delivery has failed",
        "This report relates to a messa",
    ),
    (
        "cpython-test_email/msg_20.txt",
        1,
        "bbb@ddd.com",
        "2001-05-04T18:05:44+00:00",
        "This is a test message",
        "Hi,\n\nDo you like this message?",
    ),
    (
        "cpython-test_email/msg_26.txt",
        1,
        "father.time@xcar.wooster.local",
        "2002-05-12T07:56:15+00:00",
        "IMAP file test",
        "Simple email with attachment.",
    ),
    (
        "cpython-test_email/msg_27.txt",
        1,
        "aperson@dom.ain",
        "2002-06-05T01:46:59+00:00",
        "bug demonstration 12345678911234567892123456789312",
        "test",
    ),
    (
        "cpython-test_email/msg_31.txt",
        1,
        "aperson@dom.ain",
        None,
        "",
        "--BOUNDARY\nContent-Type: text/",
    ),
    (
        "cpython-test_email/msg_32.txt",
        1,
        "aperson@example.com",
        "2000-09-26T17:23:03+00:00",
        "Re: Limiting Perl CPU Utilization...",
        "Some message.",
    ),
    (
        "cpython-test_email/msg_35.txt",
        1,
        "aperson@dom.ain",
        None,
        "here's something interesting",
        "counter to RFC 5322, there's n",
    ),
    (
        "cpython-test_email/msg_38.txt",
        1,
        "unknown:(no name)",
        None,
        "",
        "Unlike the test test_nested-mu",
    ),
    (
        "cpython-test_email/msg_41.txt",
        1,
        "xxx@example.com",
        "2004-07-11T19:09:27+00:00",
        "64423",
        "Blah blah blah",
    ),
    (
        "cpython-test_email/msg_43.txt",
        1,
        "unknown:mailer daemon",
        "2004-11-27T03:41:44+00:00",
        "Banned file: auto__mail.python.bat in mail from yo",
        "BANNED FILENAME ALERT\n\nYour me",
    ),
    (
        "cpython-test_email/msg_46.txt",
        1,
        "sender@example.net",
        "2010-02-01T11:21:16+00:00",
        "GroupwiseForwardingTest",
        "Testing email forwarding with ",
    ),
    (
        "cpython-test_email/msg_47.txt",
        1,
        "arthur@example.example",
        "2001-01-01T00:01:00+00:00",
        "",
        "bar",
    ),
    (
        "cpython-test_email/msg_48.txt",
        1,
        "foo@bar.baz",
        None,
        "test",
        "This is the signed contents.",
    ),
    (
        "ietf-mailarchive/attachment_folded_name.mail",
        1,
        "joe@example.com",
        "2013-11-07T17:54:55+00:00",
        "This is a test",
        "This is an example with a text",
    ),
    (
        "ietf-mailarchive/bad_date.mail",
        1,
        "foo@example.com",
        "1993-01-04T13:22:13+00:00",
        "Test",
        "Hello. Testing",
    ),
    (
        "ietf-mailarchive/bad_transfer_encoding.mail",
        1,
        "foo@example.com",
        "2017-03-07T01:08:13+00:00",
        "Test",
        "Hello. Testing",
    ),
    (
        "ietf-mailarchive/duplicate_tests.mbox",
        10,
        "test@example.com",
        "2026-02-13T10:00:00+00:00",
        "Control Message",
        "This is the control message bo",
    ),
    (
        "ietf-mailarchive/encoded_word.mail",
        1,
        "jarvinen@example.com",
        "2013-11-07T17:54:55+00:00",
        "This is a test",
        "Hello,\n\nThis is a test email w",
    ),
    (
        "ietf-mailarchive/encoded_word_3.mail",
        1,
        "joe@example.com",
        "2013-11-07T17:54:55+00:00",
        "This is a test",
        "Hello,\n\nThis is a test email w",
    ),
    (
        "ietf-mailarchive/latin1.mbox",
        1,
        "user@example.com",
        "2013-11-07T17:54:55+00:00",
        "This is a test",
        "Hello,\n\nIvan Balás is a tennis",
    ),
    (
        "ietf-mailarchive/mail_long_messageid.1",
        1,
        "user@example.com",
        "2013-11-07T17:54:55+00:00",
        "This is a test",
        "Hello,\n\nThis is a test email.",
    ),
    (
        "ietf-mailarchive/mail_multipart_bad.2",
        1,
        "joe@example.com",
        "2013-11-07T17:54:55+00:00",
        "This is a test",
        "This is an example of an attac",
    ),
    (
        "ietf-mailarchive/mailbox-x-envelope-from",
        4,
        "scarr@progbits.com",
        "2005-02-28T20:57:19+00:00",
        "Re: [Ietf-caldav] Owner of caldav.org??",
        "ns1@thejkgroup.com\n\nLooks like",
    ),
    (
        "ietf-mailarchive/mailbox_from",
        7,
        "jlinn@securitydynamics.com",
        "1998-01-07T04:44:38+00:00",
        "CAT-WG Last-Call: draft-ietf-cat-ftpdsaauth-00.txt",
        "CAT/FTPsec fanciers:\n\nPer disc",
    ),
    (
        "ietf-mailarchive/mailbox_mmdf",
        5,
        "internet-drafts@cnri.reston.va.us",
        "1994-09-09T19:33:46+00:00",
        "I-D ACTION:draft-ietf-uri-url-07.txt",
        "A Revised Internet-Draft is av",
    ),
    (
        "ietf-mailarchive/mbox.1",
        1,
        "internet-drafts@ietf.org",
        "2013-08-21T23:20:36+00:00",
        "[ANCP] I-D Action: draft-ietf-ancp-mc-extensions-1",
        "A New Internet-Draft is availa",
    ),
    (
        "ietf-mailarchive/thread.mail",
        4,
        "person@example.com",
        "2016-07-01T08:00:00+00:00",
        "New anvil product",
        "We are please to announce our ",
    ),
    (
        "ietf-mailarchive/windows1252.mbox",
        1,
        "joe@example.com",
        "2013-01-22T13:50:02+00:00",
        "Test with windows-1252 characters",
        "Hello this is a test with wind",
    ),
    (
        "jwzthreading/2010-January.txt.gz",
        292,
        "rakesh.pandit@gmail.com",
        "2010-01-01T03:50:34+00:00",
        "Package Review Stats for 2009!",
        "FAS account holders who have b",
    ),
    (
        "mimekit/issue1189.mbox.txt",
        4,
        "sender@example.com",
        "2025-09-26T17:18:40+00:00",
        "Message 1",
        "Body of message 1.",
    ),
    (
        "mimekit/japanese.txt",
        1,
        "x@x.com",
        "2015-07-21T16:02:29+00:00",
        "日本語メールテスト (testing Japanese emails)",
        "Let's see if both subject and ",
    ),
    (
        "mimekit/simple.mbox.txt",
        3,
        "fejj@gnome.org",
        "2002-08-23T06:32:53+00:00",
        "this'll probably break a lot of mime parsers",
        "Hello world.\n\nmultipart/mixed;",
    ),
    (
        "mimekit/unmunged.mbox.txt",
        2,
        "jeff@xamarin.com",
        None,
        "This is a test message with an unmunged From line",
        "This is my favourite James Bon",
    ),
]
NOT_MAIL = [
    "bigbang/w3c-archive-dir_index.html",
    "bigbang/w3c-archive-dir_2020AprJun_index.html",
    "bigbang/from-header-variations.txt",  # From-header spellings, one per line: below
    "jwzthreading/2010-January_thread.html.gz",  # the thread index: test_threading.py
]


def messages(name: str, *, max_bytes: int = 10_000_000) -> list[MessageItem]:
    with open_mailbox(str(EMAIL / name)) as stream:
        return [parse_rfc822(raw) for raw in split_mailbox(stream, max_bytes=max_bytes)]


def test_the_tables_cover_every_fixture_file() -> None:
    files = {str(p.relative_to(EMAIL)) for p in EMAIL.rglob("*") if p.is_file()}
    assert files == {row[0] for row in FIRST_MESSAGES} | set(NOT_MAIL)


@pytest.mark.parametrize(
    ("name", "count", "sender", "date", "subject", "body"),
    FIRST_MESSAGES,
    ids=[row[0] for row in FIRST_MESSAGES],
)
def test_every_mail_file_parses_with_sender_date_subject_and_body(
    name: str, count: int, sender: str, date: str | None, subject: str, body: str
) -> None:
    parsed = messages(name)

    assert len(parsed) == count
    first = parsed[0]
    assert first.sender.key == sender
    assert (first.sent_at.isoformat() if first.sent_at else None) == date
    assert first.subject.startswith(subject)
    assert first.body.startswith(body)
    assert all(m.message_hash and m.sender.key for m in parsed)


@pytest.mark.parametrize("name", NOT_MAIL[:2] + NOT_MAIL[3:])
def test_a_file_that_is_not_a_mailbox_is_refused_in_one_line(name: str) -> None:
    with pytest.raises(NotAMailbox, match=r"is not a mailbox: its first line is neither"):
        messages(name)


def test_from_header_variations_give_one_key_per_address() -> None:
    lines = (EMAIL / "bigbang/from-header-variations.txt").read_text(encoding="utf-8")
    senders = [parse_sender(line) for line in lines.splitlines() if line.strip()]

    tyrion = {s.key for s in senders[:15]}
    assert tyrion == {
        "tyrion.lannister@gmail.com",
        "tyrion@lanister.net",
        "halfman@council.kings-landing.gov",
        "tyrion+hand@lanister.net",
        "unknown:tyrion lannister",  # "Tyrion.Lannister@gmail.... (Tyrion Lannister)"
    }
    assert parse_sender("ariastark1@gmail.... (ariastark1@gmail.com)").address == (
        "ariastark1@gmail.com"
    )
    assert parse_sender("tyrion.lannister at gmail.com (=?UTF-8?B?RGF2aWQgQWJpw6Fu?=)") == (
        parse_sender("tyrion.lannister@gmail.com (David Abián)")
    )
    assert parse_sender('brynden.tully at gmail.com (Brynden "Blackfish" Tully)').display_name == (
        'Brynden "Blackfish" Tully'
    )


def test_addresses_are_de_obfuscated_but_names_are_left_alone() -> None:
    assert deobfuscate("From sb at ischool.berkeley.edu  Sat Nov") == (
        "From sb@ischool.berkeley.edu  Sat Nov"
    )
    assert deobfuscate("review.manager (a) example.org") == "review.manager@example.org"
    assert deobfuscate("Tyrion at work") == "Tyrion at work"


def test_a_message_without_address_gets_one_profile_per_display_name() -> None:
    one, two = parse_sender("Jane Doe"), parse_sender('"jane  doe"')
    assert one.key == two.key == "unknown:jane doe"
    assert one.address == ""


def test_charsets_declared_wrongly_are_decoded_right() -> None:
    [latin1] = messages("ietf-mailarchive/latin1.mbox")
    assert "Ivan Balás is a tennis player." in latin1.body
    assert "declared iso-8859-1, decoded as UTF-8" in latin1.problems
    [cp1252] = messages("ietf-mailarchive/windows1252.mbox")
    assert "“quoted term”" in cp1252.body
    [japanese] = messages("mimekit/japanese.txt")
    assert japanese.subject == "日本語メールテスト (testing Japanese emails)"
    assert "日本語" in japanese.body
    assert decode_text("caf\xe9".encode("latin-1"), "x-unknown-charset") == (
        "café",
        "declared x-unknown-charset, decoded as cp1252",
    )


def test_encoded_words_and_rfc2231_parameters() -> None:
    [finnish] = messages("ietf-mailarchive/encoded_word.mail")
    assert finnish.sender.display_name == "Järvinen"
    [astral] = messages("ietf-mailarchive/encoded_word_3.mail")
    assert astral.sender.display_name == "🔓Joe"
    [rfc2231] = messages("cpython-test_email/msg_32.txt")
    assert rfc2231.subject
    assert rfc2231.sender.key
    [folded] = messages("ietf-mailarchive/attachment_folded_name.mail")
    [attachment] = folded.attachments
    assert attachment.name == "this_is_a really_long filename"  # unfolded
    [raw8bit] = messages("ietf-mailarchive/mail_multipart_bad.2")
    assert raw8bit.attachments
    assert raw8bit.attachments[0].name


def test_transfer_encodings_and_attachments() -> None:
    [mixed] = messages("cpython-test_email/msg_10.txt")
    assert "This is a Base64 encoded message." in mixed.body
    assert "This has no Content-Transfer-Encoding: header." in mixed.body
    [gif] = messages("cpython-test_email/msg_07.txt")
    [fish] = gif.attachments
    assert (fish.name, fish.content_type, fish.size) == ("dingusfish.gif", "image/gif", 3512)
    [spaced] = messages("ietf-mailarchive/bad_transfer_encoding.mail")  # "base64 "
    assert spaced.body == "Hello. Testing"
    [crlf] = messages("cpython-test_email/msg_26.txt")
    assert "\r" not in crlf.body
    assert crlf.attachments[0].content_type == "application/riscos"


def test_alternative_bodies_prefer_plain_text_and_html_only_is_converted() -> None:
    [outlook] = messages("cpython-test_email/msg_15.txt")
    assert not outlook.body_from_html
    first = messages("mimekit/issue1189.mbox.txt")[0]
    assert first.body == "Body of message 1."


def test_bounces_digests_and_broken_multiparts_keep_their_text() -> None:
    [bounce] = messages("cpython-test_email/msg_16.txt")
    assert bounce.body.startswith("This report relates to a message you sent")
    [no_boundary] = messages("cpython-test_email/msg_41.txt")
    assert "NoBoundaryInMultipartDefect" in no_boundary.problems
    assert no_boundary.body == "Blah blah blah"
    [digest] = messages("cpython-test_email/msg_02.txt")
    assert "Send Ppp mailing list submissions to" in digest.body


def test_unescaped_from_lines_stay_in_the_body() -> None:
    first, second = messages("mimekit/unmunged.mbox.txt")
    assert "From Russia with love" in first.body
    assert "From Russia with love" in second.body
    assert second.body.endswith("What did Thunderbird do this time?")
    [cpython] = messages("cpython-test_email/mailbox_01.mbox")
    assert cpython.body.endswith("From time to time")
    assert cpython.sent_at is not None
    assert cpython.date_from_archive


def test_mmdf_and_separator_less_archives_split_into_their_messages() -> None:
    mmdf = messages("ietf-mailarchive/mailbox_mmdf")
    assert [m.subject for m in mmdf][-1] == "Re: 8-bit transmission in NNTP"
    envelope = messages("ietf-mailarchive/mailbox-x-envelope-from")
    assert {m.sender.key for m in envelope} == {
        "scarr@progbits.com",
        "lisa@osafoundation.org",
        "distobj@acm.org",
        "fielding@gbiv.com",
    }


def test_long_and_duplicate_message_ids() -> None:
    [long] = messages("ietf-mailarchive/mail_long_messageid.1")
    assert len(long.message_id) > 1000
    assert len(long.message_hash) == 32
    duplicates = messages("ietf-mailarchive/duplicate_tests.mbox")
    assert len({m.message_hash for m in duplicates}) < len(duplicates)


def test_bad_dates_fall_back_and_are_flagged() -> None:
    [old] = messages("ietf-mailarchive/bad_date.mail")
    assert old.sent_at is not None
    assert old.sent_at.year == 1993
    assert not old.date_from_archive
    assert parse_date("yesterday at noon") is None
    assert parse_date("Thu, 31 Feb 2005 10:00:00 +0000") is None
    moment = parse_date("Fri, 1 Jan 2010 12:00:00 -0500")
    assert moment is not None
    assert moment.isoformat() == "2010-01-01T17:00:00+00:00"


def test_pipermail_archive_addresses_threads_and_footers() -> None:
    parsed = messages("bigbang/bigbang-dev-test.txt")
    assert {m.sender.key for m in parsed} == {"sb@ischool.berkeley.edu"}
    third = parsed[2]
    assert own_text(third.body, third.quote_marks) == (
        "This is a third reply to the first thread of this list, 'test'"
    )
    assert third.parent_hash == parsed[1].message_hash
    assert parsed[0].list_name == "bigbang-dev"


def test_subjects_are_normalised_for_threading_and_kept_for_display() -> None:
    assert normalize_subject("Re: [boost] RE: Fwd: [review] Boost.Widget") == "boost.widget"
    assert normalize_subject("AW: [Boost-users] asio") == "asio"


def test_quotes_and_signatures_are_marked() -> None:
    body = "Yes.\n\nOn Monday Jo wrote:\n> no\n>\n> maybe\n\n-- \nAnn"
    marks = mark_quotes(body)
    assert marks == {"quoted": [[2, 5]], "signature": 7}
    assert own_text(body, marks) == "Yes."


def test_a_message_over_the_size_bound_keeps_its_start_and_says_so(tmp_path: Path) -> None:
    big = tmp_path / "big.mbox"
    big.write_bytes(
        b"From a@example.org Mon Jan  4 10:00:00 2010\nFrom: a@example.org\n"
        b"Subject: big\nMessage-ID: <big@example.org>\nDate: Mon, 4 Jan 2010 10:00:00 +0000\n\n"
        + b"line of text\n"
        * 10_000
    )
    with open_mailbox(str(big)) as stream:
        [raw] = list(split_mailbox(stream, max_bytes=20_000))

    assert raw.cut
    assert raw.size > 130_000
    assert len(raw.data) <= 20_100
    item = parse_rfc822(raw)
    assert item.subject == "big"
    assert item.problems[0].endswith("bytes only")
