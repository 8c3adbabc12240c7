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
from datetime import datetime

import httpx

from boost_library_tracker.items import LibraryMetaItem, SubmoduleItem, VersionItem
from boost_library_tracker.parsers import (
    parse_gitmodules,
    parse_header_tree,
    parse_libraries_json,
    parse_release_list,
    parse_version_tag,
)
from core.bad_items import ParsedPage, parse_each
from core.http import GitHubClient, Payload, redact

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
    answer = Payload.of(body, url=url, kind="file")
    if answer.optional_str("encoding") != "base64":
        raise answer.fail("encoding", "is not 'base64'")
    try:
        return base64.b64decode(answer.optional_str("content")).decode("utf-8")
    except ValueError:
        raise answer.fail("content", "is not base64-encoded UTF-8 text") from None


def _tag_date(target: Payload | None) -> datetime | None:
    """The commit date of a lightweight tag's commit or an annotated tag's target."""
    while target is not None:
        stamp = target.optional_moment("committedDate")
        if stamp:
            return stamp
        target = target.optional_object("target")
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


def parse_libraries_payload(payload: dict, *, url: str) -> LibrariesOfRepo:
    """The submodule and its libraries from a `libraries_payload` read from `url`."""
    submodule = SubmoduleItem(**payload["submodule"])
    source = f"{url} ({OWNER}/{submodule.repo_name}@{payload['ref']}:meta/libraries.json)"
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
        url = self.client.graphql_url
        for page in self.client.graphql_pages(
            TAGS_QUERY,
            connection_path=["repository", "refs"],
            variables={"owner": OWNER, "name": SUPERPROJECT},
        ):
            for index, value in enumerate(page.nodes):
                node = Payload.of(value, url=url, kind="tag", path=f"nodes[{index}]")
                version = parse_version_tag(node.require_str("name"))
                if version is None:
                    continue
                yield VersionItem(
                    name=version.name,
                    major=version.major,
                    minor=version.minor,
                    patch=version.patch,
                    released_at=_tag_date(node.optional_object("target")),
                )

    def submodules(self, *, ref: str) -> list[SubmoduleItem]:
        """The superproject's `.gitmodules` at `ref`, read with the contents endpoint."""
        path = f"/repos/{OWNER}/{SUPERPROJECT}/contents/.gitmodules"
        url = self.client.url_of(path, params={"ref": ref})
        text = _file_text(self.client.get(path, params={"ref": ref}), url=url)
        return parse_gitmodules(text, source=url)

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
        url = self.client.url_of(path)
        versions = parse_release_list(_file_text(body, url=url), source=url)
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
            answer = Payload.of(data, url=self.client.graphql_url, kind="libraries.json batch")
            found = []
            for index, submodule in enumerate(batch):
                repository = answer.optional_object(f"r{index}")
                blob = repository.optional_object("object") if repository else None
                text = blob.optional_str("text") if blob else ""
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
            yield parse_each(found, parse_libraries_payload, url=redact(self.client.graphql_url))

    def header_paths(self, *, ref: str, repo_name: str) -> list[str] | None:
        """The headers under `include/` of one library repository at `ref` (trees API).

        One request per repository (`?recursive=1`). A repository without the tag (a
        tool, a library added later) answers 404: None, with a WARNING naming it.
        """
        path = f"/repos/{OWNER}/{repo_name}/git/trees/{ref}"
        params = {"recursive": "1"}
        try:
            body = self.client.get(path, params=params)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 404:
                raise
            logger.warning(
                "%s/%s has no tree at %s (404); its headers are not mapped",
                OWNER,
                repo_name,
                ref,
                extra={"collector": "boost_library_tracker", "repo": repo_name},
            )
            return None
        return parse_header_tree(body, url=self.client.url_of(path, params=params))
