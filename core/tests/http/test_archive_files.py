"""Archive files on their own: binary bodies, folder names, missing archives, metering."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest

from core.http import (
    ArchiveWriter,
    ArchivingTransport,
    ReplayTransport,
    RequestMeter,
    new_archive_dir,
    read_archive,
)


def _recorded_transport(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"set-cookie": "s=1"}, content=b"\x89PNG\x00\xff")


def test_binary_bodies_survive_archive_and_replay(tmp_path: Path) -> None:
    archiving = ArchivingTransport(
        httpx.MockTransport(_recorded_transport), ArchiveWriter(tmp_path)
    )
    with httpx.Client(transport=archiving) as client:
        original = client.get("https://example.org/logo.png").content

    [record] = read_archive(tmp_path / "responses.jsonl.gz")
    assert "body_base64" in record
    assert "set-cookie" not in record["headers"]
    with httpx.Client(transport=ReplayTransport(tmp_path)) as replay:
        assert replay.get("https://example.org/logo.png").content == original


def test_archive_folders_are_named_from_source_and_run(settings, tmp_path: Path) -> None:
    settings.WORKSPACE_DIR = str(tmp_path)
    assert new_archive_dir(source="github", run_label="r1") == tmp_path / "raw" / "github" / "r1"
    assert new_archive_dir(source="github").parent == tmp_path / "raw" / "github"
    with pytest.raises(ValueError, match="archive folder names"):
        new_archive_dir(source="../etc")


def test_a_missing_archive_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no raw archive"):
        read_archive(tmp_path / "nothing-here")


def test_the_meter_passes_each_response_to_a_callback() -> None:
    seen: list[int] = []
    meter = RequestMeter(on_response=lambda response: seen.append(response.status_code))
    request = httpx.Request("GET", "https://api.github.com/x")
    meter(httpx.Response(304, headers={"x-ratelimit-remaining": "4711"}, request=request))

    assert seen == [304]
    assert (meter.requests, meter.not_modified, meter.rate_limit_remaining) == (1, 1, 4711)


def _archive_of(tmp_path: Path, count: int) -> Path:
    archiving = ArchivingTransport(
        httpx.MockTransport(_recorded_transport), ArchiveWriter(tmp_path)
    )
    with httpx.Client(transport=archiving) as client:
        for n in range(count):
            client.get(f"https://example.org/{n}.png")
    return tmp_path / "responses.jsonl.gz"


def test_an_archive_cut_short_by_a_kill_replays_its_whole_records(tmp_path: Path, caplog) -> None:
    archive = _archive_of(tmp_path, 3)
    archive.write_bytes(archive.read_bytes()[:-20])

    records = read_archive(archive)

    assert [r["url"] for r in records] == ["https://example.org/0.png", "https://example.org/1.png"]
    assert "ends with a record cut short" in caplog.text


def test_a_line_that_is_not_a_record_names_the_file_and_line(tmp_path: Path) -> None:
    archive = _archive_of(tmp_path, 1)
    with archive.open("ab") as handle:
        handle.write(gzip.compress(b'{"status": 200}\n'))

    with pytest.raises(
        ValueError, match=r"responses\.jsonl\.gz: line 2 is not a recorded response"
    ):
        read_archive(archive)
