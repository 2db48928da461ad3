"""The local runtime keeps its data across restarts: snapshots of moto's backends."""

from __future__ import annotations

import logging
import os
import pickle
import threading

import boto3
import pytest
from moto.backends import get_backend

from local import snapshot
from local.auth import TokenVerifier
from local.resources import create_resources
from tests.integration.conftest_local import (
    FIXTURE_TEMPLATE,
    REGION,
    add_user,
    emulator_state_kept,
    environment_kept,
    moto_running,
    tokens,
    unique_tenant,
)


@pytest.fixture
def aws(tmp_path):
    with moto_running(), environment_kept(), emulator_state_kept(tmp_path):
        yield


def _forget_everything() -> None:
    for name in snapshot.SERVICES:
        get_backend(name).clear()


def test_a_snapshot_brings_back_items_users_and_their_sign_in(aws, tmp_path):
    # Given a stack with an item, a file, a queue and a signed-up user
    res = create_resources(FIXTURE_TEMPLATE, unique_tenant(), "test", tenant_name="T", email_from="a@fx.fi")
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.put_item(TableName=res.table_name, Item={"pk": {"S": "A"}, "sk": {"S": "B"}, "n": {"N": "7"}})
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(Bucket=res.buckets["FilesBucket"], Key="k.txt", Body=b"file")
    add_user(res.user_pool_id, "u@fx.example", ["users"])
    # When it is saved, the emulator forgets everything, and the snapshot is restored
    path = tmp_path / "state" / "moto.pickle"
    snapshot.save(path, {"tenant_id": res.tenant_id})
    assert not list(path.parent.glob("*.tmp"))
    _forget_everything()
    assert res.table_name not in boto3.client("dynamodb", region_name=REGION).list_tables()["TableNames"]
    meta = snapshot.restore(path)
    # Then it is all back, and the user can still sign in (the pool's RSA key survived the pickle)
    assert meta == {"tenant_id": res.tenant_id}
    item = ddb.get_item(TableName=res.table_name, Key={"pk": {"S": "A"}, "sk": {"S": "B"}})["Item"]
    assert item["n"] == {"N": "7"}
    assert s3.get_object(Bucket=res.buckets["FilesBucket"], Key="k.txt")["Body"].read() == b"file"
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.get_queue_url(QueueName=res.queues["DeadLetters"])["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="still works")  # its restored locks are usable
    token = tokens(res.client_id, "u@fx.example")["IdToken"]
    assert TokenVerifier.for_resources(res).claims(token)["cognito:groups"] == "users"


def test_an_unreadable_or_foreign_snapshot_is_refused(tmp_path):
    path = tmp_path / "moto.pickle"
    path.write_bytes(b"not a pickle")
    with pytest.raises(snapshot.SnapshotUnusable):
        snapshot.restore(path)
    path.write_bytes(pickle.dumps({"format": snapshot.FORMAT, "moto": "0.0.1", "meta": {}, "backends": {}}))
    with pytest.raises(snapshot.SnapshotUnusable, match="moto 0.0.1"):
        snapshot.restore(path)
    path.write_bytes(pickle.dumps(["something else"]))
    with pytest.raises(snapshot.SnapshotUnusable):
        snapshot.restore(path)


def test_a_bad_snapshot_is_kept_aside_and_the_start_is_fresh(tmp_path, caplog):
    # Given a snapshot that a moto upgrade (or a crash of something else) made unusable
    path = tmp_path / "moto.pickle"
    path.write_bytes(b"\x80\x05garbage")
    # When the runtime starts
    with caplog.at_level(logging.WARNING, logger="local"):
        meta = snapshot.restore_or_quarantine(path)
    # Then it says so, keeps the file as moto.pickle.bad and starts fresh
    assert meta is None
    assert not path.exists() and (tmp_path / "moto.pickle.bad").read_bytes() == b"\x80\x05garbage"
    assert "moto.pickle.bad" in caplog.text and "starting fresh" in caplog.text
    assert snapshot.restore_or_quarantine(path) is None  # nothing there: nothing to say


def test_a_failed_write_leaves_the_previous_snapshot_whole(tmp_path, monkeypatch):
    path = tmp_path / "moto.pickle"
    snapshot.write(path, b"old")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        snapshot.write(path, b"new, half written")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["moto.pickle"]


def test_the_snapshotter_writes_only_what_changed(aws, tmp_path):
    path = tmp_path / "moto.pickle"
    saver = snapshot.Snapshotter(path, {"tenant_id": "x"}, threading.RLock(), interval_s=3600)
    assert saver.save() is True and path.exists()
    assert saver.save() is False  # nothing changed
    boto3.client("sqs", region_name=REGION).create_queue(QueueName=f"q-{unique_tenant()}")
    assert saver.save() is True
    saver.start()
    assert saver.stop() is False  # the last save on stop: still nothing new


def test_another_tenants_data_is_parked_and_picked_up_again(aws, tmp_path):
    from local.__main__ import _restore

    class Emulator:  # resetting the real one would wipe what other tests share
        resets = 0

        def reset(self):
            self.resets += 1

    path = tmp_path / "state" / "moto.pickle"
    snapshot.save(path, {"tenant_id": "kouvola"})
    em = Emulator()
    # a start for another tenant parks kouvola's data and starts fresh
    assert _restore(em, path, "helsinki", fresh=False) is False
    assert not path.exists() and (path.parent / "moto.kouvola.pickle").exists()
    # a start for kouvola again finds it
    assert _restore(em, path, "kouvola", fresh=False) is True
    assert path.exists() and not (path.parent / "moto.kouvola.pickle").exists()
    # --fresh for another tenant parks it too, rather than overwriting it on exit
    assert _restore(em, path, "helsinki", fresh=True) is False
    assert (path.parent / "moto.kouvola.pickle").exists()
