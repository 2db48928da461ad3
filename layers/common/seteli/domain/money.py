"""Money and quantities with Decimal arithmetic.

Money is euros, always rounded half-up to the cent. Stored as integer cents. Quantities
(hours, days, pieces) are kept to the hundredth (2.25 h) and stored as integer hundredths.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

CENT = Decimal("0.01")
HUNDREDTH = Decimal("0.01")
MAX_DIGITS = 12  # no euro amount or quantity of this domain comes near; beyond 26 quantize would raise


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        # floats are never money: 0.1 + 0.2 != 0.3
        raise ValueError('use a decimal string such as "32.00", not a float')
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int | str):
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError("not a decimal number") from exc  # never echoed: it could be anything typed
    else:
        raise ValueError("not a decimal number")
    if not d.is_finite():
        raise ValueError("not a finite number")
    if d and d.adjusted() >= MAX_DIGITS:
        raise ValueError(f"too large: at most {MAX_DIGITS} digits before the decimal point")
    return d


def round_cents(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half-up (0.005 -> 0.01)."""
    return _to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_hundredths(value: Decimal | int | str) -> Decimal:
    return _to_decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


class Money:
    """An amount in euros, exact to the cent. Immutable."""

    __slots__ = ("_cents",)

    def __init__(self, amount: Decimal | int | str = 0) -> None:
        self._cents = int(round_cents(amount) * 100)

    @classmethod
    def from_cents(cls, cents: int) -> Money:
        m = cls.__new__(cls)
        m._cents = int(cents)
        return m

    @classmethod
    def zero(cls) -> Money:
        return cls.from_cents(0)

    @property
    def cents(self) -> int:
        return self._cents

    @property
    def amount(self) -> Decimal:
        return (Decimal(self._cents) / 100).quantize(CENT)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money.from_cents(self._cents + other._cents)

    def __radd__(self, other: Any) -> Money:
        if other == 0:
            return self
        return self.__add__(other)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money.from_cents(self._cents - other._cents)

    def __neg__(self) -> Money:
        return Money.from_cents(-self._cents)

    def times(self, factor: Decimal | int | str) -> Money:
        """Multiply by a quantity or a percentage factor, rounding half-up to the cent."""
        return Money(self.amount * _to_decimal(factor))

    def __mul__(self, factor: Decimal | int) -> Money:
        return self.times(factor)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and other._cents == self._cents

    def __lt__(self, other: Money) -> bool:
        return self._cents < other._cents

    def __le__(self, other: Money) -> bool:
        return self._cents <= other._cents

    def __gt__(self, other: Money) -> bool:
        return self._cents > other._cents

    def __ge__(self, other: Money) -> bool:
        return self._cents >= other._cents

    def __hash__(self) -> int:
        return hash(self._cents)

    def __str__(self) -> str:
        return f"{self.amount:.2f}"

    def __repr__(self) -> str:
        return f"Money('{self}')"


def min_money(a: Money, b: Money) -> Money:
    return a if a <= b else b


def _money_in(value: Any) -> Money:
    if isinstance(value, Money):
        return value
    d = _to_decimal(value)
    if d != d.quantize(CENT):
        raise ValueError("at most two decimals (cents)")
    return Money(d)


def _quantity_in(value: Any) -> Decimal:
    d = _to_decimal(value)
    if d != d.quantize(HUNDREDTH):
        raise ValueError("at most two decimals")
    return d.quantize(HUNDREDTH)


def _money_core_schema(cls, _source, _handler):
    from pydantic_core import core_schema

    return core_schema.no_info_plain_validator_function(
        _money_in,
        serialization=core_schema.plain_serializer_function_ser_schema(str, return_schema=core_schema.str_schema()),
    )


def _money_json_schema(cls, _core_schema, _handler):
    return {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["32.00"]}


Money.__get_pydantic_core_schema__ = classmethod(_money_core_schema)  # type: ignore[attr-defined]
Money.__get_pydantic_json_schema__ = classmethod(_money_json_schema)  # type: ignore[attr-defined]

# Pydantic field types for API and domain models: decimal strings on the wire.
MoneyField = Money
QuantityField = Annotated[
    Decimal,
    BeforeValidator(_quantity_in),
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "examples": ["2.25"]}),
]
