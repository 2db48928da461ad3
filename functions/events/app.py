"""Events context: service events, interruptions, the municipality's approvals, credits and
feedback (spec 7-10, 13). One Lambda; each area's routes live in a sibling module
(``events_<area>.py``) with a powertools ``Router``."""

import events_approvals
import events_events
import events_feedback
import events_interruptions

from seteli.api.app import create_app, make_handler

app = create_app("events")
for area in (events_events, events_interruptions, events_approvals, events_feedback):
    app.include_router(area.router)

lambda_handler = make_handler(app)
