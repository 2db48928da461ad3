"""`seteli attachments`: a provider's documents (spec 3.4), uploaded straight to storage.

  seteli attachments upload FILE --type TYPE [--name NAME] [--part PART_ID]
                            [--valid-from YYYY-MM-DD] [--valid-until YYYY-MM-DD]
                                                    add: declare, upload, have it checked
  seteli attachments list [--part PART_ID|company] [--type TYPE]
  seteli attachments show ID                        one attachment (with a download link)
  seteli attachments download ID [-o PATH] [--force]
  seteli attachments update ID [--name NAME] [--valid-from D] [--valid-until D] [--clear-valid-until]
  seteli attachments replace ID FILE                a new file; the old one stays until the new one is checked
  seteli attachments remove ID
  seteli attachments requirements --service SERVICE [--site SITE_ID ...]
                                                    what the service's rulebook requires, what is missing

Files: PDF, PNG or JPEG, at most 10 MB. The provider is your own (from your sign-in) unless
--provider is given (municipality users read any provider's attachments).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import httpx

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _s, _table
from seteli_client.commands._common import provider_flag as _provider_flag
from seteli_client.commands._common import provider_id as _provider_id
from seteli_client.sdk import SeteliError

MAX_BYTES = 10 * 1024 * 1024
TYPES_BY_EXTENSION = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
UPLOAD_TIMEOUT = 300


def _sniff(first: bytes) -> str | None:
    if first.startswith(b"%PDF-"):
        return "application/pdf"
    if first.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if first.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _human(size: Any) -> str:
    try:
        n = float(size)
    except (TypeError, ValueError):
        return "-"
    for unit in ("B", "kB", "MB"):
        if n < 1000 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return "-"  # pragma: no cover


def _local_file(path: str) -> tuple[Path, str, int]:
    """The file, its content type (from its first bytes; the name must agree) and its size."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"no such file: {path}")
    size = p.stat().st_size
    if size == 0:
        raise UsageError(f"{path} is empty")
    if size > MAX_BYTES:
        raise UsageError(f"{path} is {_human(size)}: at most 10 MB can be uploaded")
    with p.open("rb") as fh:
        sniffed = _sniff(fh.read(16))
    by_name = TYPES_BY_EXTENSION.get(p.suffix.lower())
    if sniffed is None:
        raise UsageError(f"{path} is not a PDF, PNG or JPEG file (judging by its first bytes)")
    if by_name != sniffed:
        raise UsageError(f"{path} is a {sniffed} file but its name says otherwise: rename it")
    return p, sniffed, size


def _base(pid: str) -> str:
    return f"/v1/providers/{pid}/attachments"


def _post_file(ctx: Ctx, upload: dict[str, Any], path: Path, content_type: str) -> None:
    """POST the form fields and the file to the presigned URL (no API credentials go there)."""
    url, form = upload.get("url"), upload.get("fields") or {}
    if not url:
        raise SeteliError("the API gave no upload URL")
    try:
        with httpx.Client(timeout=UPLOAD_TIMEOUT, transport=ctx.transport) as http, path.open("rb") as fh:
            res = http.post(url, data=form, files={"file": (path.name, fh, content_type)})
    except httpx.HTTPError as exc:
        raise SeteliError(f"the upload to storage failed: {exc}") from exc
    if not res.is_success:
        raise SeteliError(f"storage refused the upload ({res.status_code}): {res.text.strip()[:300]}")


def _upload_and_complete(ctx: Ctx, api, pid: str, out: dict[str, Any], path: Path, ctype: str, size: int) -> dict:
    att = out.get("attachment") or {}
    _progress(f"Uploading {path.name} ({_human(size)}) ...")
    _post_file(ctx, out.get("upload") or {}, path, ctype)
    _progress("Uploaded; checking the file ...")
    return api.request("POST", f"{_base(pid)}/{att.get('id')}/complete")


def _validity(a: dict[str, Any]) -> str:
    start, end = a.get("valid_from"), a.get("valid_until")
    if not start and not end:
        return "-"
    return f"{_s(start) or '...'} – {_s(end) or '...'}"


def _rows(atts: list[dict[str, Any]]) -> list[str]:
    rows = [
        [
            _s(a.get("id")),
            _s(a.get("type_id")),
            _s(a.get("name")),
            _s(a.get("part_id")) or "company",
            _validity(a),
            _s(a.get("status"))
            + (" (new file pending)" if a.get("pending_upload") and a.get("status") == "ready" else ""),
            f"{_s(a.get('filename'))} ({_human(a.get('size'))})",
        ]
        for a in atts
    ]
    return _table(rows, ["ATTACHMENT", "TYPE", "NAME", "FOR", "VALID", "STATUS", "FILE"])


