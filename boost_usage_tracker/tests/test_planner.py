"""The slice planner's rules, without a server."""

from __future__ import annotations

from boost_usage_tracker.planner import (
    PlanState,
    Sweep,
    library_route_cheaper,
    next_width,
    pages_for,
    split_terms,
    sweep_requests,
)
from boost_usage_tracker.tests.conftest import LIBRARIES


def test_the_next_width_aims_at_800_results_and_grows_at_most_four_times() -> None:
    assert next_width(1000, 1600) == 500
    assert next_width(1000, 100) == 4000
    assert next_width(1000, 0) == 4000
    assert next_width(3, 50_000) == 1


def test_pages_stop_at_the_cap() -> None:
    assert [pages_for(n) for n in (0, 1, 100, 101, 1000, 5000)] == [1, 1, 1, 2, 10, 10]


def test_a_probe_over_the_cap_is_asked_again_narrower_from_the_same_place() -> None:
    state = PlanState.new(started_at="t", max_size=999, terms=[])
    _, piece, page = state.next_request()
    assert (piece.qualifier, page) == ("size:0..999", 1)
    assert state.record(total=4000, incomplete=True, received=100) is False
    _, piece, page = state.next_request()
    assert (piece.qualifier, page) == ("size:0..199", 1)


def one_byte_at(low: int, *, terms: list[str]) -> PlanState:
    return PlanState(
        started_at="t",
        max_size=10,
        main=Sweep(term="", low=0, high=10, next_low=low, width=1),
        terms=terms,
        route="size",
    )


def test_without_terms_a_one_byte_slice_over_the_cap_is_read_to_the_cap_and_recorded() -> None:
    state = one_byte_at(5, terms=[])
    _, piece, _ = state.next_request()
    assert piece.qualifier == "size:5..5"
    assert state.record(total=2500, incomplete=False, received=100) is True
    assert state.capped == [[5, 5, 2500, ""]]
    for page in range(2, 11):
        assert state.next_request()[2] == page
        state.record(total=2500, incomplete=False, received=100)
    assert state.main.current is None
    assert state.main.next_low == 6
    assert not state.library_splits


def test_a_one_byte_slice_over_the_cap_is_split_by_library_term_by_term() -> None:
    state = one_byte_at(5, terms=["boost/asio", "boost/json"])
    state.next_request()
    # The byte's probe is dropped: the terms' queries read its files.
    assert state.record(total=2500, incomplete=False, received=100) is False
    assert state.library_splits == [[5, 5, 2500]]
    asked = []
    # asio: 250 results (3 pages); json: 1,400, over the cap even within the byte.
    for total in (250, 250, 250, 1400, *[1400] * 9):
        term, piece, page = state.next_request()
        asked.append((term, piece.qualifier, page))
        assert state.record(total=total, incomplete=False, received=100) is True
        again = PlanState.from_cursor(state.as_cursor())
        assert again == state
    assert asked[:4] == [
        ("boost/asio", "size:5..5", 1),
        ("boost/asio", "size:5..5", 2),
        ("boost/asio", "size:5..5", 3),
        ("boost/json", "size:5..5", 1),
    ]
    assert asked[-1] == ("boost/json", "size:5..5", 10)
    assert state.capped == [[5, 5, 1400, "boost/json"]]
    assert state.split_requests == 13
    assert not state.splits_left
    # The sweep goes on after the byte.
    assert state.next_request() == ("", state.main.next_request()[0], 1)
    assert state.main.next_request()[0].qualifier == "size:6..6"


def test_the_state_survives_its_json_cursor() -> None:
    state = PlanState.new(started_at="t", max_size=99, terms=[])
    state.next_request()
    state.record(total=300, incomplete=False, received=100)
    again = PlanState.from_cursor(state.as_cursor())
    assert again == state
    assert again.next_request()[2] == 2


def test_a_checkpoint_saved_before_the_library_split_still_resumes() -> None:
    old = {
        "started_at": "t",
        "max_size": 99,
        "next_low": 40,
        "width": 10,
        "current": [40, 49, 3, 250],
        "slices_done": 4,
        "splits": 1,
        "capped": [[7, 7, 1200]],
        "incomplete": [],
    }
    state = PlanState.from_cursor(old)
    term, piece, page = state.next_request()
    assert (term, piece.qualifier, page) == ("", "size:40..49", 3)
    assert state.capped == [[7, 7, 1200, ""]]


def test_split_terms_cover_every_header_with_the_fewest_prefixes() -> None:
    owners = {path: key for key, (_, paths) in LIBRARIES.items() for path in paths}
    assert split_terms(owners) == [
        "boost/algorithm/string",
        "boost/asio",
        "boost/call_traits",
        "boost/json",
        "boost/numeric/conversion",
        "boost/utility/string_view",
    ]
    # A nested key under its parent's folder is covered by the parent's term.
    nested = {
        "boost/algorithm/string.hpp": "algorithm/string",
        "boost/algorithm/cxx11/all_of.hpp": "algorithm",
    }
    assert split_terms(nested) == ["boost/algorithm"]


def test_the_route_costs_follow_the_arithmetic_of_the_docstring() -> None:
    assert sweep_requests(700) == 7
    assert sweep_requests(50_000) == 500 + 32
    # Two libraries of 700 and 1,300 results against a whole query of 2,500: 6 + 14
    # requests left against 25 + 2.
    assert library_route_cheaper(2500, [700, 1300])
    # Six libraries whose files include two of them each: 6 x 8 against 27.
    assert not library_route_cheaper(2500, [850] * 6)


def test_one_wanted_library_is_read_by_its_own_query_directly() -> None:
    state = PlanState.new(started_at="t", max_size=999, terms=["boost/json"], wanted=True)
    assert state.route == "library"
    term, piece, page = state.next_request()
    assert (term, piece.qualifier, page) == ("boost/json", "size:0..999", 1)


def test_several_wanted_libraries_are_read_by_library_when_that_is_cheaper() -> None:
    state = PlanState.new(started_at="t", max_size=999, terms=["boost/a", "boost/b"], wanted=True)
    assert state.next_request()[0] == ""
    assert state.record(total=5000, incomplete=False, received=100) is False
    assert state.probes == []
    assert state.next_request()[0] == "boost/a"
    # a fits (its probe is its page 1, kept); b needs its own sweep by size.
    assert state.record(total=300, incomplete=False, received=100) is True
    assert state.next_request()[0] == "boost/b"
    assert state.record(total=1700, incomplete=False, received=100) is False
    assert state.route == "library"
    assert state.route_probes == 2
    assert state.main.finished
    term, piece, page = state.next_request()
    assert (term, piece.qualifier, page) == ("boost/a", "size:0..999", 2)
    state.record(total=300, incomplete=False, received=100)
    state.next_request()
    state.record(total=300, incomplete=False, received=100)
    term, piece, page = state.next_request()
    assert (term, page) == ("boost/b", 1)
    assert piece.high < 999


def test_several_wanted_libraries_that_overlap_are_read_by_size() -> None:
    state = PlanState.new(started_at="t", max_size=999, terms=["boost/a", "boost/b"], wanted=True)
    state.next_request()
    state.record(total=2000, incomplete=False, received=100)
    for total in (1500, 1500):
        state.next_request()
        assert state.record(total=total, incomplete=False, received=100) is False
    assert state.route == "size"
    term, piece, _ = state.next_request()
    assert term == ""
    assert piece.high < 999
