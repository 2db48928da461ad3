"""Obligations register port (tilaajavastuu, spec 3.5).

A company in the Tilaajavastuu "Luotettava Kumppani" programme has its statutory documents (trade
register extract, tax debt certificate, pension insurance, ...) fetched and monitored by the
register, so the municipality need not collect them as attachments. The use cases ask the port
``check(business_id) -> ObligationsStatus``.

A production adapter would call the Tilaajavastuu (Vastuu Group) company report API with the
municipality's credentials, map its "Luotettava Kumppani" answer to :class:`ObligationsState`,
and answer ``unknown`` (never raise) when the service is down. That adapter does not exist yet:
``obligations_register()`` returns :class:`FakeRegister`, which answers deterministically from the
business ID, for local runs, the demo and tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from seteli.domain.provider import ObligationsState, ObligationsStatus


class ObligationsRegister(Protocol):
    def check(self, business_id: str) -> ObligationsStatus: ...


MISSING_DOCUMENTS = [
    "tax-debt-certificate: verovelkatodistus puuttuu tai on vanhentunut (tax debt certificate missing or expired)",
    "pension-insurance-certificate: eläkevakuutustodistus puuttuu (pension insurance certificate missing)",
]


class FakeRegister:
    """Answers by the business ID's last digit before the check digit (``1234567-8`` -> ``7``):

    0-6 ``ok``, 7 ``documents_missing``, 8 ``not_in_programme``, 9 ``unknown`` (register not answering).
    ``overrides`` (business ID -> state) wins, for tests.
    """

    source = "fake"

    def __init__(
        self,
        overrides: dict[str, ObligationsState | str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.overrides = {k: ObligationsState(v) for k, v in (overrides or {}).items()}
        self.clock = clock or (lambda: datetime.now(UTC))
        self.calls: list[str] = []

    def state_for(self, business_id: str) -> ObligationsState:
        if business_id in self.overrides:
            return self.overrides[business_id]
        digits = [c for c in business_id if c.isdigit()]
        if len(digits) < 2:
            return ObligationsState.unknown
        d = int(digits[-2])
        if d <= 6:
            return ObligationsState.ok
        return {7: ObligationsState.documents_missing, 8: ObligationsState.not_in_programme}.get(
            d, ObligationsState.unknown
        )

    def check(self, business_id: str) -> ObligationsStatus:
        self.calls.append(business_id)
        state = self.state_for(business_id)
        details = {
            ObligationsState.ok: ["Luotettava Kumppani: dokumentit kunnossa (documents in order)"],
            ObligationsState.documents_missing: list(MISSING_DOCUMENTS),
            ObligationsState.not_in_programme: [
                "ei Luotettava Kumppani -ohjelmassa: toimita selvitykset liitteinä "
                "(not in the programme: upload the documents as attachments)"
            ],
            ObligationsState.unknown: ["rekisteri ei vastannut; tarkistetaan myöhemmin (register did not answer)"],
        }[state]
        return ObligationsStatus(
            business_id=business_id, status=state, checked_at=self.clock(), details=details, source=self.source
        )


_register: ObligationsRegister | None = None


def obligations_register() -> ObligationsRegister:
    """The stack's register: the fake until a Tilaajavastuu adapter exists (see the module doc)."""
    global _register
    if _register is None:
        _register = FakeRegister()
    return _register


def use_register(register: ObligationsRegister | None) -> None:
    """Replace the register (tests), or forget the replacement (None)."""
    global _register
    _register = register
