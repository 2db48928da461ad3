"""Entitlements context: vouchers, balance vouchers, orders, reservations, customers (issue 4).

Its routes arrive with their issues; until then every path answers a 404 problem.
"""

from seteli.api.app import create_app, make_handler

app = create_app("entitlements")

lambda_handler = make_handler(app)
