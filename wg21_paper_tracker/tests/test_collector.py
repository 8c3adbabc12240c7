"""The collector without its command: its checks, and collect() writing through services."""

from __future__ import annotations

from unittest.mock import MagicMock, patch

import pytest

from wg21_paper_tracker.management.commands.run_wg21_paper_tracker import Wg21PaperTrackerCollector


def test_validate_config_rejects_an_empty_source_key() -> None:
    collector = Wg21PaperTrackerCollector(source_key=" ")
    with pytest.raises(ValueError, match="source_key must not be empty"):
        collector.validate_config()


@patch("wg21_paper_tracker.services.record_run")
def test_collect_calls_the_service(mock_record_run: MagicMock) -> None:
    mock_record_run.return_value = (None, True)
    collector = Wg21PaperTrackerCollector(source_key=" k1 ")
    collector.collect()
    mock_record_run.assert_called_once_with(source_key="k1")
