"""The matching rules users extend in settings (`PEOPLE_*`, see the README).

Read when a run starts, never at import time, so tests and operators can override.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cppa_user_tracker.normalise import normalise_email, normalise_name

# Domains many unrelated people share: an address there is evidence, its domain is not.
DEFAULT_SHARED_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "mail.ru",
        "yandex.ru",
        "gmx.de",
        "gmx.net",
        "web.de",
        "qq.com",
        "163.com",
        "protonmail.com",
        "proton.me",
        "users.noreply.github.com",
        "users.sourceforge.net",
        "lists.boost.org",
        "boost.org",
        "github.com",
        # Profile hosts many people's web sites point at (a GitHub profile's blog).
        "linkedin.com",
        "twitter.com",
        "x.com",
        "medium.com",
        "gitlab.com",
        "stackoverflow.com",
        "localhost",
        "localhost.localdomain",
        "example.com",
        "example.org",
    }
)
# Addresses that belong to no one person (bots, lists, placeholders): never evidence.
DEFAULT_IGNORED_EMAILS = frozenset(
    {
        "noreply@github.com",
        "actions@github.com",
        "boost@lists.boost.org",
        "boost-users@lists.boost.org",
        "none@none",
        "unknown@unknown",
        "nobody@nowhere.com",
    }
)
# Local parts too generic to suggest anything ("info@a.org" vs "info@b.com").
GENERIC_LOCAL_PARTS = frozenset(
    {"info", "admin", "root", "mail", "contact", "support", "noreply", "no-reply", "user"}
)
ALIAS_KINDS = ("email", "github_login", "github_id", "name")


@dataclass(frozen=True)
class MatchingRules:
    shared_domains: frozenset[str]
    ignored_emails: frozenset[str]
    # (evidence kind, normalised value) → the alias group it belongs to.
    aliases: dict[tuple[str, str], str]
    min_score: float
    max_profiles_per_value: int


def load_rules() -> MatchingRules:
    """Build the rules from settings; a malformed entry is one clear error."""
    aliases: dict[tuple[str, str], str] = {}
    for number, group in enumerate(getattr(settings, "PEOPLE_ALIASES", []), start=1):
        if isinstance(group, str) or not group:
            raise ImproperlyConfigured(
                f"PEOPLE_ALIASES entry {number} must be a list of 'kind:value' strings"
            )
        keys = [_alias_key(entry, number) for entry in group]
        for key in keys:
            aliases[key] = f"{keys[0][0]}:{keys[0][1]}"
    min_score = float(getattr(settings, "PEOPLE_RECOMMENDATION_MIN_SCORE", 0.5))
    if not 0 < min_score <= 1:
        raise ImproperlyConfigured(
            f"PEOPLE_RECOMMENDATION_MIN_SCORE must be in (0, 1], got {min_score}"
        )
    return MatchingRules(
        shared_domains=DEFAULT_SHARED_DOMAINS
        | {d.strip().lower() for d in getattr(settings, "PEOPLE_SHARED_DOMAINS", []) if d.strip()},
        ignored_emails=DEFAULT_IGNORED_EMAILS
        | {normalise_email(e) for e in getattr(settings, "PEOPLE_IGNORED_EMAILS", [])},
        aliases=aliases,
        min_score=min_score,
        max_profiles_per_value=int(getattr(settings, "PEOPLE_MAX_PROFILES_PER_VALUE", 50)),
    )


def _alias_key(entry: object, number: int) -> tuple[str, str]:
    kind, _, value = str(entry).partition(":")
    if kind not in ALIAS_KINDS or not value.strip():
        raise ImproperlyConfigured(
            f"PEOPLE_ALIASES entry {number}: {entry!r} is not 'kind:value' with kind one of "
            f"{', '.join(ALIAS_KINDS)}"
        )
    if kind == "email":
        return kind, normalise_email(value)
    if kind == "name":
        return kind, normalise_name(value)
    return kind, value.strip().lower()
