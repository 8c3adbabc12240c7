"""Every shape in the recorded Slack samples (tests/fixtures/, see PROVENANCE.md) parses,
and what cannot be parsed fails naming the URL, the item and the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from core.bad_items import parse_each
from core.http import MalformedResponse, decode_json
from cppa_slack_tracker import parsers
from cppa_slack_tracker.testing import FIXTURES, fixture

URL = "https://slack.com/api/conversations.history"


def test_users_list_of_zulip_real_workspace() -> None:
    members = fixture("zulip-slack-import/user_data.json")["members"]
    users = {u.source_id: u for u in (parsers.parse_user(m, url=URL) for m in members)}
    assert set(users) == {"U6006P1CN", "U8W3QFGQ5", "U8X25EBAB", "U8VAHEVUY", "USLACKBOT"}
    assert users["U8W3QFGQ5"].email == "rheaparekh12@gmail.com"
    assert users["U8W3QFGQ5"].updated_at == datetime(2018, 1, 20, 14, 19, 2, tzinfo=UTC)
    assert users["USLACKBOT"].email == ""  # profile.fields is null there


def _cassette(name: str) -> list[dict]:
    data = yaml.safe_load((FIXTURES / "slack-ruby-client" / name).read_text(encoding="utf-8"))
    return [
        decode_json(i["response"]["body"]["string"], url=URL) for i in data["http_interactions"]
    ]


def test_users_list_of_slack_ruby_client_real_calls_with_bots_and_deleted_members() -> None:
    users = [
        parsers.parse_user(m, url=URL)
        for body in _cassette("users_list.yml") + _cassette("paginated_users_list.yml")
        for m in body["members"]
    ]
    assert any(u.is_bot for u in users)
    assert any(u.is_deleted for u in users)
    assert all(parsers.SLACK_ID.fullmatch(u.source_id) for u in users)


def test_java_sdk_schema_samples_with_every_key() -> None:
    sample = fixture("java-slack-sdk-schema-samples/users.list.json")
    (user,) = [parsers.parse_user(m, url=URL) for m in sample["members"]]
    assert user.source_id == "U00000000"
    channels = fixture("java-slack-sdk-schema-samples/conversations.list.json")["channels"]
    assert [parsers.parse_channel(c, url=URL).source_id for c in channels]
    info = fixture("java-slack-sdk-schema-samples/conversations.info.json")["channel"]
    assert parsers.parse_channel(info, url=URL).source_id == "C00000000"
    members = fixture("java-slack-sdk-schema-samples/conversations.members.json")["members"]
    assert [parsers.parse_member_id(m, url=URL) for m in members] == ["U00000000"]
    history = fixture("java-slack-sdk-schema-samples/conversations.history.json")["messages"]
    page = parse_each(history, parsers.parse_message, url=URL)
    assert not page.bad
    assert page.items
    message = page.items[0]
    assert message.edited_at is not None
    assert message.files
    assert set(message.files[0]) >= {"id", "name", "mimetype", "size"}


def test_python_sdk_conversations_list_and_toy_pages() -> None:
    listed = fixture("python-slack-sdk/web_response_conversations_list.json")["channels"]
    general, random = (parsers.parse_channel(c, url=URL) for c in listed)
    assert (general.name, general.is_member, general.creator_id) == ("general", True, "U111")
    assert random.purpose.startswith("A place for non-work banter")
    pages = ["", "_has_page2", "_has_page3"]
    ids = [
        parsers.parse_channel(c, url=URL).source_id
        for name in pages
        for c in fixture(f"python-slack-sdk/web_response_conversations_list_pagination{name}.json")[
            "channels"
        ]
    ]
    assert ids == ["C1", "C2", "C3"]
    # The SDK's toy users pages hold bare strings: each one is a bad item, not a crash.
    toy = fixture("python-slack-sdk/web_response_users_list_pagination.json")["members"]
    page = parse_each(toy, parsers.parse_user, url=URL)
    assert not page.items
    assert len(page.bad) == 2


def test_rtm_start_snapshot_users_and_channels() -> None:
    snapshot = fixture("python-slack-sdk/rtm.start.json")
    assert parse_each(snapshot["users"], parsers.parse_user, url=URL).items
    assert parse_each(snapshot["channels"], parsers.parse_channel, url=URL).items
    assert parsers.parse_team(snapshot["team"], url=URL).team_id


def test_threads_and_broadcast_replies_of_zulip_exports() -> None:
    thread = [
        parsers.parse_message(m, url=URL) for m in fixture("zulip-slack-import/normal_thread.json")
    ]
    root, reply = thread[0], thread[1]
    assert (root.is_reply, reply.is_reply, reply.thread_ts) == (False, True, root.ts)
    assert reply.posted_at == datetime(2015, 8, 18, 3, 24, 54, 7, tzinfo=UTC)
    broadcast = parsers.parse_message(
        fixture("zulip-slack-import/thread_with_broadcast_reply.json")[2], url=URL
    )
    assert (broadcast.subtype, broadcast.is_reply, broadcast.in_history) == (
        "thread_broadcast",
        True,
        True,
    )


def test_rich_text_blocks_render_when_text_is_empty() -> None:
    emoji = fixture("zulip-slack-import/message_with_emojis.json")
    assert parsers.render_blocks(emoji["blocks"]) == (
        "Hello there! Here are some emojis :basketball: :snowboarder: :checkered_flag:"
    )
    varied = fixture("zulip-slack-import/message_with_varying_block_types.json")
    rendered = parsers.render_blocks(varied["blocks"])
    assert "I am a bold rich text block!" in rendered
    assert "This is a header block" in rendered
    assert "Header 1 | Header 2\nDatum 1 | Datum 2" in rendered
    blank = parsers.parse_message({**varied, "text": ""}, url=URL)
    assert blank.text == rendered


def test_error_envelopes_carry_no_items() -> None:
    assert fixture("python-slack-sdk/web_response_api_test_false.json") == {"ok": False}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "no ts"}, "ts"),
        ({"ts": "yesterday"}, "ts"),
        ({"ts": "1.1", "thread_ts": 5}, "thread_ts"),
        ({"ts": "1.1", "reactions": {"name": "x"}}, "reactions"),
        ([1, 2], None),
    ],
)
def test_a_malformed_message_names_the_url_and_field(payload, field) -> None:
    with pytest.raises(MalformedResponse) as caught:
        parsers.parse_message(payload, url=URL)
    assert URL in str(caught.value)
    if field:
        assert field in str(caught.value)
