"""Read and write a collector's resume cursor for one source key.

Call `save_checkpoint` inside the same `transaction.atomic()` block that writes the
data the cursor covers. Then the two commit or roll back together: a run killed
after the data but before the cursor cannot happen, so the next run neither skips
nor re-stores anything. Outside a transaction the save still works, but that
guarantee is gone, so the function refuses unless told the caller knows.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from core.models import Checkpoint
from core.text import strip_nul


def get_checkpoint(*, collector: str, source_key: str) -> Any:
    """Return the saved cursor for (collector, source_key), or None when there is none."""
    row = Checkpoint.objects.filter(collector=collector, source_key=source_key).first()
    return None if row is None else row.cursor


def save_checkpoint(
    *, collector: str, source_key: str, cursor: Any, require_transaction: bool = True
) -> Checkpoint:
    """Store the cursor for (collector, source_key), replacing the previous one.

    Raises ValueError outside an atomic block unless `require_transaction=False`:
    a cursor saved apart from its data is how runs lose or duplicate items.
    """
    if not collector or not source_key:
        raise ValueError("a checkpoint needs a collector name and a source key")
    if require_transaction and not connection.in_atomic_block:
        raise ValueError(
            "save_checkpoint must run inside transaction.atomic() with the data it covers"
        )
    row, _ = Checkpoint.objects.update_or_create(
        collector=collector, source_key=source_key, defaults={"cursor": strip_nul(cursor)}
    )
    return row


def clear_checkpoint(*, collector: str, source_key: str) -> int:
    """Forget the cursor (a full re-read next time); return how many rows were deleted."""
    deleted, _ = Checkpoint.objects.filter(collector=collector, source_key=source_key).delete()
    return deleted
