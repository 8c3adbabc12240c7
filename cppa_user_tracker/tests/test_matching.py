"""The matcher on real shapes: each automatic rule, each rule that must not fire, runs.

Shapes come from recordings: GitHub's noreply commit address (octokit's release-assets
scenario), `-at-` maintainers (boostorg's `libraries.json`), mailing-list From lines
(bigbang's header variations).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boost_library_tracker.parsers import parse_libraries_json
from cppa_user_tracker import selectors, services
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from cppa_user_tracker.models import (
    EmailAddress,
    GitHubAccount,
    GitIdentity,
    MergeLog,
    Person,
    ProfileLink,
    Recommendation,
)
from cppa_user_tracker.profile_kinds import GIT_IDENTITY, GITHUB_ACCOUNT
from cppa_user_tracker.tests.conftest import SENDER, match, partition, person_of

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def recorded_commit_author() -> tuple[GitIdentityItem, GitHubAccountItem]:
    """The commit author (noreply address) and the account from octokit's recording."""
    steps = json.loads((FIXTURES / "github" / "release-assets__raw-fixture.json").read_text())
    author = next(
        s["response"]["commit"]["author"] for s in steps if "commit" in (s["response"] or {})
    )
    user = next(
        s["response"]["author"]
        for s in steps
        if isinstance(s["response"], dict)
        and "author" in s["response"]
        and "login" in (s["response"]["author"] or {})
    )
    return (
        GitIdentityItem(name=author["name"], email=author["email"]),
        GitHubAccountItem(github_id=user["id"], login=user["login"], account_type=user["type"]),
    )


def identity(name: str, email: str) -> GitIdentity:
    services.upsert_git_identities(items=[GitIdentityItem(name=name, email=email)])
    return GitIdentity.objects.get(name=name, email=email.lower())


def account(github_id: int, login: str, name: str = "") -> GitHubAccount:
    services.upsert_github_accounts(
        items=[GitHubAccountItem(github_id=github_id, login=login, name=name)]
    )
    return GitHubAccount.objects.get(github_id=github_id)


def maintainers(path: str) -> list[GitIdentity]:
    metas = parse_libraries_json((FIXTURES / path).read_text(), source=path)
    people = [GitIdentityItem(p.name, p.email) for m in metas for p in (*m.authors, *m.maintainers)]
    services.upsert_git_identities(items=people)
    return [GitIdentity.objects.get(name=p.key[0], email=p.key[1]) for p in people]


def test_noreply_commit_address_joins_its_account() -> None:
    author, user = recorded_commit_author()
    assert author.email == "31898046+octokit-fixture-user-a@users.noreply.github.com"
    services.upsert_github_accounts(items=[user])
    services.upsert_git_identities(items=[author])
    match()
    git = GitIdentity.objects.get()
    assert person_of(GIT_IDENTITY, git.pk) == person_of(
        GITHUB_ACCOUNT, GitHubAccount.objects.get().pk
    )
    link = ProfileLink.objects.get(kind=GIT_IDENTITY)
    assert {
        "rule": "github_id",
        "value": "31898046",
        "with": f"{GITHUB_ACCOUNT}:{GitHubAccount.objects.get().pk}",
    } in link.reason or any(
        r["rule"] == "github_id" for r in ProfileLink.objects.get(kind=GITHUB_ACCOUNT).reason
    )
    assert Person.objects.count() == 1


def test_old_noreply_form_joins_the_account_by_login() -> None:
    octocat = account(583231, "octocat", "The Octocat")
    old = identity("The Octocat", "octocat@users.noreply.github.com")
    other = account(9, "someone-else")
    match()
    assert person_of(GIT_IDENTITY, old.pk) == person_of(GITHUB_ACCOUNT, octocat.pk)
    assert person_of(GITHUB_ACCOUNT, other.pk) != person_of(GITHUB_ACCOUNT, octocat.pk)


