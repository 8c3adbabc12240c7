"""Tables of wg21_paper_tracker; every write to them goes through services.py."""

from django.db import models


class Wg21PaperTrackerRunState(models.Model):
    """How many times the collector has run, per source key.

    A stub that proves the migration and the service write path on day one;
    replace it with the app's real tables.
    """

    # Django adds the id column; declared here so type checkers know `row.id`.
    id: int
    source_key = models.CharField(max_length=200, unique=True)
    run_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.source_key}: {self.run_count} runs"
