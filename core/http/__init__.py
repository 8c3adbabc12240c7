"""The source access layer: the one way collectors talk to the outside world.

Collectors import from here, never httpx: `GitHubClient` for GitHub, `SlackClient`
for the Slack Web API, `WebClient` for other sources' pages and files (or
`build_http_client` plus `send_with_retries`), `Payload` and `decode_json` to read
answers safely, `HttpOptions` and `add_http_arguments` for the --archive/--replay
flags, and `redact` for anything that may hold a secret.
See docs/Access_layer.md.
"""

from core.http.archive import ArchiveWriter, ArchivingTransport, new_archive_dir
from core.http.cli import HttpOptions, add_http_arguments
from core.http.client import RetryPolicy, build_http_client, send_with_retries
from core.http.clock import Clock, SystemClock
from core.http.errors import (
    ForeignOriginError,
    GraphQLError,
    MalformedResponse,
    NoNetworkError,
    PaginationLoopError,
    ReplayMissError,
)
from core.http.github import GitHubClient
from core.http.metering import RequestMeter
from core.http.paging import GraphQLPage, Page
from core.http.payload import Payload, decode_json
from core.http.redaction import redact, register_secret
from core.http.replay import ReplayTransport, read_archive
from core.http.slack import SlackApiError, SlackClient, SlackPage
from core.http.tokens import TokenPool
from core.http.web import Downloaded, Fetched, ResponseTooLarge, WebClient

__all__ = [
    "ArchiveWriter",
    "ArchivingTransport",
    "Clock",
    "Downloaded",
    "Fetched",
    "ForeignOriginError",
    "GitHubClient",
    "GraphQLError",
    "GraphQLPage",
    "HttpOptions",
    "MalformedResponse",
    "NoNetworkError",
    "Page",
    "PaginationLoopError",
    "Payload",
    "ReplayMissError",
    "ReplayTransport",
    "RequestMeter",
    "ResponseTooLarge",
    "RetryPolicy",
    "SlackApiError",
    "SlackClient",
    "SlackPage",
    "SystemClock",
    "TokenPool",
    "WebClient",
    "add_http_arguments",
    "build_http_client",
    "decode_json",
    "new_archive_dir",
    "read_archive",
    "redact",
    "register_secret",
    "send_with_retries",
]
