"""The AWS way of a run: its pages go to the jobs queue (SQS on moto), one message each, and the
jobs function takes them like the event source mapping hands them over; a failed page is reported
back alone and a new start resumes only the pages not done."""

from __future__ import annotations

import json

import boto3

from tests.factories import new_provider
from tests.integration.apigw import FakeContext


def test_pages_go_through_the_queue_and_the_last_one_finishes_the_run(fn, fresh_repos, monkeypatch):
    from seteli.services import jobs

    for _ in range(jobs.PAGE_SIZE + 1):  # two pages of providers
        new_provider(fresh_repos)
    sqs = boto3.client("sqs", region_name="eu-north-1")
    url = sqs.create_queue(QueueName="jobs-fanout-test")["QueueUrl"]
    env = jobs.job_env()
    run = jobs.start("reminders", "2026-10", "test", env=env, dispatcher=jobs.Sqs(url, "eu-north-1"))
    assert run.status == "running" and run.pages_total == 2 and run.pages_done == []

    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(json.loads(m["Body"])["page"] for m in messages) == [0, 1]
    records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]

    # the first page fails once (the function answers it as a batch item failure), the other is done
    real = jobs.run_page
    calls = {"n": 0}

    def flaky(run_id, page, env=None):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("throttled")
        return real(run_id, page, env=env)

    monkeypatch.setattr(jobs, "run_page", flaky)
    out = fn("jobs")({"Records": records}, FakeContext())
    assert out == {"batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]}
    assert jobs.report(run.id, env=env).status == "running"
    # SQS hands the failed message over again: the run is done
    out = fn("jobs")({"Records": records[:1]}, FakeContext())
    assert out == {"batchItemFailures": []}
    done = jobs.report(run.id, env=env)
    assert done.status == "done" and done.pages_done == [0, 1]
