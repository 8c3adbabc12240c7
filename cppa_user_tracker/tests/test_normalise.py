"""Names and addresses as sources write them, folded to the keys matching compares."""

from __future__ import annotations

import pytest

from cppa_user_tracker.evidence import folded_address
from cppa_user_tracker.normalise import noreply_account, normalise_email, normalise_name


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Dimov, Peter", "peter dimov"),
        ("  peter   DIMOV ", "peter dimov"),
        ("Péter Dímov", "peter dimov"),
        ("René Ferdinand Rivera Morell", "rene ferdinand rivera morell"),
        ("Joaquín M López Muñoz", "joaquin m lopez munoz"),
        ("O'Neil, Bob", "bob o neil"),
        ("", ""),
    ],
)
def test_names_fold_case_accents_and_last_first_order(raw, key) -> None:
    assert normalise_name(raw) == key


@pytest.mark.parametrize(
    ("raw", "address"),
    [
        ("pdimov -at- gmail -dot- com", "pdimov@gmail.com"),
        ("jeff -at- crystalclearsoftware.com", "jeff@crystalclearsoftware.com"),
        ("Jeff at Example dot ORG", "jeff@example.org"),
        ("user(at)example(dot)com", "user@example.com"),
        ("<Someone@Example.com>", "someone@example.com"),
        ("not an address", ""),
        ("two@@example.com", ""),
    ],
)
def test_addresses_are_deobfuscated_and_lower_cased(raw, address) -> None:
    assert normalise_email(raw) == address


def test_github_noreply_addresses_name_their_account() -> None:
    assert noreply_account("583231+octocat@users.noreply.github.com") == (583231, "octocat")
    assert noreply_account("octocat@users.noreply.github.com") == (None, "octocat")
    assert noreply_account("octocat@github.com") == (None, "")
    assert noreply_account("bad_login!@users.noreply.github.com") == (None, "")


@pytest.mark.parametrize(
    ("address", "folded"),
    [
        ("john.smith@example.org", "johnsmith@example.org"),
        ("john_smith-cpp+boost@example.org", "johnsmithcpp@example.org"),
        ("j.doe.boost@googlemail.com", "jdoeboost@gmail.com"),
        ("pdimov@mac.com", "pdimov@icloud.com"),
        ("no-reply@example.org", ""),  # generic once folded
        ("support@example.org", ""),  # generic
        ("j.s@example.org", ""),  # too short to compare
        ("12345+jsmith@users.noreply.github.com", ""),  # the GitHub id says it all
        ("jsmith@users.noreply.github.com", ""),
    ],
)
def test_addresses_fold_separators_and_provider_aliases(address, folded) -> None:
    assert folded_address(address) == folded
