"""Rules of a provider's company data (spec 3): pure functions, no I/O.

- ``billing_for``: which billing details pay a part (a site's own wins over the company's).
- search attributes a provider gives must be the tenant's attributes and values.
- parts: a site needs an address and coordinates inside Finland; a unit or employee may name a site
  of the same provider; the last active site can never be passivated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from seteli.domain.geo import LAT_RANGE, LON_RANGE
from seteli.domain.provider import Billing, PartKind, Provider, ProviderPart
from seteli.domain.tenant import SearchAttribute
from seteli.errors import FieldError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


# ---------------------------------------------------------------- billing


def billing_for(
    provider: Provider, part: ProviderPart | None = None, site: ProviderPart | None = None
) -> Billing | None:
    """The billing details that pay for work done at ``part`` (None: the company level).

    A part's own billing wins (sites may have their own), then the billing of the part's ``site``
    (pass the site of a unit or employee), then the company's. None when there is none at all:
    settlement then moves the payment to the next run (spec 3.2: it is not lost).
    """
    for candidate in (part, site):
        if candidate is not None and candidate.billing is not None:
            return candidate.billing
    return provider.billing


# ---------------------------------------------------------------- search attributes


def _value_id(value) -> str:
    return value.id or value.fi


def normalise_search_attributes(values: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Values without repeats, in the order given; attributes without values are dropped
    (a provider without a value does not match that filter)."""
    out: dict[str, list[str]] = {}
    for attr, vals in values.items():
        unique = list(dict.fromkeys(vals))
        if unique:
            out[attr] = unique
    return out


def search_attribute_problems(
    values: Mapping[str, Iterable[str]],
    attributes: Iterable[SearchAttribute],
    field: str = "body.search_attributes",
) -> list[FieldError]:
    """Every attribute must be one of the tenant's, every value one of that attribute's values."""
    known = {a.id: {_value_id(v) for v in a.values} for a in attributes}
    errors: list[FieldError] = []
    for attr, vals in values.items():
        if attr not in known:
            names = ", ".join(sorted(known)) or "none defined"
            errors.append(FieldError(f"{field}.{attr}", f"not a search attribute of this municipality ({names})"))
            continue
        unknown = [v for v in vals if v not in known[attr]]
        if unknown:
            allowed = ", ".join(sorted(known[attr])) or "none defined"
            errors.append(FieldError(f"{field}.{attr}", f"unknown value; the values are: {allowed}"))
    return errors


# ---------------------------------------------------------------- parts


def in_finland(lat: float | None, lon: float | None) -> bool:
    return (
        lat is not None
        and lon is not None
        and LAT_RANGE[0] <= lat <= LAT_RANGE[1]
        and LON_RANGE[0] <= lon <= LON_RANGE[1]
    )


def active_sites(parts: Iterable[ProviderPart]) -> list[ProviderPart]:
    return [p for p in parts if p.kind == PartKind.site and p.active]


def part_problems(part: ProviderPart, parts: Iterable[ProviderPart], field: str = "body") -> list[FieldError]:
    """What is wrong with ``part`` (new or changed) among the provider's other ``parts``."""
    errors: list[FieldError] = []
    if part.kind == PartKind.site:
        if part.address is None:
            errors.append(FieldError(f"{field}.address", "a site needs its street address"))
        if part.lat is None or part.lon is None:
            errors.append(FieldError(f"{field}.lat", "a site needs its coordinates (lat, lon) for the map"))
        elif not in_finland(part.lat, part.lon):
            errors.append(FieldError(f"{field}.lat", "the coordinates are not in Finland"))
        if part.site_id is not None:
            errors.append(FieldError(f"{field}.site_id", "a site does not belong to another site"))
    else:
        if part.site_id is not None:
            site = next((p for p in parts if p.id == part.site_id), None)
            if site is None or site.kind != PartKind.site:
                errors.append(FieldError(f"{field}.site_id", "not a site of this provider"))
            elif not site.active and part.active:
                errors.append(FieldError(f"{field}.site_id", "the site is passive"))
        if part.billing is not None:
            errors.append(FieldError(f"{field}.billing", "only a site may have billing details of its own"))
        if (part.lat is None) != (part.lon is None):
            errors.append(FieldError(f"{field}.lat", "give both lat and lon, or neither"))
    return errors


def last_site_problem(before: ProviderPart, after: ProviderPart, parts: Iterable[ProviderPart]) -> str | None:
    """Why changing ``before`` to ``after`` would leave the provider without an active site."""
    was_site = before.kind == PartKind.site and before.active
    still_site = after.kind == PartKind.site and after.active
    if not was_site or still_site:
        return None
    if any(p.id != before.id for p in active_sites(parts)):
        return None
    return "the provider's last active site cannot be passivated: a provider always has a site; add another first"


# ---------------------------------------------------------------- ids


def slug(text: str, max_length: int = 24) -> str:
    """Letters and digits of ``text`` in lower case ASCII, dashes between words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    out = "-".join(words)[:max_length].strip("-")
    return out or "x"


def email_problem(email: str | None) -> str | None:
    if email is None:
        return None
    if len(email) > 254 or not EMAIL.match(email.strip()):
        return "not an email address (name@example.fi)"
    return None
