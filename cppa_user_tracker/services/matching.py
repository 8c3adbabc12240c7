"""The evidence engine: read new or changed profiles, merge on strong evidence, suggest the rest.

Step order, chosen so a run killed anywhere loses nothing: (1) each kind's changed
rows (and the profiles its repository providers report active since the last run) are
read in pages, each page's repositories asked of every provider in one call; a page's
links and evidence are written in one transaction
with `needs_match` set; the kind's checkpoint is saved after its last page; (2) one
transaction places every pending link (strong evidence → one person), writes the
recommendations and clears `needs_match`. A re-read page whose evidence digest is
unchanged writes nothing, so an unchanged re-run does nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from core.bulk import upsert
from core.checkpoints import get_checkpoint, save_checkpoint
from cppa_user_tracker.evidence import (
    CANDIDATE_KINDS,
    EMAIL,
    STRONG_KINDS,
    best_name,
    evidence_hash,
    evidence_of,
    score_shared,
)
from cppa_user_tracker.models import (
    MergeAction,
    MergeLog,
    Person,
    ProfileEvidence,
    ProfileLink,
    Recommendation,
    RecommendationStatus,
)
from cppa_user_tracker.registry import ProfileFacts, ProfileKind, repositories_of
from cppa_user_tracker.rules import MatchingRules

COLLECTOR = "cppa_user_tracker"
MATCHER = "run_cppa_user_tracker"
# Rows committed late with an earlier change time are still read: each run re-reads
# this much before its checkpoint (the digest makes the overlap free).
OVERLAP = timedelta(minutes=10)
# Profiles per page: a page's rows, facts and evidence stay a few MB in memory.
PAGE_SIZE = 5000


@dataclass
class MatchCounts:
    """What one run did, for the summary line and the ledger."""

    read: int = 0
    changed: int = 0
    people_created: int = 0
    auto_merges: int = 0
    recommendations: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def read_profiles(
    *, kind: ProfileKind, rules: MatchingRules, full: bool = False, counts: MatchCounts
) -> None:
    """Store links and evidence for the kind's rows changed since its checkpoint."""
    source_key = f"profiles:{kind.name}"
    cursor = None if full else get_checkpoint(collector=COLLECTOR, source_key=source_key)
    started = timezone.now()
    rows = kind.rows()
    top = rows.aggregate(top=Max("pk"))["top"] or 0
    if cursor:
        since = datetime.fromisoformat(cursor["since"]) - OVERLAP
        changed = Q(pk__gt=cursor["max_id"])
        if kind.updated_field:
            changed |= Q(**{f"{kind.updated_field}__gte": since})
        # Profiles whose repository activity changed although their own rows did not.
        active = {pk for p in repositories_of(kind) for pk in p.changed_since(since)}
        if active:
            changed |= Q(pk__any_of=active)
        rows = rows.filter(changed)
    last = 0
    while True:
        page = list(rows.filter(pk__gt=last).order_by("pk")[:PAGE_SIZE])
        if not page:
            break
        last = page[-1].pk
        counts.read += len(page)
        written = _store_page(kind, page, rules)
        counts.changed += written
        counts.by_kind[kind.name] = counts.by_kind.get(kind.name, 0) + written
    with transaction.atomic():
        save_checkpoint(
            collector=COLLECTOR,
            source_key=source_key,
            cursor={"max_id": max(top, last), "since": started.isoformat()},
        )


