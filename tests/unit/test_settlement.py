"""The monthly settlement: the spec's examples to the cent, deferral, carry, crash and rerun, and
money conservation across any sequence of runs. The real ``seteli.services.settlement`` runs over an
in-memory repository (tests/fakes_settlement.py) that can crash after any write."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seteli.domain.money import Money
from seteli.domain.settlement import PageReport, StatementStatus
from seteli.domain.tenant import SettlementMode
from seteli.domain.tenant_file import load_tenant_yaml
from seteli.rules import settlement as rules
from seteli.rules.interruptions import settlement_month
from seteli.rules.settlement import Waiting
from seteli.services.settlement import settle_provider
from tests.fakes_settlement import Crash, FakeProviders, FakeSettlement, env, provider

ROOT = Path(__file__).resolve().parents[2]
TENANT = load_tenant_yaml(ROOT / "tenants" / "demo.yaml")  # self-billing
HKI = ZoneInfo("Europe/Helsinki")
SERVICE = "home-care"


def ev(rid: str, month: str, amount: str, service: str = SERVICE) -> Waiting:
    return Waiting("event", rid, service, month, Money(amount))


def credit(rid: str, deduct_in: str, amount: str, service: str = SERVICE) -> Waiting:
    return Waiting("credit", rid, service, deduct_in, -Money(amount))


def run(repo: FakeSettlement, providers: FakeProviders, month: str, tenant=TENANT) -> PageReport:
    """The run for ``month`` on the 4th of the next month, every provider."""
    y, m = map(int, month.split("-"))
    now = datetime(y + (m == 12), 1 if m == 12 else m + 1, 4, 6, tzinfo=HKI)
    report = PageReport(page=0)
    for p in providers.by_id.values():
        settle_provider(env(tenant, repo, providers, now), month, p, report)
    return report


def statement(repo: FakeSettlement, pid: str, month: str, service: str = SERVICE):
    return repo.get(pid, service, month)


# ---------------------------------------------------------------- the spec's examples


def test_the_april_june_credit_example_pays_60_20_40():
    # Given two correct 20 EUR events each month and, in April, an erroneous third one
    repo, providers = FakeSettlement(), FakeProviders(provider("prv-a"))
    for month in ("2015-04", "2015-05", "2015-06"):
        repo.add("prv-a", ev(f"{month}-1", month, "20.00"))
        repo.add("prv-a", ev(f"{month}-2", month, "20.00"))
    repo.add("prv-a", ev("2015-04-wrong", "2015-04", "20.00"))
    # When April is settled, then the erroneous event is credited in May, then June
    run(repo, providers, "2015-04")
    repo.add("prv-a", credit("cr-2015-04-wrong", "2015-05", "20.00"))
    run(repo, providers, "2015-05")
    run(repo, providers, "2015-06")
    # Then April 60, May 40 - 20 = 20, June 40
    paid = [statement(repo, "prv-a", m).payable for m in ("2015-04", "2015-05", "2015-06")]
    assert paid == [Money("60.00"), Money("20.00"), Money("40.00")]
    may = statement(repo, "prv-a", "2015-05")
    assert (may.events, may.credits, may.credits_total, may.total) == (2, 1, Money("20.00"), Money("20.00"))


def test_a_negative_total_is_carried_to_the_next_run_of_the_service():
    repo, providers = FakeSettlement(), FakeProviders(provider("prv-a"))
    repo.add("prv-a", ev("e1", "2026-09", "20.00"))
    repo.add("prv-a", credit("c1", "2026-09", "50.00"))
    run(repo, providers, "2026-09")
    sep = statement(repo, "prv-a", "2026-09")
    assert (sep.total, sep.payable, sep.carried_out, sep.status) == (
        Money("-30.00"),
        Money("0.00"),
        Money("-30.00"),
        StatementStatus.carried,
    )
    repo.add("prv-a", ev("e2", "2026-10", "40.00"))
    run(repo, providers, "2026-10")
    octo = statement(repo, "prv-a", "2026-10")
    assert (octo.carried_in, octo.payable, octo.carried_out) == (Money("-30.00"), Money("10.00"), Money("0.00"))


def test_an_interruption_into_the_next_month_is_settled_a_month_later():
    # K4.3.5.4: hospital 5.11.-8.12., the end recorded on 8.12. -> December's run (in January)
    settle_in = settlement_month(date(2026, 12, 8), date(2026, 12, 8), TENANT.calendar.provider_deadline_day)
    assert settle_in == "2026-12"
    repo, providers = FakeSettlement(), FakeProviders(provider("prv-a"))
    repo.add("prv-a", Waiting("interruption", "int-1", "assisted-living", settle_in, Money("1234.50")))
    run(repo, providers, "2026-11")
    assert statement(repo, "prv-a", "2026-11", "assisted-living") is None
    run(repo, providers, "2026-12")
    dec = statement(repo, "prv-a", "2026-12", "assisted-living")
    assert (dec.interruptions, dec.interruptions_total, dec.payable) == (1, Money("1234.50"), Money("1234.50"))


def test_an_interruption_ended_by_the_deadline_goes_with_its_own_month():
    # 2.7.-17.7. ended on 2.8. (the provider deadline): July's run
    assert settlement_month(date(2015, 7, 17), date(2015, 8, 2), 2) == "2015-07"
    assert settlement_month(date(2015, 7, 17), date(2015, 8, 3), 2) == "2015-08"


def test_a_provider_without_billing_information_is_deferred_and_paid_in_the_next_run():
    repo = FakeSettlement()
    providers = FakeProviders(provider("prv-a", with_billing=False))
    repo.add("prv-a", ev("e1", "2026-10", "100.00"))
    report = run(repo, providers, "2026-10")
    assert [d.provider_id for d in report.deferred] == ["prv-a"]
    assert "billing" in report.deferred[0].reason
    assert report.amounts["deferred"] == Money("100.00")
    assert repo.statements == {} and repo.records["e1"].statement_id is None
    # the provider fills in its billing information; November's run pays October's event too
    providers.by_id["prv-a"] = provider("prv-a")
    repo.add("prv-a", ev("e2", "2026-11", "50.00"))
    run(repo, providers, "2026-11")
    assert statement(repo, "prv-a", "2026-11").payable == Money("150.00")


def test_provider_invoice_mode_does_not_need_billing_and_awaits_an_invoice():
    tenant = TENANT.model_copy(update={"settlement_mode": SettlementMode.provider_invoice})
    repo, providers = FakeSettlement(), FakeProviders(provider("prv-a", with_billing=False))
    repo.add("prv-a", ev("e1", "2026-10", "100.00"))
    run(repo, providers, "2026-10", tenant=tenant)
    st_ = statement(repo, "prv-a", "2026-10")
    assert st_.status is StatementStatus.awaiting_invoice and st_.payable == Money("100.00")


def test_what_comes_after_a_statement_waits_for_the_next_run():
    repo, providers = FakeSettlement(), FakeProviders(provider("prv-a"))
    repo.add("prv-a", ev("e1", "2026-10", "10.00"))
    run(repo, providers, "2026-10")
    repo.add("prv-a", ev("late", "2026-10", "5.00"))  # recorded late for October
    run(repo, providers, "2026-10")  # a rerun of October takes nothing more
    assert statement(repo, "prv-a", "2026-10").payable == Money("10.00")
    run(repo, providers, "2026-11")
    assert statement(repo, "prv-a", "2026-11").payable == Money("5.00")


def test_drafts_and_future_months_are_not_taken():
    waiting = [ev("a", "2026-10", "1.00"), ev("b", "2026-11", "2.00"), ev("c", "2026-09", "3.00")]
    taken = rules.take(waiting, "2026-10")
    assert sorted(w.record_id for w in taken[SERVICE]) == ["a", "c"]


def test_statement_ids_round_trip_with_hyphens():
    sid = rules.statement_id("2026-10", "prv-aurinko-hoiva", "home-care")
    assert rules.parse_statement_id(sid) == ("2026-10", "prv-aurinko-hoiva", "home-care")
    assert rules.parse_statement_id("stl-2026-10-prv-x") is None


# ---------------------------------------------------------------- crash and rerun


def _scenario(repo: FakeSettlement) -> FakeProviders:
    providers = FakeProviders(provider("prv-a"), provider("prv-b"))
    for i in range(5):
        repo.add("prv-a", ev(f"a{i}", "2026-10", f"{10 + i}.25"))
        repo.add("prv-b", ev(f"b{i}", "2026-10", f"{20 + i}.10", service="cleaning"))
    repo.add("prv-a", credit("ca", "2026-10", "3.00"))
    return providers


def _clean() -> dict:
    repo = FakeSettlement()
    run(repo, _scenario(repo), "2026-10")
    return {k: (s.payable, s.events, s.credits, s.status) for k, s in repo.statements.items()}


@pytest.mark.parametrize("crash_after", range(0, 16))
def test_a_crash_after_any_write_and_a_rerun_leave_the_totals_of_one_clean_run(crash_after):
    repo = FakeSettlement(crash_after=crash_after)
    providers = _scenario(repo)
    try:
        run(repo, providers, "2026-10")
    except Crash:
        pass
    repo.crash_after = None
    run(repo, providers, "2026-10")  # the rerun
    run(repo, providers, "2026-10")  # and once more: nothing changes
    got = {k: (s.payable, s.events, s.credits, s.status) for k, s in repo.statements.items()}
    assert got == _clean()
    assert all(r.statement_id for r in repo.records.values())


# ---------------------------------------------------------------- money conservation


MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]
record = st.tuples(
    st.sampled_from(["prv-a", "prv-b"]),
    st.sampled_from([SERVICE, "cleaning"]),
    st.sampled_from(MONTHS),
    st.sampled_from(["event", "credit"]),
    st.integers(min_value=1, max_value=50_000),  # cents
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(record, max_size=30),
    billing_missing=st.lists(st.tuples(st.sampled_from(["prv-a", "prv-b"]), st.sampled_from(MONTHS[:-1])), max_size=3),
    crash=st.one_of(st.none(), st.tuples(st.sampled_from(MONTHS), st.integers(min_value=0, max_value=40))),
)
def test_everything_recorded_is_paid_exactly_once_across_any_runs(records, billing_missing, crash):
    repo = FakeSettlement()
    providers = FakeProviders(provider("prv-a"), provider("prv-b"))
    expected: dict[tuple[str, str], int] = {}
    for i, (pid, service, month, kind, cents) in enumerate(records):
        amount = Money.from_cents(cents)
        w = (
            ev(f"r{i}", month, str(amount), service)
            if kind == "event"
            else credit(f"r{i}", month, str(amount), service)
        )
        repo.add(pid, w)
        expected[(pid, service)] = expected.get((pid, service), 0) + w.amount.cents
    for month in MONTHS:
        for pid in ("prv-a", "prv-b"):
            providers.by_id[pid] = provider(pid, with_billing=(pid, month) not in billing_missing)
        if crash and crash[0] == month:
            repo.crash_after = repo.writes + crash[1]
            try:
                run(repo, providers, month)
            except Crash:
                pass
            repo.crash_after = None
        run(repo, providers, month)
    # every record is in exactly one statement (the last month's billing is never missing)
    assert all(r.statement_id for r in repo.records.values())
    # paid over all runs + what is still carried = everything recorded, per provider and service
    for (pid, service), cents in expected.items():
        mine = sorted(
            (s for (p, sv, _), s in repo.statements.items() if (p, sv) == (pid, service)), key=lambda s: s.month
        )
        paid = sum(s.payable.cents for s in mine)
        assert paid + mine[-1].carried_out.cents == cents
        assert all(s.payable >= Money.zero() and s.carried_out <= Money.zero() for s in mine)