def test_commit_author_id_makes_the_address_verified_and_joins_its_other_names() -> None:
    pdimov = account(1011, "pdimov", "Peter Dimov")
    committed = identity("pdimov", "pdimov@gmail.com")
    # What ingest_commits does when a commit's `author.id` is 1011.
    assert services.link_git_identities_to_accounts(pairs=[(committed.pk, pdimov.pk)]) == 1
    assert services.link_git_identities_to_accounts(pairs=[(committed.pk, pdimov.pk)]) == 0
    # The catalogue's maintainer, `Peter Dimov <pdimov -at- gmail.com>`, and its
    # name-only author entry `Peter Dimov`.
    author, maintainer = maintainers("libraries_json/mp11/libraries.json")
    assert (author.email, maintainer.email) == ("", "pdimov@gmail.com")
    match()
    person = person_of(GITHUB_ACCOUNT, pdimov.pk)
    assert person_of(GIT_IDENTITY, committed.pk) == person
    assert person_of(GIT_IDENTITY, maintainer.pk) == person
    reason = ProfileLink.objects.get(kind=GIT_IDENTITY, profile_id=maintainer.pk).reason
    assert {"rule": "verified_email", "value": "pdimov@gmail.com"}.items() <= reason[0].items()
    # A name alone: the name-only author entry stays a person of its own, not suggested.
    assert person_of(GIT_IDENTITY, author.pk) != person
    assert not Recommendation.objects.exists()
    assert Person.objects.get(pk=person).display_name == "Peter Dimov"


def test_same_name_different_people_never_merge() -> None:
    john = account(1, "jsmith", "John Smith")
    other = identity("John Smith", "john@smith-family.example.net")
    third = identity("Smith, John", "js@another.example.com")
    match()
    people = {
        person_of(GITHUB_ACCOUNT, john.pk),
        person_of(GIT_IDENTITY, other.pk),
        person_of(GIT_IDENTITY, third.pk),
    }
    assert len(people) == 3
    assert not Recommendation.objects.exists()
    assert not MergeLog.objects.exists()


def test_two_unverified_profiles_with_one_address_are_a_recommendation_not_a_merge() -> None:
    a = identity("Beman Dawes", "bdawes@acm.org")
    b = identity("Beman", "bdawes@acm.org")
    match()
    assert person_of(GIT_IDENTITY, a.pk) != person_of(GIT_IDENTITY, b.pk)
    rec = Recommendation.objects.get()
    assert rec.score == 0.9
    assert rec.evidence == [{"kind": "email", "value": "bdawes@acm.org"}]


def test_name_with_a_shared_domain_is_no_evidence_but_with_an_own_domain_is() -> None:
    gmail = [identity("Jane Doe", "jane.d@gmail.com"), identity("Jane Doe", "jdoe@gmail.com")]
    acme = [
        identity("Doe, Jane", "jane@acme-widgets.example"),
        identity("Jane Doe", "jd@acme-widgets.example"),
    ]
    match()
    rec = Recommendation.objects.get()
    assert {rec.first.profile_id, rec.second.profile_id} == {acme[0].pk, acme[1].pk}
    assert rec.score == pytest.approx(0.58)
    assert rec.evidence == [
        {"kind": "domain", "value": "acme-widgets.example"},
        {"kind": "name", "value": "jane doe"},
    ]
    assert person_of(GIT_IDENTITY, gmail[0].pk) != person_of(GIT_IDENTITY, gmail[1].pk)


def test_settings_rules_shared_domains_aliases_and_ignored_addresses(settings) -> None:
    settings.PEOPLE_SHARED_DOMAINS = ["acme-widgets.example"]
    settings.PEOPLE_ALIASES = [["email:jane@acme-widgets.example", "github_login:janedoe"]]
    settings.PEOPLE_IGNORED_EMAILS = ["build@ci.example"]
    jane = account(77, "JaneDoe")
    work = identity("Jane Doe", "jane@acme-widgets.example")
    other = identity("Jane Doe", "jd@acme-widgets.example")
    bot1 = identity("CI bot", "build@ci.example")
    bot2 = identity("Release bot", "build@ci.example")
    match()
    assert person_of(GIT_IDENTITY, work.pk) == person_of(GITHUB_ACCOUNT, jane.pk)
    assert person_of(GIT_IDENTITY, other.pk) != person_of(GITHUB_ACCOUNT, jane.pk)
    assert person_of(GIT_IDENTITY, bot1.pk) != person_of(GIT_IDENTITY, bot2.pk)
    assert not Recommendation.objects.exists()


