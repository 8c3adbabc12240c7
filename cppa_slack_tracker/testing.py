"""A loopback Slack Web API for tests: a workspace held in memory, served over a real
socket with Slack's semantics (POST form arguments, bearer token, `ok: false` errors,
cursor pages, `conversations.history` newest first with `oldest`/`latest`/`inclusive`,
threads through `conversations.replies`, roots carrying `reply_count`/`latest_reply`).

It is loaded from the recorded samples in `tests/fixtures/` (users from Zulip's real
`users.list`, channels from python-slack-sdk's `conversations.list`, messages from
Zulip's export fixtures) plus the composed `composed/workspace__community.json`, and
tests change it (`post`, `edit`, `delete`, `join`, `leave`) between runs. Faults queued
with `fail("POST", "/conversations.history", reply)` are served first, as by
`FixtureServer`.
"""

from __future__ import annotations

import base64
import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from core.testing.fixture_server import FixtureServer, Reply, SeenRequest, route_key

FIXTURES = Path(__file__).resolve().parent / "tests" / "fixtures"
TEAM_ID = "T5YFFM2QY"
JSON = {"content-type": "application/json; charset=utf-8"}


def fixture(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


def _num(ts: str) -> Decimal:
    return Decimal(ts)


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        return -1


class SlackFake(FixtureServer):
    """The workspace: team, users, channels with members and messages."""

    def __init__(self, *, token: str) -> None:
        super().__init__()
        self.token = token
        composed = fixture("composed/workspace__community.json")
        self.team = composed["team"]
        self.users: list[dict] = fixture("zulip-slack-import/user_data.json")["members"]
        listed = fixture("python-slack-sdk/web_response_conversations_list.json")["channels"]
        private = dict(composed["private_channel"])
        self.channels: list[dict] = [
            *listed,
            {k: v for k, v in private.items() if k not in ("messages", "members")},
        ]
        self.messages: dict[str, dict[str, dict]] = {}
        self.members: dict[str, list[str]] = {}
        for channel_id, spec in composed["channels"].items():
            found = list(spec["messages"])
            for path in spec["recorded"]:
                data = fixture(path)
                found += data if isinstance(data, list) else [data]
            self.messages[channel_id] = {m["ts"]: m for m in found}
            self.members[channel_id] = list(spec["members"])
        self.messages[private["id"]] = {m["ts"]: m for m in private["messages"]}
        self.members[private["id"]] = list(private["members"])
        # Per channel, an error code conversations.* answers instead (e.g. not_in_channel).
        self.channel_errors: dict[str, str] = {}
        # When set, users.list answers these recorded bodies by cursor instead.
        self.users_pages: dict[str, str] | None = None
        # (method, n) -> a reply served instead of the n-th call of that method (1-based).
        self.on_call: dict[tuple[str, int], Reply] = {}
        self._count: dict[str, int] = {}

    def fail_on_call(self, method: str, number: int, reply: Reply) -> None:
        """Serve `reply` (an error or a fault) to the `number`-th call of `method`."""
        self.on_call[(method, number)] = reply

    # --- changing the workspace between runs ------------------------------------

    def post(self, channel: str, message: dict) -> dict:
        message = {"type": "message", **message}
        self.messages[channel][message["ts"]] = message
        return message

    def edit(self, channel: str, ts: str, text: str, *, edited_ts: str) -> None:
        message = self.messages[channel][ts]
        message["text"] = text
        message["edited"] = {"user": message.get("user", ""), "ts": edited_ts}

    def delete(self, channel: str, ts: str) -> None:
        del self.messages[channel][ts]

    def join(self, channel: str, user: str, *, ts: str) -> None:
        self.members[channel].append(user)
        self.post(
            channel,
            {
                "subtype": "channel_join",
                "user": user,
                "ts": ts,
                "text": f"<@{user}> has joined the channel",
            },
        )

    def leave(self, channel: str, user: str, *, ts: str) -> None:
        self.members[channel].remove(user)
        self.post(
            channel,
            {
                "subtype": "channel_leave",
                "user": user,
                "ts": ts,
                "text": f"<@{user}> has left the channel",
            },
        )

    def newest_ts(self, channel: str) -> str:
        return max(self.messages[channel], key=_num)

    # --- serving ------------------------------------------------------------------

    def next_reply(self, request: SeenRequest) -> Reply:
        key = route_key(request.method, urlsplit(request.target).path)
        with self._lock:
            self.requests.append(request)
            method = key[1].lstrip("/")
            self._count[method] = self._count.get(method, 0) + 1
            faults = self._faults.get(key)
            fault = faults.popleft() if faults else self.on_call.get((method, self._count[method]))
            if fault is not None and fault.fault not in ("delay", "truncate"):
                return fault
            reply = self._answer(request)
        if fault is not None:
            return Reply(reply.status, reply.headers, reply.body, fault.fault, fault.delay_seconds)
        return reply

    def calls(self, method: str) -> list[dict[str, str]]:
        """The arguments of every call of `method` so far."""
        return [
            dict(parse_qsl(r.body.decode()))
            for r in self.requests
            if urlsplit(r.target).path == f"/{method}"
        ]

    def _answer(self, request: SeenRequest) -> Reply:
        method = urlsplit(request.target).path.lstrip("/")
        args = dict(parse_qsl(request.body.decode("utf-8")))
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _ok_false("invalid_auth")
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return _ok_false("unknown_method")
        channel = args.get("channel")
        if channel and channel in self.channel_errors:
            return _ok_false(self.channel_errors[channel])
        if channel and method != "conversations.info" and channel not in self.messages:
            return _ok_false("channel_not_found")
        return handler(args)

    def _auth_test(self, args: dict) -> Reply:
        return _ok(
            {
                "url": self.team["url"],
                "team": self.team["name"],
                "user": "boost-bot",
                "team_id": self.team["id"],
                "user_id": "U0BOTUSER1",
                "bot_id": "B0BOTBOT01",
            }
        )

    def _team_info(self, args: dict) -> Reply:
        return _ok({"team": dict(self.team)})

    def _users_list(self, args: dict) -> Reply:
        if self.users_pages is not None:
            body = self.users_pages.get(args.get("cursor", ""))
            return Reply(200, dict(JSON), body.encode()) if body else _ok_false("invalid_cursor")
        return _page(self.users, args, key="members")

    def _conversations_list(self, args: dict) -> Reply:
        return _page(self.channels, args, key="channels")

    def _conversations_members(self, args: dict) -> Reply:
        return _page(self.members[args["channel"]], args, key="members")

    def _conversations_history(self, args: dict) -> Reply:
        channel = args["channel"]
        listed = [m for m in self._with_threads(channel) if _in_history(m)]
        inclusive = args.get("inclusive") in ("true", "1")
        if args.get("oldest"):
            low = _num(args["oldest"])
            listed = [
                m for m in listed if _num(m["ts"]) > low or (inclusive and _num(m["ts"]) == low)
            ]
        if args.get("latest"):
            high = _num(args["latest"])
            listed = [
                m for m in listed if _num(m["ts"]) < high or (inclusive and _num(m["ts"]) == high)
            ]
        listed.sort(key=lambda m: _num(m["ts"]), reverse=True)
        return _page(listed, args, key="messages", has_more=True)

    def _conversations_replies(self, args: dict) -> Reply:
        channel, ts = args["channel"], args.get("ts", "")
        messages = {m["ts"]: m for m in self._with_threads(channel)}
        root = messages.get(ts)
        if root is None:
            return _ok_false("thread_not_found")
        replies = sorted(
            (m for m in messages.values() if m.get("thread_ts") == ts and m["ts"] != ts),
            key=lambda m: _num(m["ts"]),
        )
        return _page([root, *replies], args, key="messages", has_more=True)

    def _with_threads(self, channel: str) -> list[dict]:
        """The channel's messages, roots given reply_count/latest_reply as Slack does."""
        messages = [copy.deepcopy(m) for m in self.messages[channel].values()]
        by_ts = {m["ts"]: m for m in messages}
        threads: dict[str, list[dict]] = {}
        for m in messages:
            thread = m.get("thread_ts")
            if thread and thread != m["ts"]:
                threads.setdefault(thread, []).append(m)
        for root_ts, replies in threads.items():
            root = by_ts.get(root_ts)
            if root is None:
                continue
            root["thread_ts"] = root_ts
            root["reply_count"] = len(replies)
            root["latest_reply"] = max((r["ts"] for r in replies), key=_num)
            root["reply_users"] = sorted({r.get("user", "") for r in replies})
        for m in messages:
            if m["ts"] not in threads and m.get("thread_ts") == m["ts"]:
                m.pop("reply_count", None)
                m.pop("latest_reply", None)
        return messages


def _in_history(message: dict) -> bool:
    thread = message.get("thread_ts")
    return not thread or thread == message["ts"] or message.get("subtype") == "thread_broadcast"


def _ok(body: dict) -> Reply:
    return Reply(200, dict(JSON), json.dumps({"ok": True, **body}).encode())


def _ok_false(error: str) -> Reply:
    return Reply(200, dict(JSON), json.dumps({"ok": False, "error": error}).encode())


def _page(items: list, args: dict, *, key: str, has_more: bool = False) -> Reply:
    offset = _offset(args.get("cursor", ""))
    if offset < 0:
        return _ok_false("invalid_cursor")
    limit = int(args.get("limit") or 100)
    chunk = items[offset : offset + limit]
    more = offset + limit < len(items)
    body: dict[str, Any] = {
        key: chunk,
        "response_metadata": {"next_cursor": _cursor(offset + limit) if more else ""},
    }
    if has_more:
        body["has_more"] = more
    return _ok(body)


def point_slack_at(settings: Any, server: SlackFake, *, token: str, workspace: Path) -> None:
    """Send the Slack client to `server` with one token, no waits between requests and a
    throwaway workspace."""
    settings.SLACK_API_URL = server.base_url
    settings.SLACK_BOT_TOKENS = {"default": token}
    settings.WORKSPACE_DIR = str(workspace)
    settings.HTTP_BACKOFF_BASE_SECONDS = 0
    settings.HTTP_BACKOFF_MAX_SECONDS = 0
    settings.HTTP_MAX_ATTEMPTS = 2
    for name in (
        "SLACK_TIER2_PER_MINUTE",
        "SLACK_TIER3_PER_MINUTE",
        "SLACK_TIER4_PER_MINUTE",
        "SLACK_HISTORY_PER_MINUTE",
    ):
        setattr(settings, name, 600_000)
