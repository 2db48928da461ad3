"""Citizen context: own entitlements, events and proxies (issues 4-5).

Its routes arrive with their issues; until then every path answers a 404 problem.
"""

from seteli.api.app import create_app, make_handler

app = create_app("citizen")

lambda_handler = make_handler(app)
