"""Every create, update and delete on wg21_paper_tracker's tables."""

from __future__ import annotations

from django.db import transaction

from wg21_paper_tracker.models import Wg21PaperTrackerRunState


def record_run(*, source_key: str) -> tuple[Wg21PaperTrackerRunState, bool]:
    """Count one run for `source_key`; return the row and whether it was created.

    The row is locked while it is incremented, so two runs at once both count.
    """
    if not source_key.strip():
        raise ValueError("source_key must not be blank")
    with transaction.atomic():
        locked_rows = Wg21PaperTrackerRunState.objects.select_for_update()
        row, created = locked_rows.get_or_create(source_key=source_key)
        row.run_count += 1
        row.save(update_fields=["run_count", "updated_at"])
    return row, created