def _store_page(kind: ProfileKind, page: list[Any], rules: MatchingRules) -> int:
    """Write links and evidence for the page's new or changed profiles; return how many."""
    facts = _with_repositories(kind, {row.pk: kind.facts(row) for row in page})
    known = dict(
        ProfileLink.objects.filter(kind=kind.name, profile_id__any_of=list(facts)).values_list(
            "profile_id", "evidence_hash"
        )
    )
    changed: dict[int, tuple[Any, list, str, str]] = {}
    for pk, fact in facts.items():
        evidence = evidence_of(fact, rules)
        name = best_name(fact).replace("\x00", "")
        label = fact.label.replace("\x00", "")[:500]
        digest = evidence_hash(evidence, label, name)
        if known.get(pk) != digest:
            changed[pk] = (fact, evidence, digest, name)
    if not changed:
        return 0
    with transaction.atomic():
        upsert(
            model=ProfileLink,
            rows=[
                {
                    "kind": kind.name,
                    "profile_id": pk,
                    "label": fact.label.replace("\x00", "")[:500],
                    "name": name,
                    "evidence_hash": digest,
                    "needs_match": True,
                }
                for pk, (fact, _, digest, name) in changed.items()
            ],
            unique_fields=["kind", "profile_id"],
            update_fields=["label", "name", "evidence_hash", "needs_match"],
        )
        link_ids = dict(
            ProfileLink.objects.filter(
                kind=kind.name, profile_id__any_of=list(changed)
            ).values_list("profile_id", "id")
        )
        ProfileEvidence.objects.filter(link_id__in=list(link_ids.values())).delete()
        upsert(
            model=ProfileEvidence,
            rows=[
                {"link": link_ids[pk], "kind": e.kind, "value": e.value, "verified": e.verified}
                for pk, (_, evidence, _, _) in changed.items()
                for e in evidence
            ],
            unique_fields=["link", "kind", "value"],
            update_fields=["verified"],
        )
    return len(changed)


def _with_repositories(
    kind: ProfileKind, facts: dict[int, ProfileFacts]
) -> dict[int, ProfileFacts]:
    """Add the repositories other apps report for the page: one call per provider."""
    for provider in repositories_of(kind):
        for pk, repos in provider.repositories(list(facts)).items():
            if pk in facts:
                facts[pk] = replace(facts[pk], repos=(*facts[pk].repos, *repos))
    return facts


def match_pending(*, rules: MatchingRules, counts: MatchCounts) -> None:
    """Place every pending link, merge on strong evidence, refresh recommendations."""
    with transaction.atomic():
        pending = list(
            ProfileLink.objects.select_for_update()
            .filter(needs_match=True)
            .values_list("id", flat=True)
        )
        if not pending:
            return
        pairs = _strong_pairs()
        state = _link_state(
            ProfileLink.objects.filter(needs_match=True),
            others={x for a, b, _, _ in pairs for x in (a, b)} - set(pending),
        )
        placement = _Placement(state=state, counts=counts)
        for component in _components(pending, pairs):
            placement.place(component)
        placement.write()
        counts.recommendations += _recommend(rules, placement.kept_apart)
        ProfileLink.objects.filter(needs_match=True).update(needs_match=False)


def _strong_pairs() -> list[tuple[int, int, str, str]]:
    """(pending link, other link, rule, value) for every strong fact a pending link shares."""
    table = connection.ops.quote_name(ProfileEvidence._meta.db_table)
    links = connection.ops.quote_name(ProfileLink._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.link_id, b.link_id, a.kind, a.value FROM {table} a "
            f"JOIN {links} l ON l.id = a.link_id AND l.needs_match "
            f"JOIN {table} b ON b.kind = a.kind AND b.value = a.value AND b.link_id <> a.link_id "
            "WHERE a.kind = ANY(%s) OR (a.kind = %s AND (a.verified OR b.verified))",
            [list(STRONG_KINDS), EMAIL],
        )
        return [
            (a, b, "verified_email" if kind == EMAIL else kind, value)
            for a, b, kind, value in cursor.fetchall()
        ]


@dataclass(frozen=True, slots=True)
class _Link:
    id: int
    ref: str
    person: int | None
    manual: bool
    name: str
    label: str


def _link_state(pending: QuerySet[ProfileLink], *, others: set[int]) -> dict[int, _Link]:
    """The pending links and the settled links they share strong evidence with."""
    fields = ("id", "kind", "profile_id", "person_id", "manual", "name", "label")
    rows = [*pending.values_list(*fields)]
    if others:
        rows += ProfileLink.objects.filter(id__any_of=others).values_list(*fields)
    return {
        pk: _Link(pk, f"{kind}:{profile}", person, manual, name, label)
        for pk, kind, profile, person, manual, name, label in rows
    }


