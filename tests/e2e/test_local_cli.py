"""`make run` as a user meets it: the local runtime in a subprocess and the real `seteli` CLI against it."""

from __future__ import annotations

import json
import stat

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_cli_against_the_local_runtime(local_seteli):
    s = local_seteli

    res = s.seteli("health")
    assert res.returncode == 0, s.explain(res)
    assert res.stdout.startswith("ok"), s.explain(res)

    res = s.seteli("services")
    assert res.returncode == 0, s.explain(res)
    for service in ("assisted-living", "home-care", "cleaning"):
        assert service in res.stdout, s.explain(res)

    res = s.seteli("--json", "services", "--lang", "sv")
    assert res.returncode == 0, s.explain(res)
    services = {x["id"]: x for x in json.loads(res.stdout)}
    assert "home-care" in services and services["home-care"]["contents"], s.explain(res)

    res = s.seteli("provider", "get")  # not signed in yet
    assert res.returncode == 3, s.explain(res)
    assert "seteli login" in res.stderr, s.explain(res)

    res = s.seteli("login", "--as", "provider_admin")
    assert res.returncode == 0, s.explain(res)
    session = s.config_dir / "session.json"
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    token = json.loads(session.read_text())["id_token"]
    assert token not in res.stdout + res.stderr

    admin = next(u for u in s.info["users"] if u["group"] == "provider_admin")
    res = s.seteli("whoami")
    assert res.returncode == 0, s.explain(res)
    assert "provider_admin" in res.stdout, s.explain(res)
    assert admin["provider_id"] in res.stdout, s.explain(res)
    assert admin["username"] in res.stdout, s.explain(res)

    res = s.seteli("provider", "get")
    assert res.returncode == 0, s.explain(res)
    assert admin["provider_id"] in res.stdout, s.explain(res)

    res = s.seteli("--json", "provider", "get")
    assert res.returncode == 0, s.explain(res)
    assert json.loads(res.stdout)["id"] == admin["provider_id"]

    res = s.seteli("provider", "get", "prv-someone-else")
    assert res.returncode == 1, s.explain(res)
    assert "403" in res.stderr and "not allowed" in res.stderr.lower(), s.explain(res)

    res = s.seteli("login", "--username", admin["username"], "--password-stdin", input="Wrong-password-1\n")
    assert res.returncode == 1, s.explain(res)
    assert "Wrong email or password" in res.stderr and "Five wrong passwords" in res.stderr, s.explain(res)

    res = s.seteli("logout")
    assert res.returncode == 0, s.explain(res)
    assert not session.exists()

    res = s.seteli("provider", "get")
    assert res.returncode == 3, s.explain(res)
    assert "seteli login" in res.stderr, s.explain(res)

    code = s.stop(timeout=15)
    assert code == 0, f"`python -m local run` did not stop cleanly on SIGINT within 15 s (exit {code})\n{s.output()}"
    assert (s.state_dir / "state" / "moto.pickle").exists(), s.output()
