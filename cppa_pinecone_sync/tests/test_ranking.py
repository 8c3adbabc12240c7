"""Reciprocal rank fusion on its own: positions only, agreement first."""

from __future__ import annotations

import pytest

from cppa_pinecone_sync.ranking import RRF_K, fuse


def test_a_key_both_rankings_hold_beats_the_first_of_either() -> None:
    fused = fuse([["a", "b"], ["c", "b"]], limit=10)
    assert list(fused) == ["b", "a", "c"]
    assert fused["b"] == pytest.approx(2 / (RRF_K + 2))
    assert fused["a"] == pytest.approx(1 / (RRF_K + 1))


def test_the_limit_cuts_after_ranking_and_ties_go_to_the_smaller_key() -> None:
    assert list(fuse([["y", "x"], ["x", "y"], ["z"]], limit=2)) == ["x", "y"]
    assert fuse([], limit=3) == {}
