"""Every write to the people tables, by sub-domain.

`profiles`: upserts of the profile rows this app owns (GitHub accounts, git
identities); `matching`: the evidence engine `run_cppa_user_tracker` runs; `review`:
merges, unmerges, splits, recommendation decisions and undo, each audited.
"""

from cppa_user_tracker.services.profiles import (
    link_git_identities_to_accounts,
    record_github_profiles,
    upsert_git_identities,
    upsert_github_accounts,
)

__all__ = [
    "link_git_identities_to_accounts",
    "record_github_profiles",
    "upsert_git_identities",
    "upsert_github_accounts",
]
