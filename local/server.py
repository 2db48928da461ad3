"""Threaded HTTP servers on 127.0.0.1: the API (WSGI) and the static site.

TCP_NODELAY is set on every accepted socket: without it, small responses wait for the client's
delayed ACK and every request stalls ~44 ms.
"""

from __future__ import annotations

import functools
import socket
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _NoDelayMixin:
    def get_request(self):
        conn, addr = super().get_request()  # type: ignore[misc]
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


class ThreadingWSGIServer(_NoDelayMixin, ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        sys.stderr.write(f"  {self.command} {self.path.split('?')[0]} -> {args[1] if len(args) > 1 else ''}\n")

    def log_request(self, code="-", size="-") -> None:
        if getattr(self.server, "verbose", True):
            self.log_message("%s %s %s", self.requestline, str(code), str(size))


class _SiteHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


class _NoDelayHTTPServer(_NoDelayMixin, ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve_api(app, port: int, verbose: bool = True) -> tuple[ThreadingWSGIServer, threading.Thread]:
    server = make_server("127.0.0.1", port, app, server_class=ThreadingWSGIServer, handler_class=_QuietHandler)
    server.verbose = verbose
    thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
    thread.start()
    return server, thread


def serve_site(directory: Path, port: int) -> tuple[_NoDelayHTTPServer, threading.Thread]:
    handler = functools.partial(_SiteHandler, directory=str(directory))
    server = _NoDelayHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="site", daemon=True)
    thread.start()
    return server, thread
