"""The slice planner's rules, without a server."""

from __future__ import annotations

from boost_usage_tracker.planner import PlanState, next_width, pages_for


def test_the_next_width_aims_at_800_results_and_grows_at_most_four_times() -> None:
    assert next_width(1000, 1600) == 500
    assert next_width(1000, 100) == 4000
    assert next_width(1000, 0) == 4000
    assert next_width(3, 50_000) == 1


def test_pages_stop_at_the_cap() -> None:
    assert [pages_for(n) for n in (0, 1, 100, 101, 1000, 5000)] == [1, 1, 1, 2, 10, 10]


def test_a_probe_over_the_cap_is_asked_again_narrower_from_the_same_place() -> None:
    state = PlanState.new(started_at="t", max_size=999)
    piece, page = state.next_request()
    assert (piece.qualifier, page) == ("size:0..999", 1)
    assert state.record(total=4000, incomplete=True, received=100) is False
    piece, page = state.next_request()
    assert (piece.qualifier, page) == ("size:0..199", 1)


def test_a_one_byte_slice_over_the_cap_is_read_to_the_cap_and_recorded() -> None:
    state = PlanState(started_at="t", max_size=10, next_low=5, width=1)
    piece, _ = state.next_request()
    assert piece.qualifier == "size:5..5"
    assert state.record(total=2500, incomplete=False, received=100) is True
    assert state.capped == [[5, 5, 2500]]
    for page in range(2, 11):
        assert state.next_request()[1] == page
        state.record(total=2500, incomplete=False, received=100)
    assert state.current is None
    assert state.next_low == 6


def test_the_state_survives_its_json_cursor() -> None:
    state = PlanState.new(started_at="t", max_size=99)
    state.next_request()
    state.record(total=300, incomplete=False, received=100)
    again = PlanState.from_cursor(state.as_cursor())
    assert again == state
    assert again.next_request()[1] == 2
