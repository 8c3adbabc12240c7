"""What a run stored, by natural key, to compare a disturbed run with an undisturbed one.

Counts hide a lost row behind a duplicate; keys do not. Each table is read by the key
the source gives it (GitHub ids, SHAs, numbers), with the fields that say which
parent a row belongs to, plus the updated_at the checkpoints resume from.
"""

from __future__ import annotations

from typing import Any

from core.models import Checkpoint, HttpCacheEntry
from cppa_user_tracker.models import EmailAddress, GitHubAccount, GitIdentity
from github_activity_tracker.models import (
    Comment,
    Commit,
    FileChange,
    Issue,
    Label,
    PullRequest,
    Release,
    Repository,
    Review,
    ReviewComment,
)

KEYS: dict[type, tuple[str, ...]] = {
    Repository: ("full_name", "status"),
    Release: ("github_id",),
    Commit: ("repository__full_name", "sha"),
    FileChange: ("commit__sha", "filename"),
    Label: ("github_id",),
    Issue: ("github_id", "number", "updated_at"),
    PullRequest: ("github_id", "issue__number"),
    Comment: ("github_id", "issue__number", "updated_at"),
    Review: ("github_id", "issue__number", "state"),
    ReviewComment: ("github_id", "issue__number"),
    GitHubAccount: ("github_id", "login"),
    GitIdentity: ("name", "email"),
}


def natural_keys() -> dict[str, Any]:
    """Every stored row of the activity tables, as a sorted list of keys per table."""
    return {
        model.__name__: sorted(model.objects.values_list(*fields), key=repr)
        for model, fields in KEYS.items()
    }


def wipe() -> None:
    """Forget everything a run stored, checkpoints and ETags included: a new database."""
    Repository.objects.all().delete()
    Checkpoint.objects.all().delete()
    HttpCacheEntry.objects.all().delete()
    GitHubAccount.objects.all().delete()
    GitIdentity.objects.all().delete()
    EmailAddress.objects.all().delete()
