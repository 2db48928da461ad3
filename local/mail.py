"""The local mail viewer: the emails the stack "sent" through SES, as moto captured them.

Locally SES is moto's: nothing leaves the machine, every message is kept in moto's SES backend
(``ses_backends[account][region].sent_messages``). The local API server answers

- ``GET /_local/mail``: a small HTML page, newest first (attachments by name and type);
- ``GET /_local/mail.json[?last=N]``: the same as JSON (``seteli mail`` reads it).

Only the local runtime serves these paths (127.0.0.1); the deployed API has no such route.
"""

from __future__ import annotations

import email
import email.policy
import html
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

REGION = "eu-north-1"
ACCOUNT_ID = "123456789012"  # moto's default account (local.emulator)
PATHS = ("/_local/mail", "/_local/mail/", "/_local/mail.json")


def _addresses(destinations: Any) -> list[str]:
    if isinstance(destinations, dict):
        return [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(key) or []]
    if isinstance(destinations, list | tuple):
        return [str(a) for a in destinations]
    return []


def _message(n: int, m: Any) -> dict[str, Any]:
    """One captured message as a dict (plain, raw or templated sends)."""
    out: dict[str, Any] = {"n": n, "id": getattr(m, "id", None), "from": getattr(m, "source", None)}
    out["attachments"] = []
    out["to"] = _addresses(getattr(m, "destinations", None))
    if hasattr(m, "raw_data"):
        parsed = email.message_from_string(m.raw_data, policy=email.policy.default)
        part = parsed.get_body(preferencelist=("plain", "html"))
        out.update(subject=str(parsed.get("Subject") or ""), text=part.get_content() if part is not None else "")
        out["to"] = out["to"] or [str(a) for a in (parsed.get_all("To") or [])]
        out["attachments"] = [
            {"filename": part.get_filename(), "content_type": part.get_content_type()}
            for part in parsed.iter_attachments()
        ]
    elif hasattr(m, "template"):
        out.update(subject=f"(template {m.template})", text=str(getattr(m, "template_data", "")))
    else:
        out.update(subject=str(getattr(m, "subject", "") or ""), text=str(getattr(m, "body", "") or ""))
    return out


def messages(region: str = REGION, account_id: str = ACCOUNT_ID, last: int | None = None) -> list[dict[str, Any]]:
    """The captured messages, newest first (``last``: at most that many)."""
    try:
        from moto.ses.models import ses_backends
    except ImportError:  # pragma: no cover - moto is a dev dependency of the local runtime
        return []
    sent = list(ses_backends[account_id][region].sent_messages)
    out = [_message(n, m) for n, m in enumerate(sent, 1)]
    out.reverse()
    return out[:last] if last else out


def _attachments(m: dict[str, Any]) -> str:
    """The attachments' names and types (the content stays in moto; the viewer only names them)."""
    names = [
        f"{html.escape(str(a.get('filename') or '(no name)'))} ({html.escape(str(a.get('content_type') or ''))})"
        for a in m.get("attachments") or []
    ]
    return f"\n<p><b>Attachments</b> {', '.join(names)}</p>" if names else ""


def page(items: Iterable[dict[str, Any]]) -> str:
    """The HTML page: every value escaped (messages hold names, emails and one-time passwords)."""
    rows = []
    for m in items:
        e = html.escape
        rows.append(
            f"""<article>
<h2>#{m["n"]} {e(m.get("subject") or "(no subject)")}</h2>
<p><b>To</b> {e(", ".join(m.get("to") or []))} &nbsp; <b>From</b> {e(str(m.get("from") or ""))}</p>
<pre>{e(m.get("text") or "")}</pre>{_attachments(m)}
</article>"""
        )
    body = "\n".join(rows) or "<p>No emails yet.</p>"
    return f"""<!doctype html>
<html lang="fi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Seteli: local mail</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem}}
article{{border-top:1px solid #ccc;padding:.5rem 0}}
pre{{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}}</style>
</head><body><main>
<h1>Local mail (SES in the emulator), newest first</h1>
<p>Nothing here left this machine. JSON: <a href="/_local/mail.json">/_local/mail.json</a></p>
{body}
</main></body></html>
"""


def _last(query: str) -> int | None:
    values = parse_qs(query or "").get("last")
    try:
        n = int(values[0]) if values else None
    except ValueError:
        return None
    return n if n and n > 0 else None


def respond(path: str, query: str = "", region: str = REGION) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status, headers, body) for one of ``PATHS``."""
    items = messages(region, last=_last(query))
    if path.endswith(".json"):
        data = json.dumps({"items": items, "count": len(items)}, ensure_ascii=False).encode("utf-8")
        ctype = "application/json"
    else:
        data = page(items).encode("utf-8")
        ctype = "text/html; charset=utf-8"
    return "200 OK", [("Content-Type", ctype), ("Cache-Control", "no-store")], data


def with_mail(app: Callable, region: str = REGION) -> Callable:
    """Wrap a WSGI ``app`` so that it also answers the mail viewer's paths (GET only)."""

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO") or ""
        if path in PATHS and environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD"):
            status, headers, body = respond(path, environ.get("QUERY_STRING") or "", region)
            start_response(status, headers)
            return [body]
        return app(environ, start_response)

    wrapped.__wrapped__ = app  # type: ignore[attr-defined]
    return wrapped
