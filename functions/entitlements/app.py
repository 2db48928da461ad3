"""Entitlements context: vouchers, balance vouchers, orders, customers (the municipality's), and
the providers' reservations and view of customers. One Lambda; each area's routes live in a sibling
module (``entitlements_<area>.py``) with a powertools ``Router``."""

import entitlements_grants
import entitlements_own_share
import entitlements_reservations

from seteli.api.app import create_app, make_handler

app = create_app("entitlements")
for area in (entitlements_grants, entitlements_reservations, entitlements_own_share):
    app.include_router(area.router)

lambda_handler = make_handler(app)
