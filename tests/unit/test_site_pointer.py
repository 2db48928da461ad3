"""The pointer's mirror in CloudFront's KeyValueStore (what the viewer-request function reads):
a full build flips ``gen`` last, a small build is one UpdateKeys call of its paths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from seteli.adapters import site_store
from seteli.domain.comparison import SitePointer

AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


class FakeKvs:
    def __init__(self) -> None:
        self.calls: list[tuple[list, list]] = []
        self.etag = 0

    def describe_key_value_store(self, KvsARN):  # noqa: N803 - boto3's names
        return {"ETag": f"e{self.etag}"}

    def update_keys(self, KvsARN, IfMatch, Puts, Deletes):  # noqa: N803
        assert IfMatch == f"e{self.etag}", "every call is conditioned on the ETag of the one before"
        self.etag += 1
        self.calls.append(([(p["Key"], p["Value"]) for p in Puts], [d["Key"] for d in Deletes]))
        return {"ETag": f"e{self.etag}"}


@pytest.fixture
def kvs(monkeypatch):
    import boto3

    fake = FakeKvs()
    monkeypatch.setattr(boto3, "client", lambda service, **kw: fake)
    return fake


def test_a_full_build_flips_the_generation_last(kvs):
    old = SitePointer(base="b1", generation=1, overrides={"fi/a.html": "b2"}, published_at=AT)
    new = SitePointer(base="b3", generation=2, published_at=AT)
    site_store.KvsPointer("arn").mirror(new, old)
    assert kvs.calls == [
        ([("base:2", "b3")], []),
        ([("gen", "2")], []),  # readers move here, all at once
        ([], ["base:1", "p:1:fi/a.html"]),  # the old generation tidied afterwards
    ]


def test_a_small_build_is_one_call_of_its_paths(kvs):
    old = SitePointer(base="b1", generation=3, overrides={"fi/a.html": "b2"}, published_at=AT)
    new = SitePointer(base="b1", generation=3, overrides={"fi/a.html": "b2", "fi/b.html": "b4"}, published_at=AT)
    site_store.KvsPointer("arn").mirror(new, old)
    assert kvs.calls == [([("p:3:fi/b.html", "b4")], [])]


def test_too_many_paths_for_one_call_are_refused(kvs):
    old = SitePointer(base="b1", generation=1, published_at=AT)
    many = {f"fi/p{i}.html": "b2" for i in range(site_store.MAX_KEYS_PER_CALL + 1)}
    with pytest.raises(ValueError, match="full one"):
        site_store.KvsPointer("arn").mirror(old.model_copy(update={"overrides": many}), old)
    assert kvs.calls == []


def test_types_and_caching():
    assert site_store.content_type("fi/home-care/index.html") == "text/html; charset=utf-8"
    assert site_store.content_type("data/home-care.json") == "application/json"
    assert site_store.cache_control("assets/site.3f9a.js") == site_store.IMMUTABLE
    assert site_store.cache_control("fi/index.html") == site_store.SHORT
    assert site_store.object_key("b1", "fi/index.html") == "builds/b1/fi/index.html"
