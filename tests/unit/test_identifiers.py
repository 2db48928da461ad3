"""Identifiers: business ID, IBAN, BIC, personal identity code, RF reference; and the pydantic types."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from seteli.domain.identifiers import (
    Bic,
    BusinessId,
    Iban,
    PersonalId,
    RfReference,
    format_iban,
    format_rf,
    is_valid,
    mask_iban,
    normalise_bic,
    normalise_business_id,
    normalise_iban,
    normalise_personal_id,
    normalise_rf_reference,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2734561-5", "2734561-5"),
        ("27345615", "2734561-5"),
        (" 2734561-5 ", "2734561-5"),
        ("0737546-2", "0737546-2"),  # a leading zero is kept
        ("1234567-1", "1234567-1"),
    ],
)
def test_business_ids_are_stored_as_seven_digits_dash_check(typed, stored):
    assert normalise_business_id(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2734561-4", "check digit"),
        ("1234567-2", "check digit"),
        ("273456", "length"),
        ("27345A1-5", "format"),
        ("", "give the business ID"),
        (None, "as text"),
        (27345615, "as text"),
    ],
)
def test_bad_business_ids_say_why_without_the_value(typed, reason):
    with pytest.raises(ValueError, match=reason) as err:
        normalise_business_id(typed)
    if isinstance(typed, str) and typed:
        assert typed not in str(err.value)


def test_ibans():
    assert normalise_iban("fi21 1234 5600 0007 85") == "FI2112345600000785"
    assert normalise_iban("FI2112345600000785") == "FI2112345600000785"
    assert normalise_iban("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert format_iban("FI2112345600000785") == "FI21 1234 5600 0007 85"
    assert mask_iban("FI2112345600000785") == "FI** **** **** **07 85"
    for bad, reason in (
        ("FI21 1234 5600 0007 86", "check digit"),
        ("FI21", "not a valid IBAN"),
        ("XX00 1234", "not a valid IBAN"),
    ):
        with pytest.raises(ValueError, match=reason):
            normalise_iban(bad)


def test_bics():
    assert normalise_bic("ndeafihh") == "NDEAFIHH"
    assert normalise_bic("OKOYFIHHXXX") == "OKOYFIHHXXX"
    for bad in ("NDEA", "NDEAFIHHX", "1234FIHH"):
        assert not is_valid(normalise_bic, bad)


def test_personal_ids_and_rf_references():
    assert normalise_personal_id("131052-308t") == "131052-308T"
    assert not is_valid(normalise_personal_id, "131052-308U")
    assert normalise_rf_reference("rf18 5390 0754 7034") == "RF18539007547034"
    assert format_rf("RF18539007547034") == "RF18 5390 0754 7034"
    assert not is_valid(normalise_rf_reference, "RF19 5390 0754 7034")


class Payee(BaseModel):
    business_id: BusinessId
    iban: Iban
    bic: Bic
    personal_id: PersonalId | None = None
    reference: RfReference | None = None


def test_pydantic_types_normalise_and_name_the_field_without_the_value():
    p = Payee(business_id="27345615", iban="fi21 1234 5600 0007 85", bic="ndeafihh", reference="RF18539007547034")
    assert (p.business_id, p.iban, p.bic) == ("2734561-5", "FI2112345600000785", "NDEAFIHH")

    with pytest.raises(ValidationError) as err:
        Payee(business_id="2734561-4", iban="FI2112345600000786", bic="NDEA", personal_id="131052-308U")
    errors = err.value.errors(include_input=False, include_url=False)
    assert {e["loc"][0] for e in errors} == {"business_id", "iban", "bic", "personal_id"}
    text = str([e["msg"] for e in errors])
    for secret in ("2734561-4", "FI2112345600000786", "131052-308U"):
        assert secret not in text
    assert all(e["msg"].startswith("not a valid") for e in errors)


def test_the_json_schema_describes_the_types():
    schema = Payee.model_json_schema()
    assert schema["properties"]["business_id"]["pattern"] == r"^\d{7}-\d$"
    assert "IBAN" in schema["properties"]["iban"]["description"]
