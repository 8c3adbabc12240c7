"""A pool of GitHub tokens, each with the budget GitHub last reported for it.

GitHub counts its primary limit per account, so a pool of tokens from different
accounts multiplies the hourly budget. The pool always hands out the token with the
most remaining requests; a token with no report yet counts as full, so every token
gets tried before the pool calls itself exhausted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx
from django.conf import settings

from core.http.redaction import register_secret

logger = logging.getLogger(__name__)

# Budgets GitHub documents, used until a response reports the real one.
AUTHENTICATED_HOURLY_LIMIT = 5000
UNAUTHENTICATED_HOURLY_LIMIT = 60


@dataclass
class TokenBudget:
    """What GitHub last said about one token: requests left and when it refills."""

    token: str | None
    remaining: int
    reset_at: float = 0.0
    # Budgets of GitHub's other resources (`graphql`, `search`, ...): (remaining, reset).
    # `remaining` above is the REST `core` budget, the one tokens are chosen by.
    buckets: dict[str, tuple[int, float]] = field(default_factory=dict)


class TokenPool:
    """Pick tokens by remaining budget; `None` is the one 'token' of anonymous access."""

    def __init__(self, tokens: list[str]) -> None:
        unique = list(dict.fromkeys(t.strip() for t in tokens if t.strip()))
        for token in unique:
            register_secret(token)
        if unique:
            self._budgets = [TokenBudget(t, AUTHENTICATED_HOURLY_LIMIT) for t in unique]
        else:
            self._budgets = [TokenBudget(None, UNAUTHENTICATED_HOURLY_LIMIT)]
            logger.warning(
                "no GITHUB_TOKEN or GITHUB_TOKENS set: calling GitHub unauthenticated, "
                "limited to %s requests per hour",
                UNAUTHENTICATED_HOURLY_LIMIT,
            )

    @classmethod
    def from_settings(cls) -> TokenPool:
        """Build the pool from GITHUB_TOKENS (a comma list) and GITHUB_TOKEN."""
        tokens = [*settings.GITHUB_TOKENS]
        if settings.GITHUB_TOKEN:
            tokens.append(settings.GITHUB_TOKEN)
        return cls(tokens)

    def __len__(self) -> int:
        return len(self._budgets)

    @property
    def authenticated(self) -> bool:
        return self._budgets[0].token is not None

    def best(self, *, now: float) -> TokenBudget:
        """Return the budget with the most requests left (a past reset counts as full)."""
        for budget in self._budgets:
            if budget.reset_at and budget.reset_at <= now:
                budget.remaining = max(budget.remaining, 1)
        return max(self._budgets, key=lambda b: b.remaining)

    def record(self, budget: TokenBudget, headers: httpx.Headers) -> None:
        """Update a token's budget from a response's x-ratelimit-* headers.

        GitHub names the budget a response counted against in `x-ratelimit-resource`;
        a GraphQL or search answer reports that resource's budget, not the REST one.
        """
        resource = headers.get("x-ratelimit-resource", "core")
        if resource != "core":
            remaining, reset = (
                headers.get("x-ratelimit-remaining", ""),
                headers.get("x-ratelimit-reset", ""),
            )
            if remaining.isdigit():
                self.record_bucket(
                    budget, resource, remaining=int(remaining), reset_at=float(reset or 0)
                )
            return
        remaining = headers.get("x-ratelimit-remaining", "")
        if remaining.isdigit():
            budget.remaining = int(remaining)
        reset = headers.get("x-ratelimit-reset", "")
        if reset.isdigit():
            budget.reset_at = float(reset)

    def record_bucket(
        self, budget: TokenBudget, resource: str, *, remaining: int, reset_at: float
    ) -> None:
        """Keep what GitHub said about one token's `resource` budget (e.g. GraphQL points)."""
        if resource == "core":
            budget.remaining, budget.reset_at = remaining, reset_at or budget.reset_at
        else:
            budget.buckets[resource] = (remaining, reset_at)

    def remaining_by_bucket(self) -> dict[str, int]:
        """What the pool has left per resource, summed over the tokens that reported it.

        `core` is always there (a token with no report counts as full); another
        resource appears once a response reported it.
        """
        totals = {"core": sum(b.remaining for b in self._budgets)}
        for budget in self._budgets:
            for resource, (remaining, _reset) in budget.buckets.items():
                totals[resource] = totals.get(resource, 0) + remaining
        return totals

    def exhaust(self, budget: TokenBudget, *, reset_at: float | None) -> None:
        """Mark a token as out of requests until `reset_at` (epoch seconds)."""
        budget.remaining = 0
        if reset_at is not None:
            budget.reset_at = reset_at

    def earliest_reset(self) -> float:
        """Return when the first token refills (epoch seconds; 0 when unknown)."""
        return min(b.reset_at for b in self._budgets)

    def refill_all(self) -> None:
        """Treat every token as usable again, after waiting for a reset."""
        for budget in self._budgets:
            budget.remaining = max(budget.remaining, 1)
