"""Settlement context: settlements, payment files, reports (issue 6).

Its routes arrive with their issues; until then every path answers a 404 problem.
"""

from seteli.api.app import create_app, make_handler

app = create_app("settlement")

lambda_handler = make_handler(app)
