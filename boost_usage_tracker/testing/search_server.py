"""A loopback GitHub that answers code search like GitHub does, over a made-up corpus.

`SearchServer` is the project's `FixtureServer` (real sockets, queued faults) with
three routes computed per request instead of recorded:

- `GET /search/code`: the files of the corpus whose text holds the quoted term and
  whose size is in the `size:LOW..HIGH` range. It enforces what GitHub documents: at
  most 1,000 results per query (a page past them is a 422), `incomplete_results` on
  a query too broad (more than `incomplete_above` results), and the search budget,
  `limit` requests per `window` seconds on the server's clock: a faster caller gets
  GitHub's 403 with `x-ratelimit-remaining: 0` and is counted in `rejected`. Items
  have the shape of the recorded answers (`tests/fixtures/`), text matches included.
- `GET /rate_limit`: the recorded answer's shape, with the live search budget.
- `POST /graphql`: repository details by name (aliased `repository(owner:, name:)`)
  and by node id (`nodes(ids:)`), NOT_FOUND for repositories the corpus lacks.

The clock is a `FakeClock` shared with the client in the same process (the wait for a
reset costs no real time), or real time for a child process.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from boost_usage_tracker.fetchers import RequestBudget, SearchFetcher, search_query, term_query
from boost_usage_tracker.planner import PlanState
from core.http import GitHubClient
from core.testing.fixture_server import FixtureServer, Reply, SeenRequest

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
JSON = {"content-type": "application/json; charset=utf-8"}


def recorded_body(name: str, index: int = 0) -> Any:
    """The JSON body of a recorded interaction (betamax base64+gzip, or VCR string)."""
    recording = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    body = recording["http_interactions"][index]["response"]["body"]
    if "base64_string" in body:
        raw = base64.b64decode(body["base64_string"])
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return json.loads(raw)
    return json.loads(body["string"])


@dataclass
class FakeRepo:
    github_id: int
    full_name: str
    fork: bool = False
    stars: int = 0
    language: str = "C++"
    files: dict[str, str] = field(default_factory=dict)  # build files at HEAD
    deleted: bool = False
    renamed_to: str = ""

    @property
    def node_id(self) -> str:
        return base64.b64encode(f"010:Repository{self.github_id}".encode()).decode()

    @property
    def current_name(self) -> str:
        return self.renamed_to or self.full_name


@dataclass(frozen=True)
class FakeFile:
    repo: FakeRepo
    path: str
    size: int
    text: str


class RealClock:
    def now(self) -> float:
        return time.time()


HEADERS = [
    "boost/asio/ip/tcp.hpp",
    "boost/json.hpp",
    "boost/algorithm/string/trim.hpp",
    "boost/numeric/conversion/cast.hpp",
    "boost/utility/string_view.hpp",
    "boost/call_traits.hpp",
    "boost/asio.hpp",
]


def make_corpus(
    *,
    files: int,
    repos: int,
    seed: int = 7,
    max_size: int = 384000,
    skew: bool = False,
    same_size: int | None = None,
    most_headers: int = 3,
) -> list[FakeFile]:
    """A reproducible corpus: `files` files in `repos` repositories, each including
    one to `most_headers` Boost headers; one repository in ten is a fork, and one is
    boostorg's. Sizes are uniform, or with `skew` mostly small (as real source files
    are), or all `same_size` bytes (a one-byte slice over the cap)."""
    chance = random.Random(seed)
    owners = [
        FakeRepo(
            github_id=1000 + i,
            full_name="boostorg/asio" if i == 0 else f"user{i}/project{i}",
            fork=i % 10 == 9,
            stars=i * 3,
        )
        for i in range(repos)
    ]
    corpus = []
    for index in range(files):
        repo = owners[index % repos]
        included = chance.sample(HEADERS, chance.randint(1, most_headers))
        lines = [f"#include <{h}>" for h in included]
        if index % 50 == 0:
            lines.append("#if BOOST_VERSION >= 107000")
        size = int(chance.paretovariate(1.2) * 2000) if skew else chance.randint(0, max_size)
        if same_size is not None:
            size = same_size
        corpus.append(FakeFile(repo, f"src/file{index}.cpp", min(size, max_size), "\n".join(lines)))
    return corpus


_SIZE = re.compile(r"\bsize:(\d+)\.\.(\d+)")
_TERM = re.compile(r'"([^"]+)"')
_ALIAS = re.compile(r'(r\d+): repository\(owner: "([^"]*)", name: "([^"]*)"\)')


class SearchServer(FixtureServer):
    """The loopback GitHub of the usage tests (see the module docstring)."""

    def __init__(
        self,
        corpus: list[FakeFile],
        *,
        clock: Any = None,
        limit: int = 10,
        window: float = 60.0,
        incomplete_above: int = 5000,
    ) -> None:
        super().__init__()
        self.corpus = corpus
        self.clock = clock or RealClock()
        self.limit = limit
        self.window = window
        self.incomplete_above = incomplete_above
        self.rejected = 0
        self.search_requests = 0
        self.over_cap_pages = 0
        # total_count of every query whose page 2 or later was asked for.
        self.totals_read: list[int] = []
        self._window_start: float | None = None
        self._window_used = 0
        self._search_lock = threading.Lock()
        self.search_faults: list[Reply] = []
        # Real seconds each search answer takes (a kill test's child must be caught mid-run).
        self.search_delay = 0.0
        self.repos = {f.repo.full_name: f.repo for f in corpus}

    # --- the budget -------------------------------------------------------------

    def _budget_headers(self, now: float) -> dict[str, str]:
        reset = (self._window_start or now) + self.window
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(max(0, self.limit - self._window_used)),
            "x-ratelimit-reset": str(int(reset)),
            "x-ratelimit-used": str(self._window_used),
            "x-ratelimit-resource": "search",
        }

    def _take_budget(self) -> tuple[bool, dict[str, str]]:
        now = self.clock.now()
        if self._window_start is None or now >= self._window_start + self.window:
            self._window_start, self._window_used = now, 0
        if self._window_used >= self.limit:
            return False, self._budget_headers(now)
        self._window_used += 1
        return True, self._budget_headers(now)

    # --- routes -----------------------------------------------------------------

    def next_reply(self, request: SeenRequest) -> Reply:
        path = urlsplit(request.target).path
        if path == "/search/code":
            with self._search_lock:
                self.requests.append(request)
                return self._search(request)
        if path == "/rate_limit":
            with self._search_lock:
                self.requests.append(request)
                return self._rate_limit()
        if path == "/graphql" and request.method == "POST":
            with self._search_lock:
                self.requests.append(request)
                return self._graphql(request)
        return super().next_reply(request)

    def _rate_limit(self) -> Reply:
        body = recorded_body("GitHubCore_ratelimit_remaining_search.json")
        now = self.clock.now()
        if self._window_start is not None and now >= self._window_start + self.window:
            self._window_start, self._window_used = None, 0
        live = self._budget_headers(now)
        body["resources"]["search"] = {
            "limit": self.limit,
            "remaining": int(live["x-ratelimit-remaining"]),
            "reset": int(live["x-ratelimit-reset"]),
        }
        return Reply(status=200, headers=JSON, body=json.dumps(body).encode())

    def _search(self, request: SeenRequest) -> Reply:
        self.search_requests += 1
        if self.search_delay:
            time.sleep(self.search_delay)
        if self.search_faults:
            return self.search_faults.pop(0)
        allowed, headers = self._take_budget()
        headers = {**JSON, **headers}
        if not allowed:
            self.rejected += 1
            body = {"message": "API rate limit exceeded for user ID 1."}
            return Reply(status=403, headers=headers, body=json.dumps(body).encode())
        query = parse_qs(urlsplit(request.target).query)
        q = query.get("q", [""])[0]
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        term = _TERM.search(q)
        size = _SIZE.search(q)
        low, high = (int(size.group(1)), int(size.group(2))) if size else (0, 10**9)
        matches = [
            f
            for f in self.corpus
            if low <= f.size <= high and (term is None or term.group(1) in f.text)
        ]
        if (page - 1) * per_page >= 1000:
            self.over_cap_pages += 1
            body = {
                "message": "Only the first 1000 search results are available",
                "documentation_url": "https://docs.github.com/v3/search/",
            }
            return Reply(status=422, headers=headers, body=json.dumps(body).encode())
        if page > 1:
            self.totals_read.append(len(matches))
        readable = matches[:1000]
        items = readable[(page - 1) * per_page : page * per_page]
        body = {
            "total_count": len(matches),
            "incomplete_results": len(matches) > self.incomplete_above,
            "items": [self._item(f, term.group(1) if term else "") for f in items],
        }
        return Reply(status=200, headers=headers, body=json.dumps(body).encode())

    def _item(self, file: FakeFile, term: str) -> dict[str, Any]:
        repo = file.repo
        api = f"{self.base_url}/repositories/{repo.github_id}"
        start = max(0, file.text.find(term))
        return {
            "name": file.path.rpartition("/")[2],
            "path": file.path,
            "sha": f"{abs(hash(file.path)):040x}"[:40],
            "url": f"{api}/contents/{file.path}",
            "git_url": f"{api}/git/blobs/0",
            "html_url": f"https://github.com/{repo.full_name}/blob/main/{file.path}",
            "repository": {
                "id": repo.github_id,
                "node_id": repo.node_id,
                "name": repo.full_name.partition("/")[2],
                "full_name": repo.full_name,
                "owner": {"login": repo.full_name.partition("/")[0]},
                "private": False,
                "fork": repo.fork,
                "html_url": f"https://github.com/{repo.full_name}",
            },
            "score": 1.0,
            "text_matches": [
                {
                    "object_url": f"{api}/contents/{file.path}",
                    "object_type": "FileContent",
                    "property": "content",
                    "fragment": file.text,
                    "matches": [{"text": term, "indices": [start, start + len(term)]}],
                }
            ],
        }

    def _node(self, repo: FakeRepo, *, with_files: bool) -> dict[str, Any]:
        node: dict[str, Any] = {
            "id": repo.node_id,
            "databaseId": repo.github_id,
            "nameWithOwner": repo.current_name,
            "stargazerCount": repo.stars,
            "forkCount": repo.stars // 2,
            "isArchived": False,
            "isFork": repo.fork,
            "createdAt": "2019-03-01T10:00:00Z",
            "pushedAt": "2026-11-20T08:30:00Z",
            "primaryLanguage": {"name": repo.language},
            "licenseInfo": {"spdxId": "MIT"},
        }
        if with_files:
            for alias, name in (
                ("cmake", "CMakeLists.txt"),
                ("vcpkg", "vcpkg.json"),
                ("conan_txt", "conanfile.txt"),
                ("conan_py", "conanfile.py"),
            ):
                text = repo.files.get(name)
                node[alias] = {"text": text} if text is not None else None
        return node

    def _graphql(self, request: SeenRequest) -> Reply:
        payload = json.loads(request.body or b"{}")
        query, variables = payload.get("query", ""), payload.get("variables") or {}
        headers = {**JSON, "x-ratelimit-resource": "graphql", "x-ratelimit-remaining": "4990"}
        data: dict[str, Any] = {}
        errors = []
        if "nodes(ids:" in query:
            by_node = {r.node_id: r for r in self.repos.values()}
            nodes = []
            for node_id in variables.get("ids", []):
                repo = by_node.get(node_id)
                if repo is None or repo.deleted:
                    nodes.append(None)
                    errors.append(
                        {
                            "type": "NOT_FOUND",
                            "path": ["nodes"],
                            "message": (
                                f"Could not resolve to a node with the global id of '{node_id}'"
                            ),
                        }
                    )
                else:
                    nodes.append(self._node(repo, with_files=False))
            data["nodes"] = nodes
        else:
            by_name = {r.current_name: r for r in self.repos.values()}
            for alias, owner, name in _ALIAS.findall(query):
                repo = by_name.get(f"{owner}/{name}")
                if repo is None or repo.deleted:
                    data[alias] = None
                    errors.append(
                        {
                            "type": "NOT_FOUND",
                            "path": [alias],
                            "message": (
                                f"Could not resolve to a Repository with the name '{owner}/{name}'."
                            ),
                        }
                    )
                else:
                    data[alias] = self._node(repo, with_files=True)
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = errors
        return Reply(status=200, headers=headers, body=json.dumps(body).encode())


def walk_plan(
    server: SearchServer, clock: Any, *, terms: list[str], max_size: int, wanted: bool = False
) -> PlanState:
    """Walk one search pass as the collector does, storing nothing: every probe and page
    against `server` (for the benchmark's comparison of routes)."""
    budget = RequestBudget()
    with GitHubClient(
        base_url=server.base_url, clock=clock, conditional=False, on_response=budget.on_response
    ) as client:
        fetcher = SearchFetcher(client, clock=clock, budget=budget, max_wait=120)
        fetcher.read_budget()
        state = PlanState.new(
            started_at="2026-12-07T04:10:00+00:00", max_size=max_size, terms=terms, wanted=wanted
        )
        while not state.finished:
            term, piece, page = state.next_request()
            query = term_query(term) if term else search_query(library=None)
            answer = fetcher.page(query=query, piece=piece, page=page)
            state.record(
                total=answer.total_count, incomplete=answer.incomplete, received=answer.received
            )
    return state
