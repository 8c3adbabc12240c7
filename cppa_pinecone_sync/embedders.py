"""Dense vectors for the `postgres` backend, when `SEARCH_EMBEDDER` names an embedder.

The default is none: full-text search needs no model. `hashed-ngrams` is built in and
offline: each text becomes the signed, hashed counts of its words' character trigrams
(the "hashing trick"), log-scaled and normalised, so `allocater` lands near `allocator`
and `coroutine` near `coroutines`, which whole-word full-text search misses. It needs
no download and no numerical library; ~20 lines did not justify scikit-learn's
`HashingVectorizer` and SciPy beside it. Any other embedder (a sentence-transformers
model, a hosted API) plugs in as `module.path:factory`: a callable answering an object
with a `name`, its `dimensions` and `embed(texts) -> list[list[float]]`.
"""

from __future__ import annotations

import importlib
import math
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.management.base import CommandError

HASHED_NGRAMS = "hashed-ngrams"
# pgvector's HNSW index takes vectors of at most 2,000 dimensions.
MAX_DIMENSIONS = 2000
_WORD = re.compile(r"\w+")


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class HashedNgramEmbedder:
    """Character-trigram feature hashing: deterministic, offline, a few µs per word."""

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.name = f"{HASHED_NGRAMS}/{dimensions}"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(text) for text in texts]

    def _vector(self, text: str) -> list[float]:
        grams: Counter[int] = Counter()
        for word in _WORD.findall(text.lower()):
            padded = f" {word} "
            grams.update(zlib.crc32(padded[i : i + 3].encode()) for i in range(len(padded) - 2))
        vector = [0.0] * self.dimensions
        for code, count in grams.items():
            # The high bit picks the sign, so colliding trigrams cancel rather than pile up.
            sign = 1.0 if code & 0x80000000 else -1.0
            vector[code % self.dimensions] += sign * (1.0 + math.log(count))
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector] if norm else vector


def configured_embedder() -> Embedder | None:
    """The embedder `SEARCH_EMBEDDER` names, or None; a bad name is one CommandError line."""
    return _load(settings.SEARCH_EMBEDDER, settings.SEARCH_EMBEDDING_DIMENSIONS)


@lru_cache(maxsize=4)
def _load(spec: str, dimensions: int) -> Embedder | None:
    if not spec:
        return None
    if spec == HASHED_NGRAMS:
        if dimensions > MAX_DIMENSIONS:
            raise CommandError(
                f"SEARCH_EMBEDDING_DIMENSIONS must be at most {MAX_DIMENSIONS}, got {dimensions}"
            )
        return HashedNgramEmbedder(dimensions)
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise CommandError(
            f"SEARCH_EMBEDDER={spec!r}: use '{HASHED_NGRAMS}' or 'module.path:factory'"
        )
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise CommandError(f"SEARCH_EMBEDDER={spec!r} cannot be loaded: {exc}") from None
    embedder = factory()
    size = getattr(embedder, "dimensions", None)
    if not isinstance(size, int) or not 1 <= size <= MAX_DIMENSIONS:
        raise CommandError(
            f"SEARCH_EMBEDDER={spec!r}: its embedder's dimensions must be a whole number "
            f"from 1 to {MAX_DIMENSIONS}, got {size!r}"
        )
    if not callable(getattr(embedder, "embed", None)) or not getattr(embedder, "name", ""):
        raise CommandError(f"SEARCH_EMBEDDER={spec!r}: its embedder needs a name and embed()")
    return embedder


def as_vector_literal(vector: Sequence[float]) -> str:
    """pgvector's text form, `[x,y,...]`, cast with `::vector` in the statement."""
    return "[" + ",".join(f"{v:.7g}" for v in vector) + "]"
