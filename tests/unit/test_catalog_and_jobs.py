"""The public catalogue from tenant data, and the monthly calendar's default months."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from seteli.domain.money import Money
from seteli.domain.tenant import Tenant
from seteli.errors import ValidationFailed
from seteli.services.catalog import public_services
from seteli.services.jobs import default_month, helsinki_today, run_job
from seteli.services.tenant_config import TenantNotLoaded, current_tenant, forget

TENANT = {
    "id": "t",
    "name": {"fi": "Testikunta", "sv": "Testkommun"},
    "settlement_mode": "self_billing",
    "rulebooks": [{"id": "rb", "version": "1", "title": {"fi": "Sääntökirja"}}],
    "search_attributes": [
        {"id": "lang", "name": {"fi": "Kielet", "sv": "Språk"}, "values": [{"fi": "ruotsi", "sv": "svenska"}]}
    ],
    "services": [
        {
            "id": "home-care",
            "name": {"fi": "Kotihoito", "sv": "Hemvård"},
            "rulebook": "rb",
            "search_attributes": ["lang"],
            "contents": [{"id": "weekday", "name": {"fi": "Arkipäivä"}, "unit": "hour", "voucher_value": "32.00"}],
        }
    ],
}


def test_public_services_in_swedish_fall_back_to_finnish():
    [s] = public_services(Tenant.model_validate(TENANT), "sv")
    assert s.name == "Hemvård"
    assert s.contents[0].name == "Arkipäivä"  # no Swedish given: Finnish
    assert s.contents[0].voucher_value == Money("32.00")
    assert s.search_attributes[0].values == ["svenska"]


class _Source:
    def __init__(self, tenant):
        self.tenant, self.calls = tenant, 0

    def get(self):
        self.calls += 1
        return self.tenant


def test_tenant_config_is_cached_for_a_minute():
    forget()
    src = _Source(Tenant.model_validate(TENANT))
    current_tenant(src, now=0)
    current_tenant(src, now=59)
    assert src.calls == 1
    current_tenant(src, now=61)
    assert src.calls == 2


def test_missing_tenant_config_is_503_not_500():
    forget()
    with pytest.raises(TenantNotLoaded) as err:
        current_tenant(_Source(None), now=0)
    assert err.value.status == 503


@pytest.mark.parametrize(
    ("job", "today", "month"),
    [
        ("auto-events", "2026-11-04", "2026-11"),
        ("settlement", "2026-11-04", "2026-10"),
        ("reminders", "2026-01-01", "2025-12"),
    ],
)
def test_default_month_of_each_job(job, today, month):
    assert default_month(job, datetime.fromisoformat(today).date()) == month


def test_schedule_time_is_read_in_helsinki():
    # 2026-11-30 23:30 UTC is already 1 December in Helsinki: settlement is for November
    now = datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert default_month("settlement", helsinki_today(now)) == "2026-11"


def test_unknown_job_names_the_field():
    with pytest.raises(ValidationFailed) as err:
        run_job("payday", None)
    assert err.value.errors[0].field == "job"
