"""Split a document's text into chunks for the index.

`semantic-text-splitter` (Rust, no Python dependencies) cuts at the largest semantic
unit that fits: Markdown sections, then fenced code blocks, paragraphs, sentences and
words, so a code block stays whole when it fits a chunk. Sizes are characters, so no
tokenizer or model is needed. Why this library and not another: the app README.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from semantic_text_splitter import MarkdownSplitter


@lru_cache(maxsize=4)
def _splitter(capacity: int, overlap: int) -> MarkdownSplitter:
    return MarkdownSplitter(capacity, overlap=min(overlap, capacity - 1))


def split_text(text: str) -> list[str]:
    """The chunks of `text`, in order; an empty text still has one (empty) chunk.

    One chunk at least, so a document with a title and no body is searchable by title.
    """
    splitter = _splitter(settings.SEARCH_CHUNK_CHARS, settings.SEARCH_CHUNK_OVERLAP_CHARS)
    return splitter.chunks(text) or [""]


def chunk_id(doc_id: str, ordinal: int) -> str:
    """Stable per (document, position): re-chunking a document overwrites, never duplicates."""
    return f"{doc_id}#{ordinal}"
