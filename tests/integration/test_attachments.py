"""Attachments through the providers handler on moto: presigned uploads POSTed over HTTP to moto's
server (which shares its state with the in-process mock, as the local runtime does), the file checks,
replace and remove, access, versions, and what a service's rulebook requires."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.factories import new_provider, provider_claims
from tests.integration.apigw import call, event

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60


@pytest.fixture(scope="module")
def s3_endpoint(stack):
    """moto's HTTP server (state shared with the in-process mock): presigned URLs are real URLs."""
    from moto.server import ThreadedMotoServer

    for noisy in ("werkzeug", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(stack, s3_endpoint):
    from seteli.adapters.files import S3Files, use_files
    from seteli.config import settings

    port = S3Files(stack.attachments_bucket, settings().region, s3_endpoint)
    use_files(port)
    yield port
    use_files(None)


@pytest.fixture
def prov(stack):
    from seteli.store import repositories

    return new_provider(repositories(), sites=2)


def base(pid: str) -> str:
    return f"/v1/providers/{pid}/attachments"


def new_body(**kw) -> dict:
    body = {"type_id": "trade-register-extract", "filename": "ote.pdf", "content_type": "application/pdf"}
    body.update(kw)
    return body


def create(fn, pid, claims, payload: bytes = PDF, **kw):
    body = new_body(size=len(payload), **kw)
    return call(fn("providers"), event("POST", base(pid), body=body, claims=claims))


def post_file(upload: dict, payload: bytes, filename: str = "ote.pdf") -> httpx.Response:
    ctype = upload["fields"].get("Content-Type", "application/octet-stream")
    return httpx.post(upload["url"], data=upload["fields"], files={"file": (filename, payload, ctype)}, timeout=10)


def complete(fn, pid, aid, claims):
    return call(fn("providers"), event("POST", f"{base(pid)}/{aid}/complete", claims=claims))


def upload(fn, pid, claims, payload: bytes = PDF, **kw) -> dict:
    """create -> POST the file -> complete; returns the ready attachment."""
    status, _, out = create(fn, pid, claims, payload, **kw)
    assert status == 201, out
    assert post_file(out["upload"], payload).status_code in (200, 201, 204)
    status, _, att = complete(fn, pid, out["attachment"]["id"], claims)
    assert status == 200, att
    return att


def test_full_upload_flow_and_download(fn, bucket, prov):
    pid, sites = prov
    me = provider_claims(pid, "provider_user")
    status, headers, out = create(fn, pid, me, name="Kaupparekisteriote 2026", valid_from="2026-01-01")
    assert status == 201, out
    att, up = out["attachment"], out["upload"]
    assert att["status"] == "pending" and att["pending_upload"]["size"] == len(PDF)
    assert headers["location"].endswith(att["id"])
    assert up["fields"]["key"] == f"attachments/{pid}/{att['id']}/1"
    assert up["fields"]["Content-Type"] == "application/pdf"
    assert "policy" in up["fields"] and up["url"].startswith("http://127.0.0.1")

    # before the file is there: a 422 naming the file
    status, _, problem = complete(fn, pid, att["id"], me)
    assert status == 422 and problem["errors"][0]["field"] == "file"

    assert post_file(up, PDF).status_code in (200, 201, 204)
    status, _, done = complete(fn, pid, att["id"], me)
    assert status == 200, done
    assert done["status"] == "ready" and done["sniffed_type"] == "application/pdf" and done["size"] == len(PDF)
    assert done["pending_upload"] is None and done["uploaded_by"] == me["sub"]
    assert done["version"] == att["version"] + 1

    # completing twice: nothing is waiting any more
    assert complete(fn, pid, att["id"], me)[0] == 409

    status, _, got = call(fn("providers"), event("GET", f"{base(pid)}/{att['id']}", claims=me))
    assert status == 200 and got["download_url"]
    query = parse_qs(urlparse(got["download_url"]).query)
    assert query["response-content-disposition"] == ['attachment; filename="ote.pdf"']
    assert query["response-content-type"] == ["application/pdf"]
    res = httpx.get(got["download_url"], timeout=10)
    assert res.status_code == 200 and res.content == PDF
    assert res.headers["content-disposition"].startswith("attachment;")
    assert res.headers["content-type"] == "application/pdf"

    # the municipality reads it too; the list filters by part and type
    status, _, listed = call(fn("providers"), event("GET", base(pid), as_group="case_worker"))
    assert status == 200 and [a["id"] for a in listed["items"]] == [att["id"]]
    assert "download_url" not in listed["items"][0] or listed["items"][0]["download_url"] is None
    q = {"part_id": "company", "type_id": "trade-register-extract"}
    assert len(call(fn("providers"), event("GET", base(pid), query=q, claims=me))[2]["items"]) == 1
    q = {"part_id": sites[0]}
    assert call(fn("providers"), event("GET", base(pid), query=q, claims=me))[2]["items"] == []


def test_non_ascii_name_downloads_with_rfc6266_filename(fn, bucket, prov):
    pid, sites = prov
    me = provider_claims(pid)
    att = upload(fn, pid, me, PNG, filename="Työeläke todistus.png", content_type="image/png", part_id=sites[0])
    assert att["part_id"] == sites[0] and att["sniffed_type"] == "image/png"
    got = call(fn("providers"), event("GET", f"{base(pid)}/{att['id']}", claims=me))[2]
    res = httpx.get(got["download_url"], timeout=10)
    assert res.status_code == 200
    disposition = parse_qs(urlparse(got["download_url"]).query)["response-content-disposition"][0]
    assert (
        disposition
        == "attachment; filename=\"Tyoelake todistus.png\"; filename*=UTF-8''Ty%C3%B6el%C3%A4ke%20todistus.png"
    )


@pytest.mark.parametrize("payload", [HTML, EXE], ids=["html", "exe"])
def test_wrong_file_declared_as_pdf_is_refused_and_deleted(fn, bucket, prov, payload):
    pid, _ = prov
    me = provider_claims(pid)
    status, _, out = create(fn, pid, me, payload)
    assert status == 201
    assert post_file(out["upload"], payload).status_code in (200, 201, 204)
    key = out["upload"]["fields"]["key"]
    assert bucket.head(key) == len(payload)
    status, _, problem = complete(fn, pid, out["attachment"]["id"], me)
    assert status == 422, problem
    assert problem["errors"] == [
        {"field": "file", "message": "the file is not a PDF, PNG or JPEG (its first bytes show no such file)"}
    ]
    assert "deleted" in problem["detail"]
    assert bucket.head(key) is None
    got = call(fn("providers"), event("GET", f"{base(pid)}/{out['attachment']['id']}", claims=me))[2]
    assert got["status"] == "pending" and got["download_url"] is None


def test_png_declared_as_pdf_and_size_mismatch_are_refused(fn, bucket, prov):
    pid, _ = prov
    me = provider_claims(pid)
    status, _, out = create(fn, pid, me, PNG)  # declared application/pdf, ote.pdf
    post_file(out["upload"], PNG)
    status, _, problem = complete(fn, pid, out["attachment"]["id"], me)
    assert status == 422 and problem["errors"][0]["message"] == "the file is a PNG image, not a PDF"

    # moto does not enforce the policy's content-length-range (S3 does): complete checks the size again
    status, _, out = create(fn, pid, me, PDF)
    post_file(out["upload"], PDF + b"x" * 100)
    status, _, problem = complete(fn, pid, out["attachment"]["id"], me)
    assert status == 422 and "not the" in problem["errors"][0]["message"]
    assert bucket.head(out["upload"]["fields"]["key"]) is None


def test_declared_file_is_checked_before_anything_is_written(fn, bucket, prov):
    pid, sites = prov
    me = provider_claims(pid)
    cases = [
        ({"size": 10 * 1024 * 1024 + 1}, "body.size"),
        ({"size": 0}, "body.size"),
        ({"size": 10, "content_type": "text/html", "filename": "x.html"}, "body.content_type"),
        ({"size": 10, "filename": "setup.exe"}, "body.filename"),
        ({"size": 10, "type_id": "no-such-type"}, "body.type_id"),
        ({"size": 10, "part_id": "site-of-someone-else"}, "body.part_id"),
        ({"size": 10, "valid_from": "2026-05-01", "valid_until": "2026-04-30"}, "body.valid_until"),
        ({"size": 10, "valid_from": "1.5.2026"}, "body.valid_from"),
    ]
    for change, field in cases:
        status, _, problem = call(fn("providers"), event("POST", base(pid), body=new_body(**change), claims=me))
        assert status == 422, (change, problem)
        assert field in [e["field"] for e in problem["errors"]], (change, problem)
    assert call(fn("providers"), event("GET", base(pid), claims=me))[2]["items"] == []
    # a site of the provider is fine
    assert create(fn, pid, me, PDF, part_id=sites[1])[0] == 201


def test_another_provider_and_wrong_roles_get_403(fn, bucket, prov):
    pid, _ = prov
    att = upload(fn, pid, provider_claims(pid))
    from seteli.store import repositories

    other_pid, _ = new_provider(repositories())
    other = provider_claims(other_pid)
    aid = att["id"]
    requests = [
        ("GET", base(pid), None, None),
        ("GET", f"{base(pid)}/{aid}", None, None),
        ("POST", base(pid), new_body(size=10), None),
        ("POST", f"{base(pid)}/{aid}/complete", None, None),
        ("PATCH", f"{base(pid)}/{aid}", {"version": att["version"], "name": "x"}, None),
        ("POST", f"{base(pid)}/{aid}/replace", {"version": att["version"], "filename": "a.pdf",
                                                 "content_type": "application/pdf", "size": 10}, None),
        ("DELETE", f"{base(pid)}/{aid}", None, {"version": str(att["version"])}),
        ("GET", f"/v1/providers/{pid}/attachment-requirements", None, {"service_id": "home-care"}),
    ]  # fmt: skip
    for method, path, body, query in requests:
        status, _, problem = call(fn("providers"), event(method, path, body=body, query=query, claims=other))
        assert status == 403, (method, path, problem)
        # another provider's missing attachment: 403 too (nothing is revealed)
        missing = path.replace(aid, "att-000000000000")
        assert call(fn("providers"), event(method, missing, body=body, query=query, claims=other))[0] == 403
        status, _, _ = call(fn("providers"), event(method, path, body=body, query=query, as_group="citizen"))
        assert status == 403
    for method, path, body, query in requests[2:7]:  # municipality users read, never write
        status, _, _ = call(fn("providers"), event(method, path, body=body, query=query, as_group="municipality_admin"))
        assert status == 403, (method, path)
    status, _, got = call(fn("providers"), event("GET", f"{base(pid)}/{aid}", as_group="municipality_admin"))
    assert status == 200 and got["download_url"]


def test_stale_versions_are_409_and_patch_changes_validity(fn, bucket, prov):
    pid, _ = prov
    me = provider_claims(pid)
    att = upload(fn, pid, me, valid_until="2027-12-31")
    path = f"{base(pid)}/{att['id']}"
    status, _, changed = call(
        fn("providers"), event("PATCH", path, body={"version": att["version"], "name": "Uusi ote"}, claims=me)
    )
    assert status == 200 and changed["name"] == "Uusi ote" and changed["version"] == att["version"] + 1
    status, _, problem = call(
        fn("providers"), event("PATCH", path, body={"version": att["version"], "name": "Vanha"}, claims=me)
    )
    assert status == 409 and problem["errors"][0]["field"] == "body.version"
    body = {"version": att["version"], "filename": "b.pdf", "content_type": "application/pdf", "size": 20}
    assert call(fn("providers"), event("POST", f"{path}/replace", body=body, claims=me))[0] == 409
    status, _, problem = call(fn("providers"), event("DELETE", path, query={"version": str(att["version"])}, claims=me))
    assert status == 409 and problem["errors"][0]["field"] == "query.version"

    v = changed["version"]
    bad = {"version": v, "valid_from": "2028-01-01"}  # after valid_until
    status, _, problem = call(fn("providers"), event("PATCH", path, body=bad, claims=me))
    assert status == 422 and problem["errors"][0]["field"] == "body.valid_until"
    status, _, cleared = call(
        fn("providers"), event("PATCH", path, body={"version": v, "valid_until": None}, claims=me)
    )
    assert status == 200 and cleared["valid_until"] is None


def test_replace_keeps_the_old_file_until_the_new_one_is_complete_then_remove(fn, bucket, prov):
    pid, _ = prov
    me = provider_claims(pid)
    att = upload(fn, pid, me)
    old_key = f"attachments/{pid}/{att['id']}/1"
    new_pdf = PDF + b"% version 2\n"
    body = {"version": att["version"], "filename": "ote-2027.pdf", "content_type": "application/pdf",
            "size": len(new_pdf)}  # fmt: skip
    status, _, out = call(fn("providers"), event("POST", f"{base(pid)}/{att['id']}/replace", body=body, claims=me))
    assert status == 200, out
    assert out["upload"]["fields"]["key"] == f"attachments/{pid}/{att['id']}/2"
    mid = out["attachment"]
    assert (
        mid["status"] == "ready"
        and mid["filename"] == "ote.pdf"
        and mid["pending_upload"]["filename"] == "ote-2027.pdf"
    )
    got = call(fn("providers"), event("GET", f"{base(pid)}/{att['id']}", claims=me))[2]
    assert httpx.get(got["download_url"], timeout=10).content == PDF  # still the old file

    post_file(out["upload"], new_pdf, "ote-2027.pdf")
    status, _, done = complete(fn, pid, att["id"], me)
    assert status == 200 and done["filename"] == "ote-2027.pdf" and done["replaced_at"]
    assert bucket.head(old_key) is None and bucket.head(out["upload"]["fields"]["key"]) == len(new_pdf)
    got = call(fn("providers"), event("GET", f"{base(pid)}/{att['id']}", claims=me))[2]
    assert httpx.get(got["download_url"], timeout=10).content == new_pdf

    path = f"{base(pid)}/{att['id']}"
    status, _, _ = call(fn("providers"), event("DELETE", path, query={"version": str(done["version"])}, claims=me))
    assert status == 204
    assert bucket.head(out["upload"]["fields"]["key"]) is None
    assert call(fn("providers"), event("GET", path, claims=me))[0] == 404


def test_requirements_per_company_and_site(fn, bucket, prov):
    pid, sites = prov
    me = provider_claims(pid)
    today = date.today()
    path = f"/v1/providers/{pid}/attachment-requirements"
    status, _, r = call(fn("providers"), event("GET", path, query={"service_id": "home-care"}, claims=me))
    assert status == 200, r
    assert r["complete"] is False
    assert [x["type_id"] for x in r["company"]] == [
        "trade-register-extract", "tax-debt-certificate", "pension-insurance-certificate", "liability-insurance"
    ]  # fmt: skip
    assert {s["site_id"] for s in r["sites"]} == set(sites)
    assert len(r["missing"]) == 4 + 2 and all(m["reason"] == "missing" for m in r["missing"])

    for t in ("trade-register-extract", "tax-debt-certificate", "pension-insurance-certificate"):
        upload(fn, pid, me, type_id=t)
    upload(fn, pid, me, type_id="liability-insurance", valid_until=(today - timedelta(days=400)).isoformat())
    upload(fn, pid, me, type_id="self-monitoring-plan", part_id=sites[0])
    create(fn, pid, me, type_id="self-monitoring-plan", part_id=sites[1])  # never uploaded

    status, _, r = call(fn("providers"), event("GET", path, query={"service_id": "home-care"}, claims=me))
    assert status == 200
    reasons = {(m["type_id"], m["site_id"]): m["reason"] for m in r["missing"]}
    assert reasons == {
        ("liability-insurance", None): "expired",
        ("self-monitoring-plan", sites[1]): "upload_incomplete",
    }
    assert any("Liability insurance certificate at company level has expired" in m["message"] for m in r["missing"])
    site0 = next(s for s in r["sites"] if s["site_id"] == sites[0])
    assert site0["requirements"][0]["state"] == "ok"

    # one site asked about; cleaning needs no site attachments
    one = {"service_id": "home-care", "site_id": sites[0]}
    r = call(fn("providers"), event("GET", path, query=one, claims=me))[2]
    assert [s["site_id"] for s in r["sites"]] == [sites[0]]
    r = call(fn("providers"), event("GET", path, query={"service_id": "cleaning"}, as_group="case_worker"))[2]
    assert r["sites"] and all(s["requirements"] == [] for s in r["sites"])
    assert [m["type_id"] for m in r["missing"]] == ["liability-insurance"]

    status, _, problem = call(fn("providers"), event("GET", path, query={"service_id": "no-such"}, claims=me))
    assert status == 422 and problem["errors"][0]["field"] == "query.service_id"
    bad = {"service_id": "home-care", "site_id": "site-nope"}
    status, _, problem = call(fn("providers"), event("GET", path, query=bad, claims=me))
    assert status == 422 and problem["errors"][0]["field"] == "query.site_id"