def test_bad_rule_in_settings_is_one_clear_line(settings) -> None:
    from django.core.management import CommandError

    settings.PEOPLE_ALIASES = [["mail:x@y.org"]]
    with pytest.raises(CommandError, match=r"PEOPLE_ALIASES entry 1: 'mail:x@y.org' is not"):
        match()
    assert not ProfileLink.objects.exists()


def test_obfuscated_list_sender_joins_the_verified_address(sender_kind) -> None:
    lines = (FIXTURES / "email" / "from-header-variations.txt").read_text().splitlines()
    picked = [lines[0]] + [line for line in lines if "council" in line]
    senders = [line.split(" (")[0].strip().lower() for line in picked]
    assert senders[0] == "tyrion.lannister at gmail.com"
    EmailAddress.objects.bulk_create([EmailAddress(address=a) for a in dict.fromkeys(senders)])
    tyrion = account(4242, "tyrion", "Tyrion Lannister")
    committed = identity("Tyrion Lannister", "Tyrion.Lannister@gmail.com")
    services.link_git_identities_to_accounts(pairs=[(committed.pk, tyrion.pk)])
    match()
    gmail = EmailAddress.objects.get(address="tyrion.lannister at gmail.com")
    assert person_of(SENDER, gmail.pk) == person_of(GITHUB_ACCOUNT, tyrion.pk)
    # Two senders of one domain (halfman@, spidey_sense@ council.kings-landing.gov) are
    # two people: a domain on its own is nothing. The two spellings of spidey_sense's
    # address are one address, verified by neither side: a recommendation, not a merge.
    halfman = EmailAddress.objects.get(address__startswith="halfman")
    spidey = EmailAddress.objects.filter(address__startswith="spidey").order_by("id")
    people = {person_of(SENDER, s.pk) for s in (halfman, *spidey)}
    assert len(people) == 3
    rec = Recommendation.objects.get()
    assert {rec.first.profile_id, rec.second.profile_id} == {s.pk for s in spidey}
    assert rec.evidence == [{"kind": "email", "value": "spidey_sense@council.kings-landing.gov"}]


def test_contributors_count_one_person_with_three_profiles_once(sender_kind) -> None:
    pdimov = account(1011, "pdimov", "Peter Dimov")
    git = identity("Peter Dimov", "pdimov@gmail.com")
    services.link_git_identities_to_accounts(pairs=[(git.pk, pdimov.pk)])
    sender = EmailAddress.objects.create(address="pdimov at gmail.com")
    stranger = account(5, "stranger")
    match()
    refs = [(GITHUB_ACCOUNT, pdimov.pk), (GIT_IDENTITY, git.pk), (SENDER, sender.pk)]
    assert selectors.count_people(profiles=refs) == 1
    assert selectors.count_people(profiles=[*refs, (GITHUB_ACCOUNT, stranger.pk)]) == 2
    assert selectors.count_people(profiles=[*refs, ("not_placed_yet", 1)]) == 2
    person = selectors.person_for(kind=SENDER, profile_id=sender.pk)
    assert person is not None
    assert [(v.kind, v.profile_id) for v in selectors.profiles_of(person=person)] == sorted(
        refs, key=lambda r: ProfileLink.objects.get(kind=r[0], profile_id=r[1]).pk
    )


def test_incremental_runs_read_only_new_or_changed_profiles() -> None:
    account(1, "a", "Ann Example")
    identity("Ann Example", "ann@example.net")
    first = match()
    assert "2 profiles read, 2 new or changed" in first
    # Rows changed within the overlap window are read again, and found unchanged.
    assert "0 new or changed, 0 people created" in match()
    # A rename changes the account row (a payload without a name keeps the stored
    # one); a new identity is a new row.
    services.upsert_github_accounts(items=[GitHubAccountItem(github_id=1, login="ann")])
    identity("Ann E.", "ann@example.org")
    third = match()
    assert "2 new or changed, 1 people created" in third
    assert ProfileLink.objects.get(kind=GITHUB_ACCOUNT).label == "ann (Ann Example)"


