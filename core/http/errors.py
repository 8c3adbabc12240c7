"""Exceptions of the HTTP layer. Each keeps the facts (URL without secrets, status,
messages) and subclasses what `core.errors.classify_failure` already understands,
so a collector never maps them by hand."""

from __future__ import annotations


class MalformedResponse(ValueError):
    """A response body could not be parsed (not JSON, wrong shape): a validation failure."""

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