def _components(
    pending: Iterable[int], pairs: list[tuple[int, int, str, str]]
) -> list[tuple[set[int], list[tuple[int, int, str, str]]]]:
    """Union-find over the strong pairs: each group of links with its evidence."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pk in pending:
        root(pk)
    for a, b, _, _ in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, set[int]] = defaultdict(set)
    for pk in list(parent):
        members[root(pk)].add(pk)
    evidence: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
    for pair in pairs:
        evidence[root(pair[0])].append(pair)
    return [(group, evidence[r]) for r, group in sorted(members.items())]


class _Placement:
    """Decide each group's person; collect the writes to do them in bulk."""

    def __init__(self, *, state: dict[int, _Link], counts: MatchCounts) -> None:
        self.state = state
        self.counts = counts
        self.moves: dict[int, int | str] = {}  # link → person id, or "new:<n>" placeholder
        self.reasons: dict[int, list[dict[str, str]]] = {}
        self.new_people: list[str] = []
        self.kept_apart: list[tuple[int, int, list[dict[str, str]]]] = []
        self.rejected = _rejected_person_pairs()
        self.redirect: dict[int, int] = {}  # a person merged away → the one it joined

    def resolve(self, person: int | None) -> int | None:
        while person is not None and person in self.redirect:
            person = self.redirect[person]
        return person

    def place(self, group: tuple[set[int], list[tuple[int, int, str, str]]]) -> None:
        members, pairs = group
        reasons = _reasons(self.state, pairs)
        people = sorted({p for m in members if (p := self.resolve(self.state[m].person))})
        unplaced = [m for m in sorted(members) if self.state[m].person is None]
        if not people:
            target: int | str = f"new:{len(self.new_people)}"
            self.new_people.append(self._display_name(members))
            self.counts.people_created += 1
        else:
            target = people[0]
            if len(people) > 1:
                if self._may_merge(people):
                    self._merge(people, pairs)
                else:
                    self._keep_apart(people, pairs)
        for m in unplaced:
            self.moves[m] = target
            self.reasons[m] = reasons.get(m) or [{"rule": "first_profile"}]

    def _display_name(self, members: set[int]) -> str:
        names = [self.state[m].name for m in sorted(members) if self.state[m].name]
        full = [n for n in names if " " in n]
        return (full or names or [self.state[min(members)].label])[0][:255]

    def _may_merge(self, people: list[int]) -> bool:
        """Never automatically undo a reviewer: manual placements and rejected pairs block."""
        people_set = set(people)
        if ProfileLink.objects.filter(person_id__in=people, manual=True).exists():
            return False
        return not any(a in people_set and b in people_set for a, b in self.rejected)

    def _merge(self, people: list[int], pairs: list[tuple[int, int, str, str]]) -> None:
        target, others = people[0], people[1:]
        before = {
            str(pk): person
            for pk, person in ProfileLink.objects.filter(person_id__in=others).values_list(
                "id", "person_id"
            )
        }
        removed = dict(Person.objects.filter(id__in=others).values_list("id", "display_name"))
        ProfileLink.objects.filter(person_id__in=others).update(person_id=target)
        Person.objects.filter(id__in=others).delete()
        self.redirect.update(dict.fromkeys(others, target))
        MergeLog.objects.create(
            action=MergeAction.AUTO_MERGE,
            actor=MATCHER,
            reason="strong evidence joins these people",
            evidence=_evidence_list(self.state, pairs),
            before=before,
            after=dict.fromkeys(before, target),
            removed_people={str(k): v for k, v in removed.items()},
        )
        self.counts.auto_merges += len(others)

    def _keep_apart(self, people: list[int], pairs: list[tuple[int, int, str, str]]) -> None:
        for a, b, rule, value in pairs:
            pa, pb = self.resolve(self.state[a].person), self.resolve(self.state[b].person)
            if pa is not None and pb is not None and pa != pb:
                self.kept_apart.append((a, b, [{"kind": rule, "value": value}]))

    def write(self) -> None:
        """Create the new people and point the placed links at them, in one UPDATE.

        The rows travel as one JSON document, which PostgreSQL unpacks itself: far
        cheaper than quoting a parameter per link on the client.
        """
        created = Person.objects.bulk_create(
            [Person(display_name=name) for name in self.new_people], batch_size=PAGE_SIZE
        )
        ids = [p.pk for p in created]
        rows = [
            {
                "link": pk,
                "person": self.resolve(
                    ids[int(target.split(":")[1])] if isinstance(target, str) else target
                ),
                "reason": self.reasons[pk],
            }
            for pk, target in self.moves.items()
        ]
        if not rows:
            return
        table = connection.ops.quote_name(ProfileLink._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS l SET person_id = v.person, reason = v.reason, "
                "updated_at = now() "
                "FROM jsonb_to_recordset(%s::jsonb) AS v(link bigint, person bigint, reason jsonb) "
                "WHERE l.id = v.link",
                [json.dumps(rows)],
            )


