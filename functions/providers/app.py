"""Providers context: registration, company data, parts, billing, users, API keys, attachments,
price lists. One Lambda; each area's routes live in a sibling module (``providers_<area>.py``)
with a powertools ``Router``, so the handler stays a list of what it serves."""

import providers_api_keys
import providers_attachments
import providers_company
import providers_price_lists
import providers_users

from seteli.api.app import create_app, make_handler

app = create_app("providers")
for area in (providers_company, providers_users, providers_api_keys, providers_attachments, providers_price_lists):
    app.include_router(area.router)

lambda_handler = make_handler(app)
