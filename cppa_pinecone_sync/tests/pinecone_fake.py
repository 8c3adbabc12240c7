"""A loopback Pinecone: the control and data planes of API 2025-10, over a real socket.

Written from Pinecone's published OpenAPI specs (`fixtures/pinecone-api/`, 2025-10):
the routes, request and answer bodies, status codes (201 for an NDJSON upsert of
text), the `rpcStatus` error body, and the `Api-Key` header every call needs. Each
index it creates answers on a server of its own (its `host`), as Pinecone's do, with
its records in memory per namespace. A model whose name says `sparse` (Pinecone's
`pinecone-sparse-english-v0`) makes a sparse index (`dotproduct`, no dimension). A
text search cannot embed, so a sparse index scores by shared whole words and a dense
one by shared character trigrams, which, like a real embedding, also matches a
misspelling (what the tests need: the right record first, and two indexes that can
disagree); everything else is exact.

`fail_next(status, times)` answers the next data-plane calls with that status, as
Pinecone does under load (429) or in trouble (5xx).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

WORD = re.compile(r"[a-z0-9]+")


def _terms(text: str) -> set[str]:
    return set(WORD.findall(text.lower()))


def _trigrams(text: str) -> set[str]:
    return {f" {w} "[i : i + 3] for w in _terms(text) for i in range(len(w))}


# The routes served, as the spec names them (checked against it by test_pinecone_fake.py).
DATA_ROUTES = {
    ("POST", "/records/namespaces/{namespace}/upsert"),
    ("POST", "/records/namespaces/{namespace}/search"),
    ("POST", "/vectors/delete"),
    ("GET", "/vectors/list"),
    ("GET", "/vectors/fetch"),
    ("POST", "/describe_index_stats"),
}
CONTROL_ROUTES = {
    ("GET", "/indexes"),
    ("GET", "/indexes/{index_name}"),
    ("POST", "/indexes/create-for-model"),
}


def _serve(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


class FakePinecone:
    def __init__(self, *, api_key: str) -> None:
        self.api_key = api_key
        self.indexes: dict[str, dict[str, Any]] = {}
        # Per index: its namespaces, each a dict of records by id.
        self.data: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        self.requests: list[tuple[str, str]] = []
        # The same calls with the index they went to ("" for the control plane).
        self.index_requests: list[tuple[str, str, str]] = []
        self.failures: list[int] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(""))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._planes: list[ThreadingHTTPServer] = []

    # --- test controls --------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1) -> None:
        self.failures.extend([status] * times)

    def records(self, namespace: str, *, index: str = "") -> dict[str, dict[str, Any]]:
        """One namespace's records of `index` (default: the first dense index made)."""
        name = index or next(
            (n for n, i in self.indexes.items() if i["vector_type"] == "dense"), ""
        )
        return self.data.setdefault(name, {}).setdefault(namespace, {})

    @contextmanager
    def running(self) -> Iterator[FakePinecone]:
        _serve(self.server)
        try:
            yield self
        finally:
            for server in [self.server, *self._planes]:
                server.shutdown()
                server.server_close()

    # --- the API ----------------------------------------------------------------------

    def answer(self, index: str, method: str, path: str, query: dict[str, list[str]], body: bytes):
        if not index:
            return self._control(method, path, body)
        if self.failures:
            status = self.failures.pop(0)
            return status, {"code": 8 if status == 429 else 13, "message": f"fake {status}"}
        if method == "POST" and (
            match := re.fullmatch(r"/records/namespaces/([^/]+)/upsert", path)
        ):
            records = self.records(unquote(match[1]), index=index)
            for line in body.decode().splitlines():
                if line.strip():
                    record = json.loads(line)
                    records[record.pop("_id", None) or record.pop("id")] = record
            return 201, None
        if method == "POST" and (
            match := re.fullmatch(r"/records/namespaces/([^/]+)/search", path)
        ):
            return 200, self._search(index, unquote(match[1]), json.loads(body))
        if method == "POST" and path == "/vectors/delete":
            request = json.loads(body)
            records = self.records(request.get("namespace", ""), index=index)
            for record_id in request.get("ids", []):
                records.pop(record_id, None)
            return 200, {}
        if method == "GET" and path == "/vectors/list":
            return 200, self._list(index, query)
        if method == "GET" and path == "/vectors/fetch":
            namespace = query.get("namespace", [""])[0]
            records = self.records(namespace, index=index)
            found = {
                i: {"id": i, "values": [0.0], "metadata": records[i]}
                for i in query.get("ids", [])
                if i in records
            }
            return 200, {"vectors": found, "namespace": namespace, "usage": {"readUnits": 1}}
        if method == "POST" and path == "/describe_index_stats":
            spaces = self.data.get(index, {})
            counts = {ns: {"vectorCount": len(r)} for ns, r in spaces.items() if r}
            total = sum(c["vectorCount"] for c in counts.values())
            answer = {"namespaces": counts, "indexFullness": 0.0, "totalVectorCount": total}
            if self.indexes[index]["vector_type"] == "dense":
                answer["dimension"] = 1024
            return 200, answer
        return 404, {"code": 5, "message": f"no route {method} {path}"}

    def _control(self, method: str, path: str, body: bytes):
        if method == "GET" and path == "/indexes":
            return 200, {"indexes": list(self.indexes.values())}
        if method == "GET" and (match := re.fullmatch(r"/indexes/([^/]+)", path)):
            index = self.indexes.get(match[1])
            if index is None:
                return 404, {"error": {"code": "NOT_FOUND", "message": "Resource not found"},
                             "status": 404}  # fmt: skip
            return 200, index
        if method == "POST" and path == "/indexes/create-for-model":
            request = json.loads(body)
            embed, name = request["embed"], request["name"]
            sparse = "sparse" in embed["model"]
            kind, metric = ("sparse", "dotproduct") if sparse else ("dense", "cosine")
            plane = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(name))
            self._planes.append(plane)
            _serve(plane)
            index = {
                "name": name,
                "metric": embed.get("metric", metric),
                "host": f"http://127.0.0.1:{plane.server_address[1]}",
                "spec": {"serverless": {"cloud": request["cloud"], "region": request["region"]}},
                "status": {"ready": True, "state": "Ready"},
                "vector_type": kind,
                "deletion_protection": "disabled",
                "embed": {"model": embed["model"], "field_map": embed["field_map"],
                          "metric": metric, "vector_type": kind},
            }  # fmt: skip
            if not sparse:
                index["dimension"] = index["embed"]["dimension"] = 1024
            self.indexes[name] = index
            return 201, index
        return 404, {"error": {"code": "NOT_FOUND", "message": path}, "status": 404}

    def _search(self, index: str, namespace: str, request: dict[str, Any]) -> dict[str, Any]:
        query = request["query"]
        terms = _terms if self.indexes[index]["vector_type"] == "sparse" else _trigrams
        wanted_terms = terms(query["inputs"]["text"])
        wanted = request.get("fields")
        conditions = query.get("filter") or {}
        hits = []
        for record_id, fields in self.records(namespace, index=index).items():
            if any(fields.get(k) != c.get("$eq") for k, c in conditions.items()):
                continue
            text = f"{fields.get('title', '')} {fields.get('chunk_text', '')}"
            score = len(wanted_terms & terms(text)) / max(len(wanted_terms), 1)
            if score > 0.5 or (terms is _terms and score > 0):
                shown = {
                    k: v for k, v in fields.items() if not wanted or "*" in wanted or k in wanted
                }
                hits.append({"_id": record_id, "_score": score, "fields": shown})
        hits.sort(key=lambda h: (-h["_score"], h["_id"]))
        return {"result": {"hits": hits[: query.get("top_k", 10)]},
                "usage": {"read_units": 1, "embed_total_tokens": len(wanted_terms)}}  # fmt: skip

    def _list(self, index: str, query: dict[str, list[str]]) -> dict[str, Any]:
        namespace = query.get("namespace", [""])[0]
        prefix = query.get("prefix", [""])[0]
        limit = int(query.get("limit", ["100"])[0])
        start = int(query.get("paginationToken", ["0"])[0])
        ids = sorted(i for i in self.records(namespace, index=index) if i.startswith(prefix))
        page = ids[start : start + limit]
        answer: dict[str, Any] = {"vectors": [{"id": i} for i in page], "namespace": namespace,
                                  "usage": {"readUnits": 1}}  # fmt: skip
        if start + limit < len(ids):
            answer["pagination"] = {"next": str(start + limit)}
        return answer

    def _handler(self, index: str) -> type[BaseHTTPRequestHandler]:
        """Requests of the control plane (`index` empty) or of one index's data plane."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append((self.command, parts.path))
                    fake.index_requests.append((index, self.command, parts.path))
                    if self.headers.get("Api-Key") != fake.api_key:
                        status, answer = 401, {"error": {"code": "UNAUTHENTICATED",
                                                         "message": "Invalid API Key"},
                                               "status": 401}  # fmt: skip
                    else:
                        status, answer = fake.answer(
                            index, self.command, parts.path, parse_qs(parts.query), body
                        )
                payload = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve

        return Handler
