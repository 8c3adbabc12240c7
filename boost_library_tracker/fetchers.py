"""Read the Boost catalogue from GitHub: superproject submodules, release tags, libraries.json.

Requests are kept few on purpose (a release's catalogue in about seven): the tags and
their commit dates come from one GraphQL connection (100 tags a page), boost.org's
release list (official release dates) from one contents request per run,
`.gitmodules` from one contents request per release, and the `meta/libraries.json`
files of many repositories from one GraphQL query per batch of `LIBRARIES_PER_QUERY`
repositories, each repository an aliased field. No database access here: the
collector stores.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import httpx

from boost_library_tracker.items import LibraryMetaItem, SubmoduleItem, VersionItem
from boost_library_tracker.parsers import (
    parse_gitmodules,
    parse_libraries_json,
    parse_release_list,
    parse_version_tag,
)
from core.bad_items import ParsedPage, parse_each
from core.http import GitHubClient, MalformedResponse

logger = logging.getLogger(__name__)

OWNER = "boostorg"
SUPERPROJECT = "boost"
# boost.org's release list: the official date of every release (JSON despite the name).
RELEASE_LIST_REPO = "website"
RELEASE_LIST_PATH = "generated/state/release.txt"
# ~170 libraries in four queries; GitHub's GraphQL node limit is far away at this size.
LIBRARIES_PER_QUERY = 50

TAGS_QUERY = """
query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    refs(refPrefix: "refs/tags/", query: "boost-", first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        name
        target {
          ... on Commit { committedDate }
          ... on Tag { target { ... on Commit { committedDate } } }
        }
      }
    }
  }
}
"""


def _file_text(body: object, *, url: str) -> str:
    """The text of a contents-endpoint answer (base64 `content`, as GitHub sends files)."""
    if not isinstance(body, dict) or body.get("encoding") != "base64":
        raise MalformedResponse(f"{url}: no base64 file content", url=url)
    return base64.b64decode(body.get("content", "")).decode("utf-8")


def _tag_date(target: object) -> datetime | None:
    """The commit date of a lightweight tag's commit or an annotated tag's target."""
    while isinstance(target, dict):
        stamp = target.get("committedDate")
        if stamp:
            return datetime.fromisoformat(stamp).astimezone(UTC)
        target = target.get("target")
    return None


# One repository's libraries at one ref: the submodule and the libraries it holds.
LibrariesOfRepo = tuple[SubmoduleItem, list[LibraryMetaItem]]


def libraries_payload(*, ref: str, submodule: SubmoduleItem, text: str) -> dict:
    """What is kept of one `libraries.json` read: enough to parse and store it again later.

    `key` (repository@ref) is the item's key in the quarantine.
    """
    return {
        "key": f"{submodule.repo_name}@{ref}",
        "ref": ref,
        "submodule": {
            "name": submodule.name,
            "path": submodule.path,
            "url": submodule.url,
            "repo_name": submodule.repo_name,
        },
        "text": text,
    }


def parse_libraries_payload(payload: dict) -> LibrariesOfRepo:
    """The submodule and its libraries from a `libraries_payload`."""
    submodule = SubmoduleItem(**payload["submodule"])
    source = f"{OWNER}/{submodule.repo_name}@{payload['ref']}:meta/libraries.json"
    return submodule, parse_libraries_json(payload["text"], source=source)


def libraries_query(*, ref: str, repo_names: Sequence[str]) -> str:
    """One query reading `<ref>:meta/libraries.json` of every repository, aliased r0, r1, ..."""
    expression = json.dumps(f"{ref}:meta/libraries.json")
    fields = [
        f"  r{index}: repository(owner: {json.dumps(OWNER)}, name: {json.dumps(name)}) "
        f"{{ object(expression: {expression}) {{ ... on Blob {{ text }} }} }}"
        for index, name in enumerate(repo_names)
    ]
    return "query {\n" + "\n".join(fields) + "\n}"


class BoostCatalogueFetcher:
    """Yield catalogue items for the Boost superproject and its library repositories."""

    def __init__(self, client: GitHubClient) -> None:
        self.client = client

    def versions(self) -> Iterator[VersionItem]:
        """Yield the stable `boost-X.Y.Z` tags with their commit dates (betas and rcs skipped)."""
        for page in self.client.graphql_pages(
            TAGS_QUERY,
            connection_path=["repository", "refs"],
            variables={"owner": OWNER, "name": SUPERPROJECT},
        ):
            for node in page.nodes:
                version = parse_version_tag(str(node.get("name", "")))
                if version is None:
                    continue
                yield VersionItem(
                    name=version.name,
                    major=version.major,
                    minor=version.minor,
                    patch=version.patch,
                    released_at=_tag_date(node.get("target")),
                )

    def submodules(self, *, ref: str) -> list[SubmoduleItem]:
        """The superproject's `.gitmodules` at `ref`, read with the contents endpoint."""
        path = f"/repos/{OWNER}/{SUPERPROJECT}/contents/.gitmodules"
        text = _file_text(self.client.get(path, params={"ref": ref}), url=f"{path}?ref={ref}")
        return parse_gitmodules(text, source=f"{OWNER}/{SUPERPROJECT}@{ref}:.gitmodules")

    def release_dates(self) -> dict[str, datetime]:
        """Official release dates by version name, from boost.org's release list.

        Tag commits are often days older than the announcement, so this date wins where
        the list has one. A list that is gone (404) is a WARNING: the tag dates stand.
        """
        path = f"/repos/{OWNER}/{RELEASE_LIST_REPO}/contents/{RELEASE_LIST_PATH}"
        try:
            body = self.client.get(path)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 404:
                raise
            logger.warning(
                "%s/%s has no %s (404); release dates come from the tags",
                OWNER,
                RELEASE_LIST_REPO,
                RELEASE_LIST_PATH,
                extra={"collector": "boost_library_tracker"},
            )
            return {}
        source = f"{OWNER}/{RELEASE_LIST_REPO}:{RELEASE_LIST_PATH}"
        versions = parse_release_list(_file_text(body, url=path), source=source)
        return {v.name: v.released_at for v in versions if v.released_at is not None}

    def library_metas(
        self, *, ref: str, submodules: Sequence[SubmoduleItem]
    ) -> Iterator[ParsedPage[LibrariesOfRepo]]:
        """Yield pages of submodules with their libraries at `ref`; a missing file is skipped.

        Tools, deprecated and very old repositories have no `meta/libraries.json` (or
        no tag `ref`): that is normal, so it is a WARNING naming the repository. A file
        that cannot be parsed is a bad item of the page, for the quarantine.
        """
        for start in range(0, len(submodules), LIBRARIES_PER_QUERY):
            batch = submodules[start : start + LIBRARIES_PER_QUERY]
            query = libraries_query(ref=ref, repo_names=[s.repo_name for s in batch])
            # A repository deleted or renamed away answers NOT_FOUND for its alias only.
            data = self.client.graphql(query, tolerate=("NOT_FOUND",))
            found = []
            for index, submodule in enumerate(batch):
                blob = (data.get(f"r{index}") or {}).get("object") or {}
                text = blob.get("text")
                if not text:
                    logger.warning(
                        "%s/%s has no meta/libraries.json at %s; skipped",
                        OWNER,
                        submodule.repo_name,
                        ref,
                        extra={"collector": "boost_library_tracker", "repo": submodule.repo_name},
                    )
                    continue
                found.append(libraries_payload(ref=ref, submodule=submodule, text=text))
            yield parse_each(found, parse_libraries_payload, url=self.client.graphql_url)
