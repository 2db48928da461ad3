"""Placeholder: filled in by issue 6's work on reports."""

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()
