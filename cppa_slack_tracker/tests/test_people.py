"""Members are `cppa_user_tracker` profiles: `run_cppa_user_tracker` reads the collected
members (not bots, Slackbot or deleted accounts); a member's Slack profile email is
verified, so a git identity with the same address joins the member's person."""

from __future__ import annotations

import copy
from io import StringIO

import pytest
from django.core.management import call_command

from cppa_slack_tracker.models import SlackUser
from cppa_slack_tracker.people import SLACK_MEMBER
from cppa_slack_tracker.tests.conftest import run
from cppa_user_tracker import selectors, services
from cppa_user_tracker.items import GitIdentityItem
from cppa_user_tracker.models import GitIdentity, ProfileLink

pytestmark = pytest.mark.django_db


def test_members_are_profiles_and_their_verified_email_joins_a_git_identity(slack) -> None:
    bot = copy.deepcopy(slack.users[0]) | {"id": "B0TUSER01", "is_bot": True}
    gone = copy.deepcopy(slack.users[1]) | {"id": "UDELETED1", "deleted": True}
    slack.users += [bot, gone]
    run()
    not_people = SlackUser.objects.filter(user_id__in=["B0TUSER01", "UDELETED1", "USLACKBOT"])
    assert not_people.count() == 3  # stored by the collector, but not profiles
    rhea = SlackUser.objects.get(user_id="U8W3QFGQ5")
    assert rhea.email == "rheaparekh12@gmail.com"
    # A commit address nobody verified: only the Slack profile email makes it strong.
    services.upsert_git_identities(
        items=[GitIdentityItem(name="rparekh", email="RheaParekh12@gmail.com")]
    )
    git = GitIdentity.objects.get(name="rparekh")

    call_command("run_cppa_user_tracker", stdout=StringIO())

    linked = set(ProfileLink.objects.filter(kind=SLACK_MEMBER).values_list("profile_id", flat=True))
    people = SlackUser.objects.exclude(user_id__in=["B0TUSER01", "UDELETED1", "USLACKBOT"])
    assert linked == set(people.values_list("pk", flat=True))
    assert len(linked) == 4
    person = selectors.person_for(kind=SLACK_MEMBER, profile_id=rhea.pk)
    assert person is not None
    assert selectors.person_for(kind="git_identity", profile_id=git.pk) == person
    reason = ProfileLink.objects.get(kind="git_identity", profile_id=git.pk).reason
    assert reason[0]["rule"] == "verified_email"
