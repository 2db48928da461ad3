"""The comparison site locally, as on AWS: the publisher Lambda writes builds into the (emulated)
site bucket and flips the pointer; this server resolves every path through the pointer, as the
CloudFront function does with its KeyValueStore, and reads the file from the bucket.

The watcher stands in for the table's stream (moto does not emulate DynamoDB Streams): every
``interval`` seconds it invokes the publisher with ``{"job": "site-changes"}``, which refreshes
every provider's entries and publishes only when something the public sees changed. So a price
list approved, an application decided or an availability told through the API shows on the site
within a couple of seconds, as on AWS. The first run is a full build.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from local.server import _NoDelayHTTPServer

log = logging.getLogger("local")


def resolve_path(url_path: str) -> str | None:
    """The site path of a request (``/fi/home-care/`` -> ``fi/home-care/index.html``); None if bad."""
    path = unquote(urlsplit(url_path).path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    if ".." in path.split("/") or "\\" in path:
        return None
    return path


class _PointerSiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    read: Callable[[str], tuple[bytes, str] | None]
    placeholder: Callable[[], str] | None = None

    def _send(self, status: int, body: bytes, ctype: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")  # the publisher may flip any time
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        path = resolve_path(self.path)
        if path is None:
            self._send(400, b"bad path", "text/plain; charset=utf-8", head)
            return
        found = self.read(path)
        if found is None and path == "index.html" and self.placeholder:
            self._send(200, self.placeholder().encode(), "text/html; charset=utf-8", head)
            return
        if found is None and "." not in path.rsplit("/", 1)[-1]:  # /fi -> /fi/
            self.send_response(301)
            self.send_header("Location", "/" + path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if found is None:
            self._send(404, b"<!doctype html><title>404</title><p>Sivua ei ole. / Not found.", "text/html", head)
            return
        body, ctype = found
        self._send(200, body, ctype, head)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


def bucket_reader(lock) -> Callable[[str], tuple[bytes, str] | None]:
    """Read a path of the live build: the pointer (GetItem) and the file (GetObject), under the
    gateway's lock (the in-process emulator is not thread-safe)."""
    from seteli.adapters.site_store import S3SiteFiles, content_type
    from seteli.config import settings
    from seteli.store import repositories

    def read(path: str) -> tuple[bytes, str] | None:
        s = settings()
        with lock:
            pointer = repositories().comparison.pointer()
            if pointer is None or not s.site_bucket:
                return None
            data = S3SiteFiles(s.site_bucket, s.region, workers=1).get(pointer.build_of(path), path)
        return (data, content_type(path)) if data is not None else None

    return read


def serve_pointer_site(
    port: int, read: Callable[[str], tuple[bytes, str] | None], placeholder: Callable[[], str] | None = None
):
    """Serve the site on 127.0.0.1:``port``: ``read(path)`` gives a live file (``bucket_reader``),
    ``placeholder()`` the front page while nothing is published."""
    handler = type(
        "SiteHandler",
        (_PointerSiteHandler,),
        {"read": staticmethod(read), "placeholder": staticmethod(placeholder) if placeholder else None},
    )
    server = _NoDelayHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="site", daemon=True)
    thread.start()
    return server, thread


class SiteWatcher:
    """Publish what changed every ``interval`` seconds (the first time: a full build)."""

    def __init__(self, gateway, interval: float = 2.0) -> None:
        self.gateway = gateway
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="site-watcher", daemon=True)
        self.last: dict | None = None

    def start(self) -> SiteWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def publish(self, job: str) -> dict:
        result = self.gateway.invoke("SitePublisherFunction", {"job": job})
        self.last = result
        if result.get("mode") not in (None, "unchanged"):
            log.info(
                "site published (%s): %s files, services %s",
                result.get("mode"),
                result.get("files"),
                ", ".join(result.get("services", [])),
            )
        return result

    def _run(self) -> None:
        try:
            self.publish("site")
        except Exception:  # noqa: BLE001 - keep the API running; say why the site is not there
            log.exception("the comparison site could not be built")
        while not self._stop.wait(self.interval):
            try:
                self.publish("site-changes")
            except Exception:  # noqa: BLE001
                log.exception("the comparison site could not be published")
