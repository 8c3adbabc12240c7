"""Text of downloaded WG21 documents, for the search index.

HTML through selectolax (scripts, styles and markup dropped), PDF through pypdf,
AsciiDoc as it is (it is text). PostScript and other formats are recorded as not
extracted, with the reason, rather than guessed at. The text is bounded so one huge
draft cannot fill a row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from selectolax.lexbor import LexborHTMLParser

from wg21_paper_tracker.models import TextStatus
from wg21_paper_tracker.parsers import clean

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2_000_000


@dataclass(frozen=True)
class Extracted:
    status: str  # a TextStatus value
    text: str = ""
    note: str = ""


def _html_text(data: bytes) -> str:
    tree = LexborHTMLParser(data.decode("utf-8", errors="replace"))
    for node in tree.css("script, style, noscript"):
        node.decompose()
    body = tree.body or tree.root
    if body is None:
        return ""
    lines = (clean(line) for line in body.text(separator="\n").splitlines())
    return "\n".join(line for line in lines if line)


def _pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    return "\n".join(clean(page.extract_text() or "") for page in reader.pages).strip()


def extract_text(path: Path, *, file_format: str) -> Extracted:
    """The text of a downloaded file, or why there is none."""
    try:
        if file_format == "html":
            text = _html_text(path.read_bytes())
        elif file_format == "pdf":
            text = _pdf_text(path)
        elif file_format in ("adoc", "txt", "md"):
            text = path.read_bytes().decode("utf-8", errors="replace").strip()
        else:
            return Extracted(
                TextStatus.NOT_EXTRACTED,
                note=f"no text extractor for {file_format or 'this'} files",
            )
    except (PyPdfError, ValueError, OSError) as exc:
        logger.warning("no text from %s: %s", path.name, exc)
        return Extracted(TextStatus.NOT_EXTRACTED, note=f"unreadable {file_format}: {exc}"[:500])
    if not text:
        return Extracted(TextStatus.NOT_EXTRACTED, note="the file holds no text")
    return Extracted(TextStatus.EXTRACTED, text=text[:MAX_TEXT_CHARS])