def _reasons(
    state: dict[int, _Link], pairs: list[tuple[int, int, str, str]]
) -> dict[int, list[dict[str, str]]]:
    found: dict[int, list[dict[str, str]]] = defaultdict(list)
    for a, b, rule, value in pairs:
        for this, other in ((a, b), (b, a)):
            entry = {"rule": rule, "value": value, "with": state[other].ref}
            if entry not in found[this]:
                found[this].append(entry)
    return found


def _evidence_list(
    state: dict[int, _Link], pairs: list[tuple[int, int, str, str]]
) -> list[dict[str, str]]:
    seen: list[dict[str, str]] = []
    for a, b, rule, value in pairs:
        entry = {"rule": rule, "value": value, "profiles": f"{state[a].ref} {state[b].ref}"}
        if entry not in seen:
            seen.append(entry)
    return seen


def _rejected_person_pairs() -> set[tuple[int, int]]:
    rows = Recommendation.objects.filter(status=RecommendationStatus.REJECTED).values_list(
        "first__person_id", "second__person_id"
    )
    return {(a, b) for a, b in rows if a and b} | {(b, a) for a, b in rows if a and b}


def _recommend(
    rules: MatchingRules, kept_apart: list[tuple[int, int, list[dict[str, str]]]]
) -> int:
    """Score weaker evidence between pending links and others; store the pairs worth a look."""
    table = connection.ops.quote_name(ProfileEvidence._meta.db_table)
    links = connection.ops.quote_name(ProfileLink._meta.db_table)
    with connection.cursor() as cursor:
        # Values on too many profiles (a common name) suggest nothing: left out up front.
        cursor.execute(
            f"WITH hot AS (SELECT kind, value FROM {table} WHERE kind = ANY(%s) "
            "GROUP BY kind, value HAVING count(*) > %s) "
            "SELECT DISTINCT LEAST(a.link_id, b.link_id), GREATEST(a.link_id, b.link_id) "
            f"FROM {table} a JOIN {links} l ON l.id = a.link_id AND l.needs_match "
            f"JOIN {table} b ON b.kind = a.kind AND b.value = a.value AND b.link_id <> a.link_id "
            f"JOIN {links} lb ON lb.id = b.link_id AND lb.person_id IS DISTINCT FROM l.person_id "
            "WHERE a.kind = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM hot WHERE hot.kind = a.kind AND hot.value = a.value)",
            [list(CANDIDATE_KINDS), rules.max_profiles_per_value, list(CANDIDATE_KINDS)],
        )
        candidates = cursor.fetchall()
    if not candidates and not kept_apart:
        return 0
    ids = {x for pair in candidates for x in pair} | {x for a, b, _ in kept_apart for x in (a, b)}
    person = dict(ProfileLink.objects.filter(id__any_of=ids).values_list("id", "person_id"))
    facts: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for link, kind, value in ProfileEvidence.objects.filter(
        link__in=ProfileLink.objects.filter(id__any_of=ids)
    ).values_list("link_id", "kind", "value"):
        facts[link].add((kind, value))
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for a, b in candidates:
        if person[a] == person[b]:
            continue
        score, evidence = score_shared(facts[a], facts[b])
        if score >= rules.min_score:
            rows[(a, b)] = {"first": a, "second": b, "score": score, "evidence": evidence}
    for a, b, evidence in kept_apart:
        first, second = min(a, b), max(a, b)
        rows[(first, second)] = {
            "first": first,
            "second": second,
            "score": 1.0,
            "evidence": [*evidence, {"kind": "kept_apart_by_reviewer"}],
        }
    decided = set(
        Recommendation.objects.filter(first__in=ProfileLink.objects.filter(id__any_of=ids))
        .exclude(status=RecommendationStatus.OPEN)
        .values_list("first_id", "second_id")
    )
    fresh = [row for key, row in rows.items() if key not in decided]
    counts = upsert(
        model=Recommendation,
        rows=fresh,
        unique_fields=["first", "second"],
        update_fields=["score", "evidence"],
    )
    return counts.created + counts.updated
