"""Settlement context: statements and payment material of the monthly settlement, invoice
references and the matching check (provider-invoice mode), and the reports (spec 10, 11, 15).
One Lambda; each area's routes live in a sibling module (``settlement_<area>.py``)."""

import settlement_reports
import settlement_statements

from seteli.api.app import create_app, make_handler

app = create_app("settlement")
for area in (settlement_statements, settlement_reports):
    app.include_router(area.router)

lambda_handler = make_handler(app)
