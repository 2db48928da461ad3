"""Providers context: registration, company data, parts, billing, users, API keys, attachments,
price lists, availability. One Lambda; each area's routes live in a sibling module (``providers_<area>.py``)
with a powertools ``Router``, so the handler stays a list of what it serves."""

import providers_api_keys
import providers_attachments
import providers_availability
import providers_company
import providers_price_lists
import providers_users

from seteli.api.app import create_app, make_handler

app = create_app("providers")
AREAS = (
    providers_company,
    providers_users,
    providers_api_keys,
    providers_attachments,
    providers_price_lists,
    providers_availability,
)
for area in AREAS:
    app.include_router(area.router)

lambda_handler = make_handler(app)
