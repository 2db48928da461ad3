"""Seteli: service vouchers and purchased services for a Finnish municipality.

The shared package of every Lambda (the common layer). Folders:
domain/ (types), rules/ (pure functions), services/ (use cases), store/ (DynamoDB),
adapters/ (ports to the outside), api/ (handler plumbing).
"""

__version__ = "0.1.0"
