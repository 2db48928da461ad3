"""A second fake handler: tells which function answered."""

import json


def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"fn": "other", "resource": event["resource"]})}
