"""Exceptions of the HTTP layer. Each keeps the facts (URL without secrets, status,
messages) and subclasses what `core.errors.classify_failure` already understands,
so a collector never maps them by hand."""

from __future__ import annotations


class MalformedResponse(ValueError):
    """A response body could not be parsed (not JSON, wrong shape): a validation failure.

    `field` is the path of the offending field (`user.id`, `files[2].additions`) and
    `item_id` the id of the item it belongs to, when known: enough to find the one
    bad item in a page.
    """

    def __init__(
        self, message: str, *, url: str, field: str | None = None, item_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.url = url
        self.field = field
        self.item_id = item_id


class PaginationLoopError(ValueError):
    """A stream's next page is one it already read: following it would never end."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class ForeignOriginError(ValueError):
    """A pagination link pointed at another origin; following it could leak the token."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class GraphQLError(ValueError):
    """A GraphQL response carried `errors`, even though its HTTP status was 200."""

    def __init__(self, message: str, *, url: str, messages: list[str], types: list[str]) -> None:
        super().__init__(message)
        self.url = url
        self.messages = messages
        self.types = types


class ReplayMissError(ValueError):
    """A replayed run asked for a request the archive does not hold."""


class NoNetworkError(ConnectionError):
    """The source's host could not be reached at all (DNS or connect failure after retries).

    A ConnectionError, so `classify_failure` files it under `network`; its message is one
    line an operator can act on.
    """

    def __init__(self, message: str, *, host: str) -> None:
        super().__init__(message)
        self.host = host
