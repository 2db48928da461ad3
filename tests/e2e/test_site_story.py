"""Issue 7's story against the local runtime (`make run`): the comparison site is built at start,
served through the publish pointer, and a provider's change made with the `seteli` CLI is on the
site within seconds, with nothing else rebuilt."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
AURINKO = "prv-aurinkohoiva"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as res:  # noqa: S310 - our own local server
            return res.status, res.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_for(check, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.5)
    pytest.fail(f"{what}: not within {timeout} s")


def entry(site: str, provider_id: str) -> dict | None:
    status, body = get(site + "/data/home-care.json")
    if status != 200:
        return None
    return next((e for e in json.loads(body)["entries"] if e["provider_id"] == provider_id), None)


def test_the_site_is_built_served_and_follows_a_change(local_seteli):
    s = local_seteli
    site = s.info["site_url"]
    wait_for(lambda: get(site + "/fi/home-care/")[0] == 200, "the first build")
    status, page = get(site + "/fi/home-care/")
    text = page.decode()
    assert 'lang="fi"' in text and "Aurinkohoiva" in text and "Hoivapolku Oy" in text
    assert get(site + "/sv/home-care/")[0] == 200 and get(site + "/en/home-care/")[0] == 200
    assert get(site + "/fi/home-care")[0] == 200  # the directory without its slash: redirected
    assert get(site + "/data/schema.json")[0] == 200
    assert get(site + "/fi/no-such-service/")[0] == 404
    assert entry(site, AURINKO)["availability"]["starts_within_days"] == 0  # the demo's

    res = s.seteli("login", "--as", "provider_admin")
    assert res.returncode == 0, s.explain(res)
    res = s.seteli("provider", "availability", "set", "home-care", "--days", "21", "--note", "Tammikuusta alkaen")
    assert res.returncode == 0, s.explain(res)
    changed = wait_for(
        lambda: (e := entry(site, AURINKO)) and e["availability"]["starts_within_days"] == 21 and e,
        "the availability on the site",
    )
    assert changed["availability"]["note"] == "Tammikuusta alkaen"
    # the public API serves the same entry
    status, body = get(s.info["api_url"] + "/v1/public/services/home-care/providers?limit=200")
    api_entry = next(e for e in json.loads(body)["items"] if e["provider_id"] == AURINKO)
    assert status == 200 and api_entry["availability"]["starts_within_days"] == 21