def test_full_rerun_is_idempotent() -> None:
    octocat = account(583231, "octocat", "The Octocat")
    identity("The Octocat", "583231+octocat@users.noreply.github.com")
    identity("Beman Dawes", "bdawes@acm.org")
    identity("Beman", "bdawes@acm.org")
    match()
    before = (partition(), list(Recommendation.objects.values_list("first", "second", "score")))
    stamps = list(ProfileLink.objects.order_by("id").values_list("updated_at", flat=True))
    out = match("--full")
    assert "4 profiles read, 0 new or changed, 0 people created, 0 merged automatically" in out
    assert (
        partition(),
        list(Recommendation.objects.values_list("first", "second", "score")),
    ) == before
    assert list(ProfileLink.objects.order_by("id").values_list("updated_at", flat=True)) == stamps
    assert octocat.pk


def test_a_new_profile_with_strong_evidence_merges_two_existing_people_and_logs_it() -> None:
    ann = account(1, "ann", "Ann Example")
    work = identity("Ann Example", "ann@work.example")
    match()
    assert person_of(GITHUB_ACCOUNT, ann.pk) != person_of(GIT_IDENTITY, work.pk)
    services.link_git_identities_to_accounts(pairs=[(work.pk, ann.pk)])
    out = match()
    assert "1 merged automatically" in out
    assert person_of(GITHUB_ACCOUNT, ann.pk) == person_of(GIT_IDENTITY, work.pk)
    entry = MergeLog.objects.get()
    assert (entry.action, entry.actor) == ("auto_merge", "run_cppa_user_tracker")
    assert entry.evidence[0]["rule"] == "github_id"


def test_a_run_killed_between_reading_and_matching_loses_nothing() -> None:
    from cppa_user_tracker.profile_kinds import BUILT_IN_KINDS
    from cppa_user_tracker.rules import load_rules
    from cppa_user_tracker.services.matching import MatchCounts, read_profiles

    octocat = account(583231, "octocat", "The Octocat")
    noreply = identity("The Octocat", "583231+octocat@users.noreply.github.com")
    for kind in BUILT_IN_KINDS:  # the reading half of a run, then the process dies
        read_profiles(kind=kind, rules=load_rules(), counts=MatchCounts())
    assert ProfileLink.objects.filter(needs_match=True, person__isnull=True).count() == 2
    out = match()
    assert "0 new or changed, 1 people created" in out
    assert person_of(GIT_IDENTITY, noreply.pk) == person_of(GITHUB_ACCOUNT, octocat.pk)
    assert not ProfileLink.objects.filter(needs_match=True).exists()


def test_hostile_profiles_are_stored_cut_to_size(sender_kind) -> None:
    long_name = "Ünïcödé " * 2000
    services.upsert_git_identities(items=[GitIdentityItem(long_name, "x" * 300 + "@y.example")])
    hostile = GitIdentity.objects.get()
    EmailAddress.objects.create(address="\u202etxt.exe@evil.example")
    out = match()
    assert "2 people created" in out
    link = ProfileLink.objects.get(kind=GIT_IDENTITY, profile_id=hostile.pk)
    assert len(link.label) == 500
    assert len(link.name) == 255
    assert all(len(e.value) <= 500 for e in link.evidence.all())


def recommended(a: GitIdentity | GitHubAccount, b: GitIdentity | GitHubAccount) -> Recommendation:
    """The one recommendation between two profiles (either order)."""
    ids = [
        ProfileLink.objects.get(
            kind=GITHUB_ACCOUNT if isinstance(p, GitHubAccount) else GIT_IDENTITY, profile_id=p.pk
        ).pk
        for p in (a, b)
    ]
    return Recommendation.objects.get(first_id=min(ids), second_id=max(ids))


