"""Facts → normalised evidence rows, and how much shared weak evidence is worth.

Pure functions (no database): the matcher stores what `evidence_of` returns and
compares it with SQL; `score_shared` prices what two profiles have in common.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from rapidfuzz.distance import Levenshtein

from cppa_user_tracker.normalise import (
    NOREPLY_DOMAIN,
    email_domain,
    email_local_part,
    folded_local_part,
    mail_provider,
    noreply_account,
    normalise_email,
    normalise_name,
)
from cppa_user_tracker.registry import ProfileFacts
from cppa_user_tracker.rules import GENERIC_LOCAL_PARTS, MatchingRules

EMAIL = "email"
GITHUB_ID = "github_id"
GITHUB_LOGIN = "github_login"
ALIAS = "alias"
NAME = "name"
EMAIL_LOCAL = "email_local"
EMAIL_FOLDED = "email_folded"
SIMILAR_EMAIL = "similar_email"  # priced by `score_shared`, never stored
DOMAIN = "domain"
REPO = "repo"
COMPANY = "company"
SITE = "site"

# Sharing one of these merges two profiles (an email only when one side verified it).
STRONG_KINDS = (GITHUB_ID, GITHUB_LOGIN, ALIAS)
# What one shared weak fact is worth; a pair's score is 1 - Π(1 - weight) over the
# kinds it shares. A name alone (0.4) stays under the default threshold (0.5) and is
# never enough on its own whatever the threshold (see `score_shared`).
WEIGHTS = {
    EMAIL: 0.9,  # the same address, verified by neither side
    # The same address but for `.`/`_`/`-` and a provider alias (`googlemail.com`):
    # often one mailbox (Gmail ignores dots), and one person writing it two ways;
    # enough for a recommendation on its own, never a merge.
    EMAIL_FOLDED: 0.6,
    NAME: 0.4,
    EMAIL_LOCAL: 0.3,
    DOMAIN: 0.3,
    SITE: 0.3,
    # Local parts of 6+ characters one or two edits apart at one provider
    # (`jon.smith`/`john.smith`): a typo or a namesake, so only with other evidence.
    SIMILAR_EMAIL: 0.3,
    REPO: 0.2,
    COMPANY: 0.2,
}
# Kinds that find candidate pairs; the others only add to a found pair's score.
CANDIDATE_KINDS = (NAME, EMAIL_LOCAL, EMAIL, EMAIL_FOLDED)
# Near spellings: the shortest folded local part compared, and the most edits allowed.
SIMILAR_MIN_LENGTH = 6
SIMILAR_MAX_EDITS = 2


@dataclass(frozen=True, slots=True, order=True)
class Evidence:
    kind: str
    value: str
    verified: bool = False


def evidence_of(facts: ProfileFacts, rules: MatchingRules) -> list[Evidence]:
    """Every normalised fact a profile gives, deduplicated and sorted."""
    found: dict[tuple[str, str], bool] = {}

    def add(kind: str, value: str, verified: bool = False) -> None:
        value = value.replace("\x00", "")[:500]  # PostgreSQL text and jsonb refuse NUL
        if value:
            found[(kind, value)] = found.get((kind, value), False) or verified

    for raw, verified in [(e, False) for e in facts.emails] + [
        (e, True) for e in facts.verified_emails
    ]:
        address = normalise_email(raw)
        if not address or address in rules.ignored_emails:
            continue
        github_id, login = noreply_account(address)
        if github_id is not None:
            add(GITHUB_ID, str(github_id), True)
        if login:
            add(GITHUB_LOGIN, login, True)
        add(EMAIL, address, verified)
        domain = email_domain(address)
        if domain not in rules.shared_domains:
            add(DOMAIN, domain)
        local = email_local_part(address)
        if len(local) >= 4 and local not in GENERIC_LOCAL_PARTS and github_id is None:
            add(EMAIL_LOCAL, local)
        add(EMAIL_FOLDED, folded_address(address))
    for raw in facts.names:
        name = normalise_name(raw)
        if len(name.split()) >= 2:  # a full name; a single word is a handle
            add(NAME, name)
    for github_id in facts.github_ids:
        add(GITHUB_ID, str(int(github_id)), True)
    for login in facts.github_logins:
        add(GITHUB_LOGIN, login.strip().lower(), True)
    for repo in facts.repos:
        add(REPO, repo.strip().lower())
    for company in facts.companies:
        add(COMPANY, normalise_name(company.lstrip("@")))
    for site in facts.sites:
        host = _site_host(site)
        if host and host not in rules.shared_domains:
            add(SITE, host)
            # An address at the site's own domain is the owner's domain too.
            add(DOMAIN, host)
    for (kind, value), _ in list(found.items()):
        if (group := rules.aliases.get((kind, value))) is not None:
            add(ALIAS, group, True)
    return sorted(Evidence(kind, value, verified) for (kind, value), verified in found.items())


def evidence_hash(evidence: list[Evidence], label: str, name: str) -> str:
    payload = json.dumps([label, name, [(e.kind, e.value, e.verified) for e in evidence]])
    return hashlib.md5(payload.encode(), usedforsecurity=False).hexdigest()


def best_name(facts: ProfileFacts) -> str:
    """The longest full name the profile gives, else its first name, else ""."""
    names = [" ".join(n.split()) for n in facts.names if n.strip()]
    full = [n for n in names if len(n.split()) >= 2]
    return max(full or names or [""], key=len)[:255]


def score_shared(
    first: set[tuple[str, str]], second: set[tuple[str, str]]
) -> tuple[float, list[dict[str, str]]]:
    """Price the weak evidence two profiles share: (score, evidence list).

    A pair sharing only a name scores 0: a name alone is never evidence.
    """
    shared = sorted((k, v) for k, v in first & second if k in WEIGHTS)
    kinds = {k for k, _ in shared}
    if EMAIL in kinds:  # its spellings, local part and domain add nothing
        shared = [(k, v) for k, v in shared if k not in (EMAIL_FOLDED, EMAIL_LOCAL, DOMAIN)]
    elif EMAIL_FOLDED in kinds:  # nor do its local part and domain
        shared = [(k, v) for k, v in shared if k not in (EMAIL_LOCAL, DOMAIN)]
    else:
        shared = sorted(shared + similar_addresses(first, second))
    sites = {v for k, v in shared if k == SITE}  # a shared site's host is one fact, not two
    shared = [(k, v) for k, v in shared if not (k == DOMAIN and v in sites)]
    kinds = {k for k, _ in shared}
    if not kinds or kinds == {NAME}:
        return 0.0, []
    remaining = 1.0
    for kind in kinds:
        remaining *= 1 - WEIGHTS[kind]
    return round(1 - remaining, 3), [{"kind": k, "value": v} for k, v in shared]


def folded_address(address: str) -> str:
    """`johnsmith@gmail.com` for `John.Smith+boost@googlemail.com`; "" for an address
    too short, too generic or GitHub's noreply to compare by spelling."""
    if email_domain(address) == NOREPLY_DOMAIN:  # the GitHub id and login say it all
        return ""
    local, folded = email_local_part(address), folded_local_part(address)
    if len(folded) < 4 or local in GENERIC_LOCAL_PARTS or folded in GENERIC_LOCAL_PARTS:
        return ""
    return f"{folded}@{mail_provider(email_domain(address))}"


def similar_addresses(
    first: set[tuple[str, str]], second: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """(SIMILAR_EMAIL, "a ~ b") for each address pair one or two edits apart (folded
    local parts of 6+ characters at one provider)."""
    found = []
    for a in sorted(v for k, v in first if k == EMAIL):
        for b in sorted(v for k, v in second if k == EMAIL):
            if _near(folded_address(a), folded_address(b)):
                found.append((SIMILAR_EMAIL, f"{a} ~ {b}"))
    return found


def _near(a: str, b: str) -> bool:
    (local_a, _, domain_a), (local_b, _, domain_b) = a.rpartition("@"), b.rpartition("@")
    if not a or not b or a == b or domain_a != domain_b:
        return False
    if min(len(local_a), len(local_b)) < SIMILAR_MIN_LENGTH:
        return False
    edits = Levenshtein.distance(local_a, local_b, score_cutoff=SIMILAR_MAX_EDITS)
    return edits <= SIMILAR_MAX_EDITS


def _site_host(url: str) -> str:
    text = url.strip().lower()
    if not text:
        return ""
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    return host.removeprefix("www.")
