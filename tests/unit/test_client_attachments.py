"""`seteli attachments ...` against a simulated API and storage (httpx.MockTransport): the API keeps
versions and checks completes as the real one does; the storage takes multipart form POSTs to the
presigned URL and serves downloads."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from seteli_client import cli, config
from tests import client_fakes
from tests.factories import client_token as token

API = client_fakes.API
S3 = "http://s3.test"
BASE = "/v1/providers/prv-a/attachments"
PDF = b"%PDF-1.7\n" + b"x" * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 30


problem = client_fakes.problem


class Fake:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, object, dict]] = []
        self.objects: dict[str, bytes] = {}
        self.atts: dict[str, dict] = {}
        self.uploads: list[httpx.Request] = []
        self.n = 0

    def att(self, aid: str, **kw) -> dict:
        a = {"id": aid, "provider_id": "prv-a", "type_id": "trade-register-extract", "name": "Ote", "part_id": None,
             "valid_from": None, "valid_until": None, "status": "ready", "filename": "ote.pdf",
             "content_type": "application/pdf", "sniffed_type": "application/pdf", "size": len(PDF),
             "pending_upload": None, "version": 1, "key": f"k/{aid}/1"}  # fmt: skip
        a.update(kw)
        self.atts[aid] = a
        return a

    def ticket(self, a: dict, n: int) -> dict:
        key = f"k/{a['id']}/{n}"
        a["next_key"] = key
        return {"url": f"{S3}/bucket", "fields": {"key": key, "policy": "p", "Content-Type": a["pending"]["ct"]},
                "expires_at": "2026-06-01T12:15:00Z"}  # fmt: skip

    @staticmethod
    def public(a: dict) -> dict:
        return {k: v for k, v in a.items() if k not in ("key", "next_key", "pending")}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "s3.test":
            return self.storage(request)
        body = json.loads(request.content) if request.content else None
        path, method = request.url.path, request.method
        params = {k: request.url.params.get_list(k) for k in request.url.params}
        self.calls.append((method, path, body, {k: v[0] if len(v) == 1 else v for k, v in params.items()}))
        assert request.headers.get("Authorization", "").startswith("Bearer ")
        if path == BASE and method == "POST":
            self.n += 1
            aid = f"att-{self.n}"
            a = self.att(
                aid,
                status="pending",
                filename=body["filename"],
                size=body["size"],
                key=None,
                type_id=body["type_id"],
                name=body.get("name") or "Tyyppi",
                part_id=body.get("part_id"),
            )
            a["pending"] = {"ct": body["content_type"], "size": body["size"], "filename": body["filename"]}
            return httpx.Response(
                201, json={"attachment": self.public(a), "upload": self.ticket(a, 1), "next_step": "x"}
            )
        if path == BASE and method == "GET":
            items = [self.public(a) for a in self.atts.values()]
            if "part_id" in request.url.params:
                items = [a for a in items if (a["part_id"] or "company") == request.url.params["part_id"]]
            return httpx.Response(200, json={"items": items, "next": None})
        if path == "/v1/providers/prv-a/attachment-requirements":
            return httpx.Response(200, json=self.requirements(request.url.params.get_list("site_id")))
        aid = path.removeprefix(BASE + "/").split("/")[0]
        a = self.atts.get(aid)
        if a is None:
            return problem(404, f"no attachment {aid}")
        if path.endswith("/complete"):
            data = self.objects.get(a.get("next_key", ""))
            if data is None:
                return problem(422, "nothing was uploaded", "file")
            if not data.startswith(a["pending"]["ct"] == "image/png" and b"\x89PNG" or b"%PDF-"):
                del self.objects[a["next_key"]]
                return problem(422, "the file is not a PDF, PNG or JPEG", "file")
            old = a.get("key")
            if old and old != a["next_key"]:
                self.objects.pop(old, None)
            a.update(status="ready", key=a.pop("next_key"), filename=a["pending"]["filename"],
                     size=a["pending"]["size"], pending_upload=None, version=a["version"] + 1)  # fmt: skip
            return httpx.Response(200, json=self.public(a))
        if path.endswith("/replace"):
            if body["version"] != a["version"]:
                return problem(409, "changed meanwhile", "body.version")
            a["pending"] = {"ct": body["content_type"], "size": body["size"], "filename": body["filename"]}
            a["version"] += 1
            a["pending_upload"] = {"filename": body["filename"]}
            return httpx.Response(
                200, json={"attachment": self.public(a), "upload": self.ticket(a, 2), "next_step": "x"}
            )
        if method == "GET":
            out = self.public(a)
            out["download_url"] = f"{S3}/bucket/{a['key']}?X-Amz-Signature=s" if a["status"] == "ready" else None
            return httpx.Response(200, json=out)
        if method == "PATCH":
            if body["version"] != a["version"]:
                return problem(409, "changed meanwhile", "body.version")
            a.update({k: v for k, v in body.items() if k != "version"}, version=a["version"] + 1)
            return httpx.Response(200, json=self.public(a))
        if method == "DELETE":
            if request.url.params.get("version") != str(a["version"]):
                return problem(409, "changed meanwhile", "query.version")
            del self.atts[aid]
            return httpx.Response(204)
        return problem(404, "no route")

    def storage(self, request: httpx.Request) -> httpx.Response:
        assert "Authorization" not in request.headers  # the API's token never goes to storage
        if request.method == "POST":
            self.uploads.append(request)
            ctype = request.headers["Content-Type"]
            assert ctype.startswith("multipart/form-data; boundary=")
            boundary = ctype.split("boundary=")[1].encode()
            fields: dict[str, bytes] = {}
            for part in request.content.split(b"--" + boundary)[1:-1]:
                head, _, data = part.partition(b"\r\n\r\n")
                name = head.split(b'name="')[1].split(b'"')[0].decode()
                fields[name] = data[:-2]
            assert list(fields)[-1] == "file"  # S3 wants the file as the last field
            self.objects[fields["key"].decode()] = fields["file"]
            return httpx.Response(204)
        key = request.url.path.removeprefix("/bucket/")
        if key not in self.objects:
            return httpx.Response(403, text="<Error><Code>AccessDenied</Code></Error>")
        return httpx.Response(200, content=self.objects[key], headers={"Content-Disposition": "attachment"})

    def requirements(self, sites: list[str]) -> dict:
        site = {"site_id": "site-1", "site_name": "Keskusta",
                "requirements": [{"type_id": "self-monitoring-plan", "type_name": "Self-monitoring plan",
                                  "state": "expired", "attachment_ids": ["att-9"], "valid_until": None}]}  # fmt: skip
        return {
            "service_id": "home-care",
            "on": "2026-06-15",
            "complete": False,
            "company": [
                {
                    "type_id": "trade-register-extract",
                    "type_name": "Trade register extract",
                    "state": "ok",
                    "attachment_ids": ["att-1"],
                    "valid_until": None,
                }
            ],  # fmt: skip
            "sites": [site] if not sites or "site-1" in sites else [],
            "missing": [
                {
                    "field": "attachments.site.site-1.self-monitoring-plan",
                    "type_id": "self-monitoring-plan",
                    "site_id": "site-1",
                    "reason": "expired",
                    "message": "Self-monitoring plan for site Keskusta (site-1) has expired",
                }
            ],  # fmt: skip
        }

    def last(self, method: str, suffix: str = "") -> tuple[str, object, dict]:
        call = next(c for c in reversed(self.calls) if c[0] == method and c[1].endswith(suffix))
        return call[1], call[2], call[3]


@pytest.fixture
def fake(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    return Fake()


def run(fake: Fake, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


def test_upload_creates_posts_the_file_and_completes(fake, tmp_path, capsys):
    f = tmp_path / "Kaupparekisteriote.pdf"
    f.write_bytes(PDF)
    args = ["--type", "trade-register-extract", "--part", "site-1", "--valid-until", "2027-01-31", "--name", "Ote"]
    assert run(fake, "attachments", "upload", str(f), *args) == 0
    _, body, _ = fake.last("POST", BASE)
    assert body == {"type_id": "trade-register-extract", "filename": "Kaupparekisteriote.pdf",
                    "content_type": "application/pdf", "size": len(PDF), "name": "Ote", "part_id": "site-1",
                    "valid_until": "2027-01-31"}  # fmt: skip
    assert fake.objects == {"k/att-1/1": PDF}
    assert fake.last("POST", "/complete")[0] == f"{BASE}/att-1/complete"
    out = capsys.readouterr()
    assert "Uploading Kaupparekisteriote.pdf" in out.err and "checking" in out.err
    assert "att-1" in out.out and "ready" in out.out and "site-1" in out.out


def test_upload_refuses_wrong_local_files_before_calling_the_api(fake, tmp_path, capsys):
    html = tmp_path / "ote.pdf"
    html.write_bytes(b"<html><script>alert(1)</script></html>")
    assert run(fake, "attachments", "upload", str(html), "--type", "t") == 2
    assert "not a PDF, PNG or JPEG" in capsys.readouterr().err
    renamed = tmp_path / "kuva.pdf"
    renamed.write_bytes(PNG)
    assert run(fake, "attachments", "upload", str(renamed), "--type", "t") == 2
    assert "rename it" in capsys.readouterr().err
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-" + b"0" * (10 * 1024 * 1024))
    assert run(fake, "attachments", "upload", str(big), "--type", "t") == 2
    assert "at most 10 MB" in capsys.readouterr().err
    assert run(fake, "attachments", "upload", str(tmp_path / "nope.pdf"), "--type", "t") == 2
    assert fake.calls == []


def test_a_refused_file_is_reported_with_the_api_reason(fake, tmp_path, capsys):
    f = tmp_path / "a.png"
    f.write_bytes(PNG)
    fake_ct = fake.__call__

    def lying_storage(request: httpx.Request) -> httpx.Response:  # storage gets something else
        if request.url.host == "s3.test" and request.method == "POST":
            res = fake.storage(request)
            fake.objects = {k: b"MZ\x90\x00" for k in fake.objects}
            return res
        return fake_ct(request)

    assert cli.main(["--api-url", API, "attachments", "upload", str(f), "--type", "t"],
                    transport=httpx.MockTransport(lying_storage)) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "422" in err and "file: the file is not a PDF, PNG or JPEG" in err


def test_list_download_and_show(fake, tmp_path, capsys):
    fake.att("att-7", filename="ote.pdf")
    fake.objects["k/att-7/1"] = PDF
    fake.att("att-8", part_id="site-1", valid_from="2026-01-01", valid_until="2026-12-31")
    assert run(fake, "attachments", "list", "--part", "company") == 0
    out = capsys.readouterr().out
    assert "att-7" in out and "att-8" not in out
    assert fake.last("GET", BASE)[2] == {"part_id": "company"}

    assert run(fake, "attachments", "download", "att-7") == 0
    assert (tmp_path / "ote.pdf").read_bytes() == PDF
    assert run(fake, "attachments", "download", "att-7") == 2  # exists
    assert "--force" in capsys.readouterr().err
    target = tmp_path / "out"
    target.mkdir()
    assert run(fake, "attachments", "download", "att-7", "-o", str(target)) == 0
    assert (target / "ote.pdf").read_bytes() == PDF
    capsys.readouterr()
    assert run(fake, "--json", "attachments", "download", "att-7", "-o", str(tmp_path / "x.pdf")) == 0
    assert json.loads(capsys.readouterr().out)["bytes"] == len(PDF)

    fake.att("att-9", status="pending", key=None)
    assert run(fake, "attachments", "download", "att-9") == 2
    assert "has no file yet" in capsys.readouterr().err
    assert run(fake, "attachments", "show", "att-7") == 0
    assert "Download" in capsys.readouterr().out


def test_replace_sends_the_version_and_completes(fake, tmp_path, capsys):
    fake.att("att-7")
    fake.objects["k/att-7/1"] = PDF
    f = tmp_path / "uusi.png"
    f.write_bytes(PNG)
    assert run(fake, "attachments", "replace", "att-7", str(f)) == 0
    _, body, _ = fake.last("POST", "/replace")
    assert body == {"version": 1, "filename": "uusi.png", "content_type": "image/png", "size": len(PNG)}
    assert fake.objects == {"k/att-7/2": PNG}  # the old file is gone
    assert fake.atts["att-7"]["filename"] == "uusi.png"
    assert "Replaced" in capsys.readouterr().out


def test_update_and_remove_send_the_version_read(fake, capsys):
    fake.att("att-7", version=4)
    assert run(fake, "attachments", "update", "att-7", "--valid-until", "2027-06-30") == 0
    assert fake.last("PATCH")[1] == {"version": 4, "valid_until": "2027-06-30"}
    assert run(fake, "attachments", "update", "att-7", "--clear-valid-until") == 0
    assert fake.last("PATCH")[1] == {"version": 5, "valid_until": None}
    assert run(fake, "attachments", "update", "att-7") == 2
    assert run(fake, "attachments", "remove", "att-7") == 0
    assert fake.last("DELETE")[2] == {"version": "6"}
    assert "att-7" not in fake.atts
    assert "Removed attachment att-7" in capsys.readouterr().out


def test_requirements_show_company_sites_and_missing(fake, capsys):
    assert run(fake, "attachments", "requirements", "--service", "home-care", "--site", "site-1", "--site", "s2") == 0
    assert fake.last("GET", "attachment-requirements")[2] == {"service_id": "home-care", "site_id": ["site-1", "s2"]}
    out = capsys.readouterr().out
    assert "Company level:" in out and "trade-register-extract" in out
    assert "Site Keskusta (site-1):" in out and "expired" in out
    assert "Self-monitoring plan for site Keskusta (site-1) has expired" in out


def test_municipality_user_gives_the_provider(fake, capsys):
    config.save_session(
        config.Session(id_token=token(None, "case_worker"), expires_at=time.time() + 3600, api_url=API, username="x")
    )
    assert run(fake, "attachments", "list") == 2
    assert "--provider" in capsys.readouterr().err
    assert run(fake, "attachments", "list", "--provider", "prv-a") == 0