def test_addresses_spelled_with_and_without_separators_are_a_recommendation() -> None:
    dotted = identity("John Smith", "john.smith@example.org")  # example.org: a shared domain
    plain = identity("jsmith", "johnsmith@example.org")
    google = identity("Jo Doe", "j.doe.boost@googlemail.com")
    gmail = identity("jdoe", "jdoeboost@gmail.com")
    match()
    rec = recommended(dotted, plain)
    assert rec.score == 0.6
    assert rec.evidence == [{"kind": "email_folded", "value": "johnsmith@example.org"}]
    assert recommended(google, gmail).evidence == [
        {"kind": "email_folded", "value": "jdoeboost@gmail.com"}
    ]
    assert Recommendation.objects.count() == 2
    # Recommendations only: nobody is merged on a spelling.
    assert Person.objects.count() == 4
    assert not MergeLog.objects.exists()


def test_near_spellings_add_evidence_to_a_pair_found_by_its_name() -> None:
    jon = identity("John Smith", "jon.smith@corp.example")
    john = identity("John Smith", "john.smith@corp.example")
    # At a shared domain the name alone is nothing; with a near spelling it is worth a look.
    typo = identity("Ann Lee", "ann.lee.bost@gmail.com")
    ann = identity("Ann Lee", "ann.lee.boost@gmail.com")
    match()
    rec = recommended(jon, john)
    assert rec.score == pytest.approx(0.706)
    assert {"kind": "similar_email", "value": f"{jon.email} ~ {john.email}"} in rec.evidence
    assert {e["kind"] for e in rec.evidence} == {"name", "domain", "similar_email"}
    rec = recommended(typo, ann)
    assert rec.score == pytest.approx(0.58)
    assert rec.evidence == [
        {"kind": "name", "value": "ann lee"},
        {"kind": "similar_email", "value": "ann.lee.bost@gmail.com ~ ann.lee.boost@gmail.com"},
    ]
    assert Person.objects.count() == 4
    before = list(Recommendation.objects.order_by("id").values_list("score", "evidence"))
    assert "4 profiles read, 0 new or changed, 0 people created" in match("--full")
    assert list(Recommendation.objects.order_by("id").values_list("score", "evidence")) == before


def test_dissimilar_short_and_generic_addresses_at_one_domain_suggest_nothing() -> None:
    identity("Mary Major", "mary.major@gmail.com")
    identity("Mary Major", "mm.cpp.dev@gmail.com")  # the same name, another gmail user
    identity("Paul Roe", "paul.roe@gmail.com")
    identity("Pauline Roe", "pauline.roe@gmail.com")  # 3 edits apart, only gmail.com shared
    identity("Ada Smith", "ada.s@gmail.com")
    identity("Ada Smith", "ada.z@gmail.com")  # 1 edit, but under 6 characters
    identity("Widgets Support", "support@widgets.example")
    identity("Help Desk", "sup-port@widgets.example")  # generic: its spelling never counts
    match()
    assert not Recommendation.objects.exists()
    assert Person.objects.count() == 8


def test_repository_providers_are_asked_once_per_page_and_feed_repo_evidence() -> None:
    from cppa_user_tracker.registry import register_repositories, unregister_repositories

    mine = identity("Rita Roe", "rita@home.example")
    other = account(7, "rroe", "Rita Roe")
    identity("Someone Else", "else@home2.example")
    asked: list[list[int]] = []

    def repositories(pks):
        asked.append(sorted(pks))
        return {mine.pk: ["boostorg/JSON"]}

    register_repositories(
        GIT_IDENTITY, "test", repositories=repositories, changed_since=lambda since: ()
    )
    register_repositories(
        GITHUB_ACCOUNT,
        "test",
        repositories=lambda pks: {other.pk: ["boostorg/json"]},
        changed_since=lambda since: (),
    )
    try:
        match()
    finally:
        unregister_repositories(GIT_IDENTITY, "test")
        unregister_repositories(GITHUB_ACCOUNT, "test")
    assert asked == [sorted(GitIdentity.objects.values_list("pk", flat=True))]
    rec = recommended(mine, other)
    assert rec.score == pytest.approx(0.52)
    assert rec.evidence == [
        {"kind": "name", "value": "rita roe"},
        {"kind": "repo", "value": "boostorg/json"},
    ]
