"""The token pool keeps GitHub's budgets apart: REST core, GraphQL points, search."""

from __future__ import annotations

import httpx

from core.http.tokens import TokenPool


def test_a_graphql_answer_does_not_overwrite_the_rest_budget() -> None:
    pool = TokenPool(["ghp_" + "Bucket00" * 5])
    budget = pool.best(now=0)
    pool.record(budget, httpx.Headers({"x-ratelimit-remaining": "4100", "x-ratelimit-reset": "9"}))
    graphql = {"x-ratelimit-remaining": "4990", "x-ratelimit-resource": "graphql"}
    pool.record(budget, httpx.Headers(graphql))

    assert budget.remaining == 4100
    assert pool.remaining_by_bucket() == {"core": 4100, "graphql": 4990}


def test_a_bucket_reported_in_a_body_is_kept_per_token() -> None:
    pool = TokenPool(["ghp_" + "Bucket01" * 5, "ghp_" + "Bucket02" * 5])
    first = pool.best(now=0)
    pool.record_bucket(first, "graphql", remaining=100, reset_at=50.0)

    assert pool.remaining_by_bucket()["graphql"] == 100
    assert first.buckets == {"graphql": (100, 50.0)}
