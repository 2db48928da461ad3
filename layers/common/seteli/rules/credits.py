"""Credits (hyvityspyyntö) and what a provider is paid in one settlement run. Pure.

Spec section 10, seed 003 K4.3.8 and K4.3.5.6 ("YLITTYNYT KIRJAUS").

- A credit deducts the whole payable value of one already settled (or approved) event in a later
  settlement: the settlement of the month it was filed in, but never the event's own month (the
  event is paid there). Filed in May for an April event -> May; approved with a credit on 3 April
  for a March event -> April.
- A provider's payment in a run is the events it pays minus the credits it deducts. It can be
  negative; the negative remainder is carried to the provider's next run (:func:`carry`).

Carried amounts are Money that is never positive: the part of an earlier negative total the
provider still owes (``Money("-20.00")``), or zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from seteli.domain.money import Money
from seteli.rules.interruptions import add_months, month_of, parse_month


def deduct_in(filed_on: date, event_month: str) -> str:
    """The settlement month (``YYYY-MM``) that deducts a credit filed on ``filed_on`` for an event of
    ``event_month``: the later of the filing month and the month after the event's."""
    parse_month(event_month)
    return max(month_of(filed_on), add_months(event_month, 1))


def provider_payment(events_paid: Iterable[Money], credits: Iterable[Money]) -> Money:
    """One run's total for a provider: its paid events minus its credits (may be negative).

    ``credits`` are the credits' amounts as positive Money (what :class:`~seteli.domain.events.Credit`
    stores); a negative one is a caller error (ValueError)."""
    paid = sum(events_paid, Money.zero())
    deducted = Money.zero()
    for amount in credits:
        if amount < Money.zero():
            raise ValueError("a credit is a positive amount to deduct")
        deducted = deducted + amount
    return paid - deducted


def carry(total: Money, carried_in: Money) -> tuple[Money, Money]:
    """``(payable_now, carried_out)``: the run's ``total`` plus what an earlier run carried in.

    What is left negative is carried to the next run; nothing is paid then. ``carried_in`` and
    ``carried_out`` are never positive."""
    if carried_in > Money.zero():
        raise ValueError("a carried amount is what the provider still owes: zero or negative")
    net = total + carried_in
    if net < Money.zero():
        return Money.zero(), net
    return net, Money.zero()
