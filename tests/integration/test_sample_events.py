"""The sample events in events/ run through the real handlers (as `sam local invoke` would)."""

import json
from pathlib import Path

import pytest

from tests.integration.apigw import FakeContext

EVENTS = Path(__file__).resolve().parents[2] / "events"
pytestmark = pytest.mark.usefixtures("stack")


@pytest.mark.parametrize(
    ("file", "function", "status"),
    [
        ("api-get-health.json", "public", 200),
        ("api-get-public-services.json", "public", 200),
        ("api-get-provider.json", "providers", 200),
        ("api-get-other-provider.json", "providers", 403),
        ("api-post-job-settlement.json", "jobs", 202),
    ],
)
def test_api_sample_events(fn, request, file, function, status):
    if function == "jobs":  # a run goes through every provider of the table: give it a table of its own
        request.getfixturevalue("fresh_table")
    result = fn(function)(json.loads((EVENTS / file).read_text()), FakeContext())
    assert result["statusCode"] == status, result


@pytest.mark.parametrize("job", ["auto-events", "reminders", "settlement"])
def test_schedule_sample_events(fn, fresh_table, job):
    result = fn("jobs")(json.loads((EVENTS / f"schedule-{job}.json").read_text()), FakeContext())
    assert result["job"] == job and result["month"]
