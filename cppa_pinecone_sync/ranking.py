"""Reciprocal rank fusion: one ranking from several whose scores cannot be compared.

A document's fused score is the sum of 1 / (k + rank) over the rankings it appears in
(rank 1 first). It needs only positions, so full-text ranks and cosine similarities
(postgres), or a sparse and a dense index's scores (Pinecone), are never mixed, and a
document that several rankings agree on rises above one that only one ranking likes.
k = 60 is the value of the method's paper (Cormack, Clarke and Büttcher, 2009): it damps
the difference between the very first ranks.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

RRF_K = 60

Key = TypeVar("Key", bound=Hashable)


def fuse(rankings: Sequence[Iterable[Key]], *, limit: int, k: int = RRF_K) -> dict[Key, float]:
    """The best `limit` keys by fused score, best first; ties go to the smaller key."""
    scores: dict[Key, float] = {}
    for ranking in rankings:
        for position, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + position)
    top = sorted(scores, key=lambda key: (-scores[key], key))[:limit]  # pyright: ignore[reportOperatorIssue]
    return {key: scores[key] for key in top}
