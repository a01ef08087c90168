"""A small HTTP server in a thread, for the fakes of the work platforms."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from html import escape
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class Request:
    def __init__(self, environ: dict[str, Any]) -> None:
        self.method = environ["REQUEST_METHOD"]
        self.path = environ.get("PATH_INFO", "")
        self.query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.headers = {
            k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body = environ["wsgi.input"].read(length) if length else b""

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8") or "{}")


Answer = tuple[int, Any]  # status and a JSON-able body, or a str of HTML


class FakeServer:
    """Routes (method, path) to handlers answering (status, JSON or HTML)."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Callable[[Request], Answer]] = {}
        self.calls: list[tuple[str, str]] = []
        self.httpd = make_server(
            "127.0.0.1", 0, self._app, server_class=_Server, handler_class=_Quiet
        )
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request = Request(environ)
        self.calls.append((request.method, request.path))
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            status, body = 404, {"errcode": 404, "errmsg": "not found"}
        else:
            status, body = handler(request)
        if isinstance(body, str):
            data, kind = body.encode("utf-8"), "text/html; charset=utf-8"
        else:
            data, kind = json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json"
        start_response(f"{status} X", [("Content-Type", kind), ("Content-Length", str(len(data)))])
        return [data]


def chooser_page(
    title: str,
    people: dict[str, str],
    redirect_uri: str,
    state: str,
    code_for: Callable[[str], str],
) -> str:
    """The platform's sign-in page, as a test sees it: one link per person."""
    links = ""
    for uid, name in people.items():
        query = escape(urlencode({"code": code_for(uid), "state": state}))
        href = f"{escape(redirect_uri)}?{query}"
        links += f'<li><a href="{href}">{escape(name)}（{escape(uid)}）</a></li>'
    head = f'<head><meta charset="utf-8"><title>{escape(title)}</title></head>'
    body = f"<main><h1>{escape(title)}</h1><p>请选择确认登录的成员</p><ul>{links}</ul></main>"
    return f'<!DOCTYPE html><html lang="zh-CN">{head}<body>{body}</body></html>'
