"""An in-memory settlement repository with the same methods as ``seteli.store.settlement``, and a
crash switch: the unit tests run the real ``seteli.services.settlement`` over it, crash it after any
number of writes, and run it again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

from seteli.domain.money import Money
from seteli.domain.provider import Billing, Provider
from seteli.domain.settlement import Statement
from seteli.errors import Conflict
from seteli.rules.settlement import Waiting, queue_bound
from seteli.store.settlement import Queued


class Crash(Exception):
    """The Lambda died here."""


@dataclass
class Stored:
    provider_id: str
    waiting: Waiting
    statement_id: str | None = None
    version: int = 1


@dataclass
class FakeSettlement:
    records: dict[str, Stored] = field(default_factory=dict)
    statements: dict[tuple[str, str, str], Statement] = field(default_factory=dict)
    crash_after: int | None = None  # writes allowed before the crash
    writes: int = 0

    def _write(self) -> None:
        if self.crash_after is not None and self.writes >= self.crash_after:
            raise Crash(f"crashed after {self.writes} writes")
        self.writes += 1

    def add(self, provider_id: str, waiting: Waiting) -> None:
        self.records[waiting.record_id] = Stored(provider_id, waiting)

    # -- the repository's methods
    def queue(self, provider_id: str, month: str) -> list[Queued]:
        bound = queue_bound(month)
        return [
            Queued(None, _doc(r.waiting), r.waiting)
            for r in sorted(self.records.values(), key=lambda r: (r.waiting.settle_month, r.waiting.record_id))
            if r.provider_id == provider_id and r.statement_id is None and r.waiting.settle_month < bound
        ]

    def settle(self, queued: list[Queued], statement_ids: dict[str, str]) -> tuple[int, list[str]]:
        n = 0
        for q in queued:
            if q.waiting.service_id not in statement_ids:
                continue
            r = self.records[q.waiting.record_id]
            if r.statement_id is not None:  # settled by someone else meanwhile: the version changed
                continue
            self._write()
            r.statement_id = statement_ids[q.waiting.service_id]
            r.version += 1
            n += 1
        return n, []

    def contents(self, statement_id: str) -> list[Queued]:
        mine = [r for r in self.records.values() if r.statement_id == statement_id]
        return [Queued(None, _doc(r.waiting), r.waiting) for r in mine]

    def of_month(self, month: str, provider_id: str | None = None) -> list[Statement]:
        return [st for (p, _, m), st in self.statements.items() if m == month and provider_id in (None, p)]

    def previous(self, provider_id: str, service_id: str, month: str) -> Statement | None:
        older = [st for (p, s, m), st in self.statements.items() if p == provider_id and s == service_id and m < month]
        return max(older, key=lambda st: st.month) if older else None

    def get(self, provider_id: str, service_id: str, month: str) -> Statement | None:
        return self.statements.get((provider_id, service_id, month))

    def put(self, st: Statement, conflict: str) -> Statement:
        key = (st.provider_id, st.service_id, st.month)
        old = self.statements.get(key)
        if (old is None) != (st.version == 0) or (old is not None and old.version != st.version):
            raise Conflict(conflict)
        self._write()
        saved = st.model_copy(update={"version": st.version + 1})
        self.statements[key] = saved
        return saved


def _doc(w: Waiting) -> dict:
    """A stored document as much as a statement line reads of it."""
    day = f"{w.settle_month}-01"
    base = {"id": w.record_id, "decision_number": "T-1", "content_id": "c", "part_id": None}
    if w.kind == "event":
        return {**base, "first_day": day, "last_day": day, "quantity": "1", "unit": "hour", "value": str(w.amount)}
    if w.kind == "interruption":
        return {**base, "departure_day": day, "return_day": day, "days": [], "value": str(w.amount)}
    return {**base, "event_id": w.record_id, "created_at": f"{day}T00:00:00Z", "amount": str(-w.amount)}


def billing() -> Billing:
    return Billing(iban="FI2112345600000785", bic="NDEAFIHH", billing_email="laskut@example.fi")


def provider(pid: str, with_billing: bool = True) -> Provider:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Provider(
        id=pid,
        name=f"Hoiva {pid}",
        business_id="0112038-9",
        billing=billing() if with_billing else None,
        created_at=now,
        updated_at=now,
    )


class FakeProviders:
    def __init__(self, *providers: Provider) -> None:
        self.by_id = {p.id: p for p in providers}

    def get(self, pid: str) -> Provider | None:
        return self.by_id.get(pid)


def env(tenant, settlement: FakeSettlement, providers: FakeProviders, now: datetime) -> SimpleNamespace:
    return SimpleNamespace(
        repos=SimpleNamespace(settlement=settlement, providers=providers),
        tenant=tenant,
        now=now,
        today=now.date(),
        files=None,
        email=None,
    )


def eur(text: str) -> Money:
    return Money(text)
