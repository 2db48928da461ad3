"""Units and kinds of service: small enums shared by the tenant schema and the API views.

Kept apart from the tenant schema so that a handler can use them without building that schema.
"""

from enum import StrEnum


class Unit(StrEnum):
    day = "day"  # vrk
    hour = "hour"  # h
    month = "month"  # kk
    piece = "piece"  # kpl
    m2_month = "m2_month"  # m2/kk


class ServiceKind(StrEnum):
    voucher = "voucher"  # palveluseteli
    balance_voucher = "balance_voucher"  # saldoseteli
    purchased_service = "purchased_service"  # ostopalvelu
