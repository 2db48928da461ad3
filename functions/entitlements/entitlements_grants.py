"""The municipality's side of entitlements: customers, grants, closing, death, provider copy."""

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()
