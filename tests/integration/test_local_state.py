"""The local runtime's state: snapshot and restore of the emulator, the corrupt-snapshot path."""

import pickle
from pathlib import Path

import boto3
import pytest
from moto.backends import get_backend

from local import snapshot
from local.resources import create_resources

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def isolated(stack, tmp_path):
    """The emulator is shared by the session: keep its state and put it back afterwards."""
    keep = tmp_path / "keep.pickle"
    snapshot.save(keep, {})
    yield
    snapshot.restore(keep)


def _forget_everything():
    for name in snapshot.SERVICES:
        get_backend(name).clear()


def test_snapshot_round_trip_keeps_items_and_users(isolated, tmp_path):
    res = create_resources(ROOT / "template.yaml", "snap", "test")
    ddb = boto3.client("dynamodb", region_name="eu-north-1")
    ddb.put_item(TableName=res.table_name, Item={"pk": {"S": "A"}, "sk": {"S": "B"}, "v": {"N": "1"}})
    idp = boto3.client("cognito-idp", region_name="eu-north-1")
    idp.admin_create_user(UserPoolId=res.user_pool_id, Username="a@b.fi", MessageAction="SUPPRESS")
    snapshot.save(tmp_path / "moto.pickle", {"tenant_id": "snap", "physical": res.physical})
    assert not (tmp_path / "moto.tmp").exists()
    _forget_everything()
    # a fresh emulator knows nothing ...
    assert boto3.client("dynamodb", region_name="eu-north-1").list_tables()["TableNames"] == []
    meta = snapshot.restore(tmp_path / "moto.pickle")
    assert meta["physical"]["MainTable"] == res.table_name
    item = boto3.client("dynamodb", region_name="eu-north-1").get_item(
        TableName=res.table_name, Key={"pk": {"S": "A"}, "sk": {"S": "B"}}
    )["Item"]
    assert item["v"] == {"N": "1"}
    users = boto3.client("cognito-idp", region_name="eu-north-1").list_users(UserPoolId=res.user_pool_id)
    assert [u["Username"] for u in users["Users"]]


def test_an_unreadable_or_foreign_snapshot_is_refused(tmp_path):
    bad = tmp_path / "moto.pickle"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(snapshot.SnapshotUnusable):
        snapshot.restore(bad)
    bad.write_bytes(pickle.dumps({"format": 1, "moto": "0.0.1", "meta": {}, "backends": {}}))
    with pytest.raises(snapshot.SnapshotUnusable, match="0.0.1"):
        snapshot.restore(bad)


def test_resources_follow_the_template(isolated):
    res = create_resources(ROOT / "template.yaml", "twin", "test")
    ddb = boto3.client("dynamodb", region_name="eu-north-1")
    table = ddb.describe_table(TableName=res.table_name)["Table"]
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2"}
    ttl = ddb.describe_time_to_live(TableName=res.table_name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "ttl"
    idp = boto3.client("cognito-idp", region_name="eu-north-1")
    groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=res.user_pool_id)["Groups"]}
    assert groups == {"municipality_admin", "case_worker", "provider_admin", "provider_user", "citizen"}
    pool = idp.describe_user_pool(UserPoolId=res.user_pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert res.table_name == "seteli-twin-test-main"
    assert res.env["TABLE_NAME"] == res.table_name and res.env["USER_POOL_CLIENT_ID"] == res.client_id
    assert {"ATTACHMENTS_BUCKET", "SITE_BUCKET", "IDEMPOTENCY_TABLE_NAME"} <= set(res.env)
