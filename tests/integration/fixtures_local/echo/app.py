"""A fake handler for the local runtime's tests: answers with what it got, or misbehaves on request."""

import base64
import json
import os
import time


def lambda_handler(event, context):
    path = event.get("path") or ""
    if path.endswith("/crash"):
        raise RuntimeError("the handler crashed on purpose")
    if path.endswith("/malformed"):
        return {"status": 200, "body": "no statusCode"}
    if path.endswith("/slow"):
        time.sleep(float((event.get("queryStringParameters") or {}).get("s", "0")))
    if path.endswith("/pdf"):
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/pdf"},
            "body": base64.b64encode(b"%PDF-1.4\n\xff\xfe").decode(),
            "isBase64Encoded": True,
        }
    if path.endswith("/multi"):
        return {
            "statusCode": 201,
            "headers": {"X-One": "one", "X-Both": "from-headers"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "X-Both": ["m1", "m2"]},
            "body": "",
        }
    ctx = {
        "function_name": context.function_name,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "aws_request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
    env = {k: os.environ.get(k) for k in ("TABLE_NAME", "TENANT_ID")}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"fn": "echo", "event": event, "context": ctx, "env": env}),
        "isBase64Encoded": False,
    }
