"""Placeholder: filled in by issue 6's work on statements."""

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()
