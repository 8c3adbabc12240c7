"""Read one Slack team through the Web API, page by page, as plain items.

`conversations.history` lists a channel newest first; its cursor is opaque and tied
to the request, so the collector resumes a walk by time instead (`latest` = the
oldest ts it stored, exclusive), which Slack accepts at any later date and which
leaves neither a gap nor a duplicate. Within one run the pages follow
`next_cursor`. Thread replies are not in the history: `conversations.replies` reads
each thread, root first. Nothing here touches the database; each page comes back as
a `ParsedPage` (items that parsed, and the ones of the wrong shape as `BadItem`s).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from core.bad_items import ParsedPage, parse_each
from core.http import MalformedResponse, SlackClient
from cppa_slack_tracker import parsers
from cppa_slack_tracker.items import ChannelItem, MessageItem, TeamItem, UserItem

CHANNEL_TYPES = "public_channel,private_channel"
# Slack's documented maxima per request.
MAX_USERS_PAGE = 1000
MAX_CHANNELS_PAGE = 1000
MAX_HISTORY_PAGE = 999
MEMBERS_PAGE = 1000
REPLIES_PAGE = 1000


@dataclass(frozen=True)
class Auth:
    """What `auth.test` says about the token: its team and the bot's own ids."""

    team: TeamItem
    user_id: str
    bot_id: str


class SlackFetcher:
    """Yield one team's users, channels, members, messages and thread replies."""

    def __init__(self, client: SlackClient) -> None:
        self.client = client

    def auth(self) -> Auth:
        """Check the token (an invalid one raises SlackApiError, category auth)."""
        body = self.client.call("auth.test")
        url = self.client.url_of("auth.test")
        team = parsers.parse_team(body, url=url)
        user_id, bot_id = body.get("user_id"), body.get("bot_id")
        return Auth(
            team=team,
            user_id=user_id if isinstance(user_id, str) else "",
            bot_id=bot_id if isinstance(bot_id, str) else "",
        )

    def team(self, team_id: str) -> TeamItem:
        body = self.client.call("team.info", {"team": team_id})
        return parsers.parse_team(body.get("team"), url=self.client.url_of("team.info"))

    def users(self) -> Iterator[ParsedPage[UserItem]]:
        limit = min(settings.SLACK_USERS_PAGE_SIZE, MAX_USERS_PAGE)
        for page in self.client.pages("users.list", key="members", params={"limit": limit}):
            yield parse_each(page.items, parsers.parse_user, url=page.url)

    def channels(self) -> Iterator[ParsedPage[ChannelItem]]:
        params = {"types": CHANNEL_TYPES, "exclude_archived": "false", "limit": 200}
        for page in self.client.pages("conversations.list", key="channels", params=params):
            yield parse_each(page.items, parsers.parse_channel, url=page.url)

    def members(self, channel_id: str) -> list[str]:
        """Every member id of a channel (all pages: a member list is small)."""
        members: list[str] = []
        params = {"channel": channel_id, "limit": MEMBERS_PAGE}
        for page in self.client.pages("conversations.members", key="members", params=params):
            members += [parsers.parse_member_id(m, url=page.url) for m in page.items]
        return members

    def history(
        self, channel_id: str, *, oldest: str = "", latest: str = "", inclusive: bool = False
    ) -> Iterator[ParsedPage[MessageItem]]:
        """Pages of a channel's messages, newest first, between `oldest` and `latest`."""
        params = {
            "channel": channel_id,
            "limit": min(settings.SLACK_HISTORY_PAGE_SIZE, MAX_HISTORY_PAGE),
            "oldest": oldest,
            "latest": latest,
            "inclusive": "true" if inclusive and (oldest or latest) else "",
        }
        for page in self.client.pages("conversations.history", key="messages", params=params):
            yield parse_each(page.items, parsers.parse_message, url=page.url)

    def replies(self, channel_id: str, thread_ts: str) -> Iterator[ParsedPage[MessageItem]]:
        """Pages of one thread, root first, then its replies oldest first."""
        params = {"channel": channel_id, "ts": thread_ts, "limit": REPLIES_PAGE}
        for page in self.client.pages("conversations.replies", key="messages", params=params):
            if not page.items:
                raise MalformedResponse(f"{page.url}: a thread without its root", url=page.url)
            yield parse_each(page.items, parsers.parse_message, url=page.url)