def _find(api, pid: str, attachment_id: str) -> dict[str, Any]:
    return api.request("GET", f"{_base(pid)}/{attachment_id}")


# ---------------------------------------------------------------- commands


def cmd_upload(ctx: Ctx) -> int:
    a = ctx.args
    path, ctype, size = _local_file(a.file)
    body: dict[str, Any] = {"type_id": a.type, "filename": path.name, "content_type": ctype, "size": size}
    for key, value in (
        ("name", a.name),
        ("part_id", a.part),
        ("valid_from", a.valid_from),
        ("valid_until", a.valid_until),
    ):
        if value is not None:
            body[key] = value
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        out = api.request("POST", _base(pid), json=body)
        _progress(f"Created attachment {_s((out.get('attachment') or {}).get('id'))}.")
        done = _upload_and_complete(ctx, api, pid, out, path, ctype, size)
    ctx.emit(done, "Done: the file was checked and the attachment is ready.\n" + "\n".join(_rows([done])))
    return EXIT_OK


def cmd_list(ctx: Ctx) -> int:
    params = {"part_id": ctx.args.part, "type_id": ctx.args.type}
    with ctx.api(signed_in=True) as api:
        atts = [x for x in api.paginate(_base(_provider_id(ctx, api)), params) if isinstance(x, dict)]
    ctx.emit(atts, "\n".join(_rows(atts)) if atts else "No attachments.")
    return EXIT_OK


