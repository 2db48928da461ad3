"""Applications context: provider applications per service and the municipality's review (issue 3).

Its routes arrive with their issues; until then every path answers a 404 problem.
"""

from seteli.api.app import create_app, make_handler

app = create_app("applications")

lambda_handler = make_handler(app)
