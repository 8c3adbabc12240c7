"""The profile kinds this app owns: GitHub accounts and git identities.

Git identities are commit authors and the catalogue's library authors/maintainers
(`libraries.json`, address de-obfuscated): one row per name + address, whichever
source wrote it.
"""

from __future__ import annotations

from cppa_user_tracker.models import GitHubAccount, GitIdentity
from cppa_user_tracker.registry import ProfileFacts, ProfileKind

GITHUB_ACCOUNT = "github_account"
GIT_IDENTITY = "git_identity"


def github_account_facts(account: GitHubAccount) -> ProfileFacts:
    """The id and login; the name, company and web site once a profile read found them."""
    label = f"{account.login} ({account.name})" if account.name else account.login
    return ProfileFacts(
        label=label,
        names=(account.name,) if account.name else (),
        github_ids=(account.github_id,),
        github_logins=(account.login,),
        companies=(account.company,) if account.company else (),
        sites=(account.blog,) if account.blog else (),
    )


def git_identity_facts(identity: GitIdentity) -> ProfileFacts:
    """An identity GitHub tied to an account (a commit's `author.id`) has a verified address."""
    github_id = identity.account.github_id if identity.account is not None else None
    email = (identity.email,) if identity.email else ()
    return ProfileFacts(
        label=f"{identity.name} <{identity.email}>" if identity.email else identity.name,
        names=(identity.name,) if identity.name else (),
        emails=() if github_id else email,
        verified_emails=email if github_id else (),
        github_ids=(github_id,) if github_id else (),
    )


BUILT_IN_KINDS = (
    ProfileKind(
        name=GITHUB_ACCOUNT,
        label="GitHub account",
        queryset=lambda: GitHubAccount.objects.all(),
        facts=github_account_facts,
        only=("id", "github_id", "login", "name", "company", "blog", "updated_at"),
    ),
    ProfileKind(
        name=GIT_IDENTITY,
        label="git identity",
        queryset=lambda: GitIdentity.objects.select_related("account"),
        facts=git_identity_facts,
        only=("id", "name", "email", "updated_at", "account__github_id"),
    ),
)