def cmd_show(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        att = _find(api, _provider_id(ctx, api), ctx.args.attachment_id)
    lines = _rows([att])
    if att.get("download_url"):
        lines.append(f"\nDownload (valid a few minutes): {att['download_url']}")
    ctx.emit(att, "\n".join(lines))
    return EXIT_OK


def cmd_download(ctx: Ctx) -> int:
    a = ctx.args
    with ctx.api(signed_in=True) as api:
        att = _find(api, _provider_id(ctx, api), a.attachment_id)
    url = att.get("download_url")
    if not url:
        raise UsageError(f"attachment {a.attachment_id} has no file yet (status {_s(att.get('status'))})")
    name = Path(_s(att.get("filename")).replace("\\", "/")).name or f"{a.attachment_id}.bin"
    target = Path(a.output) if a.output else Path(name)
    if target.is_dir():
        target = target / name
    if target.exists() and not a.force:
        raise UsageError(f"{target} exists: give --force to overwrite it, or -o PATH")
    _progress(f"Downloading {name} ({_human(att.get('size'))}) ...")
    try:
        with httpx.Client(timeout=UPLOAD_TIMEOUT, transport=ctx.transport) as http:
            res = http.get(url)
    except httpx.HTTPError as exc:
        raise SeteliError(f"the download failed: {exc}") from exc
    if not res.is_success:
        raise SeteliError(f"storage refused the download ({res.status_code}); the link may have expired: try again")
    target.write_bytes(res.content)
    ctx.emit({"attachment_id": a.attachment_id, "path": str(target), "bytes": len(res.content)}, f"Saved {target}.")
    return EXIT_OK


def cmd_update(ctx: Ctx) -> int:
    a = ctx.args
    body: dict[str, Any] = {}
    for key, value in (("name", a.name), ("valid_from", a.valid_from), ("valid_until", a.valid_until)):
        if value is not None:
            body[key] = value
    if a.clear_valid_until:
        body["valid_until"] = None
    if not body:
        raise UsageError("nothing to change: give --name, --valid-from, --valid-until or --clear-valid-until")
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        att = _find(api, pid, a.attachment_id)
        out = api.request("PATCH", f"{_base(pid)}/{a.attachment_id}", json={"version": att.get("version"), **body})
    ctx.emit(out, "Saved.\n" + "\n".join(_rows([out])))
    return EXIT_OK


def cmd_replace(ctx: Ctx) -> int:
    a = ctx.args
    path, ctype, size = _local_file(a.file)
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        att = _find(api, pid, a.attachment_id)
        body = {"version": att.get("version"), "filename": path.name, "content_type": ctype, "size": size}
        out = api.request("POST", f"{_base(pid)}/{a.attachment_id}/replace", json=body)
        done = _upload_and_complete(ctx, api, pid, out, path, ctype, size)
    ctx.emit(done, "Replaced: the new file was checked; the old one is removed.\n" + "\n".join(_rows([done])))
    return EXIT_OK


def cmd_remove(ctx: Ctx) -> int:
    a = ctx.args
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        att = _find(api, pid, a.attachment_id)
        api.request("DELETE", f"{_base(pid)}/{a.attachment_id}", params={"version": att.get("version")})
    ctx.emit({"removed": a.attachment_id}, f"Removed attachment {a.attachment_id} ({_s(att.get('name'))}).")
    return EXIT_OK


def _req_rows(reqs: list[dict[str, Any]], indent: str) -> list[str]:
    rows = [
        [
            _s(r.get("type_id")),
            _s(r.get("type_name")),
            _s(r.get("state")),
            ", ".join(r.get("attachment_ids") or []) or "-",
        ]
        for r in reqs
    ]
    return _table(rows, ["TYPE", "NAME", "STATE", "ATTACHMENTS"], indent=indent)


def cmd_requirements(ctx: Ctx) -> int:
    a = ctx.args
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        params: dict[str, Any] = {"service_id": a.service}
        if a.site:
            params["site_id"] = a.site
        r = api.request("GET", f"/v1/providers/{pid}/attachment-requirements", params=params)
    lines = [f"Service {_s(r.get('service_id'))}, on {_s(r.get('on'))}:"]
    lines += ["", "Company level:"] + (_req_rows(r.get("company") or [], "  ") if r.get("company") else ["  (none)"])
    for s in r.get("sites") or []:
        lines += ["", f"Site {_s(s.get('site_name'))} ({_s(s.get('site_id'))}):"]
        lines += _req_rows(s.get("requirements") or [], "  ") if s.get("requirements") else ["  (none)"]
    missing = r.get("missing") or []
    if missing:
        lines += ["", f"Missing or not valid ({len(missing)}):"] + [f"  - {_s(m.get('message'))}" for m in missing]
    else:
        lines += ["", "Every mandatory attachment is present and valid."]
    ctx.emit(r, "\n".join(lines))
    return EXIT_OK


# ---------------------------------------------------------------- parser


def _validity_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--valid-from", metavar="YYYY-MM-DD")
    p.add_argument("--valid-until", metavar="YYYY-MM-DD", help="the last day it is valid")


def register(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    groups: dict[str, argparse._SubParsersAction],
) -> None:
    at = sub.add_parser(
        "attachments",
        parents=[common],
        help="a provider's attachments: upload, list, download, replace, remove, requirements",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ats = at.add_subparsers(dest="attachments_command", metavar="SUBCOMMAND", required=True)

    up = ats.add_parser("upload", parents=[common], help="add an attachment: upload a PDF, PNG or JPEG (max 10 MB)")
    up.add_argument("file", metavar="FILE")
    up.add_argument("--type", required=True, metavar="TYPE", help="the attachment type, e.g. trade-register-extract")
    up.add_argument("--name", help="default: the type's name")
    up.add_argument("--part", metavar="PART_ID", help="a site (part) of yours; default: company level")
    _validity_flags(up)
    _provider_flag(up)
    up.set_defaults(func=cmd_upload)

    ls = ats.add_parser("list", parents=[common], help="the attachments")
    ls.add_argument("--part", metavar="PART_ID", help="one part's attachments; `company` for company level")
    ls.add_argument("--type", metavar="TYPE")
    _provider_flag(ls)
    ls.set_defaults(func=cmd_list)

    sh = ats.add_parser("show", parents=[common], help="one attachment, with a download link")
    sh.add_argument("attachment_id", metavar="ID")
    _provider_flag(sh)
    sh.set_defaults(func=cmd_show)

    dl = ats.add_parser("download", parents=[common], help="save an attachment's file")
    dl.add_argument("attachment_id", metavar="ID")
    dl.add_argument("-o", "--output", metavar="PATH", help="a file or a directory (default: its own name here)")
    dl.add_argument("--force", action="store_true", help="overwrite an existing file")
    _provider_flag(dl)
    dl.set_defaults(func=cmd_download)

    ud = ats.add_parser("update", parents=[common], help="change the name or validity")
    ud.add_argument("attachment_id", metavar="ID")
    ud.add_argument("--name")
    _validity_flags(ud)
    ud.add_argument("--clear-valid-until", action="store_true", help="valid until further notice")
    _provider_flag(ud)
    ud.set_defaults(func=cmd_update)

    rp = ats.add_parser("replace", parents=[common], help="replace the file (e.g. an expired certificate)")
    rp.add_argument("attachment_id", metavar="ID")
    rp.add_argument("file", metavar="FILE")
    _provider_flag(rp)
    rp.set_defaults(func=cmd_replace)

    rm = ats.add_parser("remove", parents=[common], help="remove an attachment and its file")
    rm.add_argument("attachment_id", metavar="ID")
    _provider_flag(rm)
    rm.set_defaults(func=cmd_remove)

    rq = ats.add_parser("requirements", parents=[common], help="what a service requires; what is missing or expired")
    rq.add_argument("--service", required=True, metavar="SERVICE_ID")
    rq.add_argument("--site", action="append", metavar="SITE_ID", help="sites to check (repeatable); default: active")
    _provider_flag(rq)
    rq.set_defaults(func=cmd_requirements)
