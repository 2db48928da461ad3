"""Threaded HTTP servers on 127.0.0.1: the API (any WSGI app, normally the gateway) and the site.

- TCP_NODELAY on every accepted socket: without it a response written in pieces waits for the
  client's delayed ACK and every request stalls ~40 ms.
- HTTP/1.1 keep-alive, each response written in one piece.
- One short line per request (method, path, status, milliseconds); personal identity codes in a
  path are masked and query strings are never logged.
"""

from __future__ import annotations

import html
import io
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

# Finnish personal identity code (henkilötunnus): DDMMYY, century sign, individual number, check.
_HETU = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]", re.IGNORECASE)


def redact(path: str) -> str:
    return _HETU.sub("******-****", path)


class _NoDelayMixin:
    def get_request(self):
        conn, addr = super().get_request()  # type: ignore[misc]
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


class ThreadingWSGIServer(_NoDelayMixin, ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    verbose = True
    log: Callable[[str], None] | None = None


def _read_chunked(rfile) -> bytes:
    out = io.BytesIO()
    while True:
        size = int(rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return out.getvalue()
        out.write(rfile.read(size))
        rfile.readline(65537)


class _ApiHandler(WSGIRequestHandler):
    """WSGI over HTTP/1.1 with keep-alive (wsgiref's own handler serves one request per connection)."""

    protocol_version = "HTTP/1.1"
    timeout = 120  # an idle keep-alive connection is closed after this

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.handle_one_request()

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (TimeoutError, ConnectionError, OSError):
            self.close_connection = True
            return
        started = time.perf_counter()
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        environ = self.get_environ()
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = _read_chunked(self.rfile)
            environ["CONTENT_LENGTH"] = str(len(body))
            stream = io.BytesIO(body)
        else:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            stream = io.BytesIO(self.rfile.read(length)) if length else io.BytesIO()
        environ.update(
            {
                "wsgi.input": stream,
                "wsgi.errors": sys.stderr,
                "wsgi.version": (1, 0),
                "wsgi.url_scheme": "http",
                "wsgi.multithread": True,
                "wsgi.multiprocess": False,
                "wsgi.run_once": False,
                "local.headers": list(self.headers.items()),
            }
        )
        state: dict = {}

        def start_response(status, headers, exc_info=None):
            state["status"], state["headers"] = status, headers
            return lambda data: state.setdefault("early", []).append(data)

        try:
            chunks = self.server.get_app()(environ, start_response)
            try:
                body = b"".join([*state.get("early", []), *chunks])
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        except Exception:  # noqa: BLE001 - the app itself broke: a plain 500, the traceback on stderr
            traceback.print_exc()
            state = {"status": "500 Internal Server Error", "headers": [("Content-Type", "text/plain")]}
            body = b"internal error in the local server"
        headers = [(k, v) for k, v in state["headers"] if k.lower() not in ("content-length", "connection")]
        if self.command == "HEAD":
            length = next((v for k, v in state["headers"] if k.lower() == "content-length"), str(len(body)))
            body = b""
        else:
            length = str(len(body))
        lines = [f"HTTP/1.1 {state['status']}", *(f"{k}: {v}" for k, v in headers), f"Content-Length: {length}"]
        if self.close_connection:
            lines.append("Connection: close")
        try:
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        except (ConnectionError, OSError):
            self.close_connection = True
            return
        if getattr(self.server, "verbose", True):
            ms = (time.perf_counter() - started) * 1000
            line = f"{self.command} {redact(self.path.split('?')[0])} {state['status'].split(' ')[0]} {ms:.0f} ms"
            (getattr(self.server, "log", None) or (lambda s: sys.stderr.write(f"  {s}\n")))(line)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - errors only (send_error)
        if getattr(self.server, "verbose", True):
            sys.stderr.write(f"  {redact(format % args)}\n")


def serve_api(
    app, port: int, verbose: bool = True, log: Callable[[str], None] | None = None
) -> tuple[ThreadingWSGIServer, threading.Thread]:
    """Serve the WSGI ``app`` on 127.0.0.1:``port`` (0: any free port) in a background thread.

    The local mail viewer's routes (``/_local/mail``, ``/_local/mail.json``: see local/mail.py) are
    answered next to the app."""
    from local.mail import with_mail

    server = ThreadingWSGIServer(("127.0.0.1", port), _ApiHandler)
    server.set_app(with_mail(app))
    server.verbose = verbose
    server.log = log
    thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
    thread.start()
    return server, thread


# ---------------------------------------------------------------- the static site


class _NoDelayHTTPServer(_NoDelayMixin, ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def placeholder_page(title: str, services: list[str], api_url: str | None = None) -> str:
    """What the site shows before the site generator has written anything."""
    items = "\n".join(f"<li>{html.escape(s)}</li>" for s in services)
    api = f'<p>API: <a href="{html.escape(api_url)}/v1/docs">{html.escape(api_url)}/v1/docs</a></p>' if api_url else ""
    return f"""<!doctype html>
<html lang="fi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}: palvelusetelit</title></head>
<body><main>
<h1>{html.escape(title)}: palvelusetelipalvelut</h1>
<p>Vertailusivusto rakennetaan tähän hakemistoon; sitä odotellessa palvelut:</p>
<ul>
{items}
</ul>
{api}
</main></body></html>
"""
