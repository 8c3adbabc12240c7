"""What reviewers do to groupings: merge, unmerge, split, accept, reject, undo.

Each action is one transaction and one `MergeLog` row holding the grouping before
and after it, so `undo` restores exactly the earlier grouping (recreating a deleted
person under its old id). Actions move `ProfileLink` rows only; no profile row of
any source is written. A link a reviewer placed is `manual`: the matcher never
moves it, and never automatically joins its person with another.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from cppa_user_tracker.models import (
    MergeAction,
    MergeLog,
    Person,
    ProfileLink,
    Recommendation,
    RecommendationStatus,
)


def merge_people(
    *,
    target: Person,
    other: Person,
    actor: str,
    reason: str = "",
    evidence: Sequence[dict] = (),
    action: str = MergeAction.MERGE,
    recommendation: Recommendation | None = None,
) -> MergeLog:
    """Move every profile of `other` to `target` and delete `other`."""
    if target.pk == other.pk:
        raise ValueError(f"person #{target.pk} cannot be merged with itself")
    with transaction.atomic():
        before = _grouping(ProfileLink.objects.filter(person=other))
        removed = {str(other.pk): other.display_name}
        ProfileLink.objects.filter(person=other).update(person=target, manual=True)
        Person.objects.filter(pk=other.pk).delete()
        return MergeLog.objects.create(
            action=action,
            actor=actor,
            reason=reason,
            evidence=list(evidence),
            before=before,
            after=dict.fromkeys(before, target.pk),
            removed_people=removed,
            recommendation=recommendation,
        )


def unmerge_profile(*, link: ProfileLink, actor: str, reason: str = "") -> MergeLog:
    """Give one profile a person of its own, apart from the profiles it was grouped with."""
    with transaction.atomic():
        link = ProfileLink.objects.select_for_update().get(pk=link.pk)
        if link.person_id is None:
            raise ValueError(f"profile {_ref(link)} has no person yet; run run_cppa_user_tracker")
        if ProfileLink.objects.filter(person_id=link.person_id).count() == 1:
            raise ValueError(
                f"profile {_ref(link)} is the only profile of person #{link.person_id}; "
                "nothing to unmerge"
            )
        return _separate(MergeAction.UNMERGE, [link], actor=actor, reason=reason)


def split_person(*, person: Person, actor: str, reason: str = "") -> MergeLog:
    """Give every profile of a person but its first a person of its own."""
    with transaction.atomic():
        links = list(ProfileLink.objects.select_for_update().filter(person=person).order_by("id"))
        if len(links) < 2:
            raise ValueError(f"person #{person.pk} has {len(links)} profile(s); nothing to split")
        return _separate(MergeAction.SPLIT, links[1:], actor=actor, reason=reason)


def accept_recommendation(
    *, recommendation: Recommendation, actor: str, reason: str = ""
) -> MergeLog:
    """Merge the two persons a recommendation names and mark it accepted."""
    with transaction.atomic():
        rec = _open(recommendation)
        first, second = (
            ProfileLink.objects.select_related("person").get(pk=pk)
            for pk in (rec.first_id, rec.second_id)
        )
        if first.person is None or second.person is None:
            raise ValueError(f"recommendation #{rec.pk}: a profile has no person yet")
        _decide(rec, RecommendationStatus.ACCEPTED, actor)
        if first.person_id == second.person_id:
            return MergeLog.objects.create(
                action=MergeAction.ACCEPT,
                actor=actor,
                reason=reason or "already one person",
                evidence=rec.evidence,
                recommendation=rec,
            )
        target, other = sorted((first.person, second.person), key=lambda p: p.pk)
        return merge_people(
            target=target,
            other=other,
            actor=actor,
            reason=reason,
            evidence=rec.evidence,
            action=MergeAction.ACCEPT,
            recommendation=rec,
        )


def reject_recommendation(
    *, recommendation: Recommendation, actor: str, reason: str = ""
) -> MergeLog:
    """Mark a recommendation rejected: never suggested again, never merged automatically."""
    with transaction.atomic():
        rec = _open(recommendation)
        _decide(rec, RecommendationStatus.REJECTED, actor)
        return MergeLog.objects.create(
            action=MergeAction.REJECT,
            actor=actor,
            reason=reason,
            evidence=rec.evidence,
            recommendation=rec,
        )


def undo_action(*, log: MergeLog, actor: str, reason: str = "") -> MergeLog:
    """Restore the grouping an action found; refuse if a later action moved its profiles."""
    with transaction.atomic():
        log = MergeLog.objects.select_for_update().get(pk=log.pk)
        if (done := MergeLog.objects.filter(undoes=log).first()) is not None:
            raise ValueError(f"action #{log.pk} was already undone by #{done.pk}")
        now = _grouping(ProfileLink.objects.filter(pk__in=[int(k) for k in log.after]))
        for link, person in log.after.items():
            if now.get(link) != person:
                raise ValueError(
                    f"action #{log.pk} cannot be undone: profile link {link} has moved since "
                    f"(person #{now.get(link)}); undo the later action first"
                )
        Person.objects.bulk_create(
            [Person(id=int(pk), display_name=name) for pk, name in log.removed_people.items()]
        )
        for link, person in log.before.items():
            ProfileLink.objects.filter(pk=int(link)).update(person_id=person, manual=True)
        removed = dict(
            Person.objects.filter(id__in=log.created_people).values_list("id", "display_name")
        )
        Person.objects.filter(id__in=log.created_people, links__isnull=True).delete()
        if log.recommendation_id is not None and log.action in (
            MergeAction.ACCEPT,
            MergeAction.REJECT,
        ):
            Recommendation.objects.filter(pk=log.recommendation_id).update(
                status=RecommendationStatus.OPEN, decided_by="", decided_at=None
            )
        return MergeLog.objects.create(
            action=MergeAction.UNDO,
            actor=actor,
            reason=reason,
            evidence=log.evidence,
            before=log.after,
            after=log.before,
            removed_people={str(k): v for k, v in removed.items()},
            created_people=[int(pk) for pk in log.removed_people],
            recommendation=log.recommendation,
            undoes=log,
        )


def _separate(action: str, links: list[ProfileLink], *, actor: str, reason: str) -> MergeLog:
    before = {str(link.pk): link.person_id for link in links}
    people = Person.objects.bulk_create(
        [Person(display_name=(link.name or link.label)[:255]) for link in links]
    )
    for link, person in zip(links, people, strict=True):
        ProfileLink.objects.filter(pk=link.pk).update(person=person, manual=True)
    return MergeLog.objects.create(
        action=action,
        actor=actor,
        reason=reason,
        evidence=[{"rule": "reviewer", "profiles": " ".join(_ref(link) for link in links)}],
        before=before,
        after={str(link.pk): person.pk for link, person in zip(links, people, strict=True)},
        created_people=[person.pk for person in people],
    )


def _grouping(links) -> dict[str, int | None]:
    return {str(pk): person for pk, person in links.values_list("id", "person_id")}


def _open(recommendation: Recommendation) -> Recommendation:
    rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if rec.status != RecommendationStatus.OPEN:
        raise ValueError(f"recommendation #{rec.pk} is already {rec.status}")
    return rec


def _decide(rec: Recommendation, status: str, actor: str) -> None:
    rec.status = status
    rec.decided_by = actor
    rec.decided_at = timezone.now()
    rec.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


def _ref(link: ProfileLink) -> str:
    return f"{link.kind}:{link.profile_id}"
