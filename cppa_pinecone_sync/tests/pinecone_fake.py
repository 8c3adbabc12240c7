"""A loopback Pinecone: the control and data planes of API 2025-10, over a real socket.

Written from Pinecone's published OpenAPI specs (`fixtures/pinecone-api/`, 2025-10):
the routes, request and answer bodies, status codes (201 for an NDJSON upsert of
text), the `rpcStatus` error body, and the `Api-Key` header every call needs. The index
it creates answers on the same server (its `host` is this server's URL). Records live
in memory per namespace. A text search cannot embed, so it scores by shared words
(what the tests need: the right record first); everything else is exact.

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


class FakePinecone:
    def __init__(self, *, api_key: str) -> None:
        self.api_key = api_key
        self.indexes: dict[str, dict[str, Any]] = {}
        self.namespaces: dict[str, dict[str, dict[str, Any]]] = {}
        self.requests: list[tuple[str, str]] = []
        self.failures: list[int] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- test controls --------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1) -> None:
        self.failures.extend([status] * times)

    def records(self, namespace: str) -> dict[str, dict[str, Any]]:
        return self.namespaces.setdefault(namespace, {})

    @contextmanager
    def running(self) -> Iterator[FakePinecone]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    # --- the API ----------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: bytes):
        if path.startswith("/indexes"):
            return self._control(method, path, body)
        if self.failures:
            status = self.failures.pop(0)
            return status, {"code": 8 if status == 429 else 13, "message": f"fake {status}"}
        if method == "POST" and (
            match := re.fullmatch(r"/records/namespaces/([^/]+)/upsert", path)
        ):
            records = self.records(unquote(match[1]))
            for line in body.decode().splitlines():
                if line.strip():
                    record = json.loads(line)
                    records[record.pop("_id", None) or record.pop("id")] = record
            return 201, None
        if method == "POST" and (
            match := re.fullmatch(r"/records/namespaces/([^/]+)/search", path)
        ):
            return 200, self._search(unquote(match[1]), json.loads(body))
        if method == "POST" and path == "/vectors/delete":
            request = json.loads(body)
            records = self.records(request.get("namespace", ""))
            for record_id in request.get("ids", []):
                records.pop(record_id, None)
            return 200, {}
        if method == "GET" and path == "/vectors/list":
            return 200, self._list(query)
        if method == "GET" and path == "/vectors/fetch":
            namespace = query.get("namespace", [""])[0]
            records = self.records(namespace)
            found = {
                i: {"id": i, "values": [0.0], "metadata": records[i]}
                for i in query.get("ids", [])
                if i in records
            }
            return 200, {"vectors": found, "namespace": namespace, "usage": {"readUnits": 1}}
        if method == "POST" and path == "/describe_index_stats":
            counts = {ns: {"vectorCount": len(r)} for ns, r in self.namespaces.items() if r}
            total = sum(c["vectorCount"] for c in counts.values())
            return 200, {"namespaces": counts, "dimension": 1024, "indexFullness": 0.0,
                         "totalVectorCount": total}  # fmt: skip
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
            embed = request["embed"]
            index = {
                "name": request["name"],
                "dimension": 1024,
                "metric": embed.get("metric", "cosine"),
                "host": self.url,
                "spec": {"serverless": {"cloud": request["cloud"], "region": request["region"]}},
                "status": {"ready": True, "state": "Ready"},
                "vector_type": "dense",
                "deletion_protection": "disabled",
                "embed": {"model": embed["model"], "field_map": embed["field_map"],
                          "metric": "cosine", "dimension": 1024, "vector_type": "dense"},
            }  # fmt: skip
            self.indexes[request["name"]] = index
            return 201, index
        return 404, {"error": {"code": "NOT_FOUND", "message": path}, "status": 404}

    def _search(self, namespace: str, request: dict[str, Any]) -> dict[str, Any]:
        query = request["query"]
        words = set(WORD.findall(query["inputs"]["text"].lower()))
        wanted = request.get("fields")
        conditions = query.get("filter") or {}
        hits = []
        for record_id, fields in self.records(namespace).items():
            if any(fields.get(k) != c.get("$eq") for k, c in conditions.items()):
                continue
            text = f"{fields.get('title', '')} {fields.get('chunk_text', '')}".lower()
            score = len(words & set(WORD.findall(text))) / max(len(words), 1)
            if score > 0:
                shown = {
                    k: v for k, v in fields.items() if not wanted or "*" in wanted or k in wanted
                }
                hits.append({"_id": record_id, "_score": score, "fields": shown})
        hits.sort(key=lambda h: (-h["_score"], h["_id"]))
        return {"result": {"hits": hits[: query.get("top_k", 10)]},
                "usage": {"read_units": 1, "embed_total_tokens": len(words)}}  # fmt: skip

    def _list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        namespace = query.get("namespace", [""])[0]
        prefix = query.get("prefix", [""])[0]
        limit = int(query.get("limit", ["100"])[0])
        start = int(query.get("paginationToken", ["0"])[0])
        ids = sorted(i for i in self.records(namespace) if i.startswith(prefix))
        page = ids[start : start + limit]
        answer: dict[str, Any] = {"vectors": [{"id": i} for i in page], "namespace": namespace,
                                  "usage": {"readUnits": 1}}  # fmt: skip
        if start + limit < len(ids):
            answer["pagination"] = {"next": str(start + limit)}
        return answer

    def _handler(self) -> type[BaseHTTPRequestHandler]:
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
                    if self.headers.get("Api-Key") != fake.api_key:
                        status, answer = 401, {"error": {"code": "UNAUTHENTICATED",
                                                         "message": "Invalid API Key"},
                                               "status": 401}  # fmt: skip
                    else:
                        status, answer = fake.answer(
                            self.command, parts.path, parse_qs(parts.query), body
                        )
                payload = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve

        return Handler
