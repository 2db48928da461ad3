"""Attachment rules: sniffing, limits, file names, download names, and what a service requires at
company level and per site (missing, expired, not yet valid, upload incomplete)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from seteli.domain.attachments import Attachment, AttachmentStatus
from seteli.domain.tenant import Content, MandatoryAttachments, Service, Text, Unit
from seteli.rules import attachments as rules
from seteli.rules.attachments import MissingAttachment, missing_mandatory, sniff_type

ON = date(2026, 6, 15)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def service(company=("trade-register-extract", "liability-insurance"), site=("self-monitoring-plan",)) -> Service:
    return Service(
        id="home-care",
        name=Text(fi="Kotihoito"),
        rulebook="home-care",
        contents=[Content(id="c", name=Text(fi="C"), unit=Unit.hour, voucher_value="32.00")],
        mandatory_attachments=MandatoryAttachments(company=list(company), site=list(site)),
    )


_n = 0


def att(type_id: str, part_id: str | None = None, *, status="ready", valid_from=None, valid_until=None) -> Attachment:
    global _n
    _n += 1
    return Attachment(
        id=f"att-{_n}",
        provider_id="prv-a",
        type_id=type_id,
        name=type_id,
        part_id=part_id,
        valid_from=valid_from,
        valid_until=valid_until,
        status=AttachmentStatus(status),
        filename="a.pdf",
        content_type="application/pdf",
        size=10,
        created_by="s",
        created_at=NOW,
        updated_at=NOW,
    )


def complete_set(sites=("site-1",)) -> list[Attachment]:
    out = [att("trade-register-extract"), att("liability-insurance")]
    out += [att("self-monitoring-plan", s) for s in sites]
    return out


# ---------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\xff\xd8\xff\xe1\x00\x10Exif", "image/jpeg"),
        (b"<!DOCTYPE html><html>", None),
        (b"<html><script>", None),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),  # a Windows executable
        (b"\x7fELF\x02\x01\x01", None),
        (b"PK\x03\x04", None),  # zip, docx
        (b" %PDF-1.7", None),  # the signature must be at the start
        (b"\x89PNG\r\n", None),  # a truncated signature
        (b"", None),
    ],
)
def test_sniff_type(first, expected):
    assert sniff_type(first) == expected


def test_sniff_needs_no_more_than_the_first_bytes():
    assert len(b"\x89PNG\r\n\x1a\n") <= rules.SNIFF_BYTES


# ---------------------------------------------------------------- declared upload


def fields(errors) -> list[str]:
    return [e.field for e in errors]


def test_a_declared_pdf_png_or_jpeg_of_10_mb_passes():
    assert rules.upload_problems("ote.pdf", "application/pdf", rules.MAX_BYTES) == []
    assert rules.upload_problems("KUVA.JPG", "image/jpeg", 1) == []
    assert rules.upload_problems("kuva.jpeg", "image/jpeg", 5) == []
    assert rules.upload_problems("kaavio.png", "image/png", 5) == []


def test_limits_and_types():
    assert rules.MAX_BYTES == 10 * 1024 * 1024
    assert fields(rules.upload_problems("a.pdf", "application/pdf", rules.MAX_BYTES + 1)) == ["body.size"]
    assert fields(rules.upload_problems("a.pdf", "application/pdf", 0)) == ["body.size"]
    assert fields(rules.upload_problems("a.html", "text/html", 10)) == ["body.content_type"]
    assert fields(rules.upload_problems("a.exe", "application/x-msdownload", 10)) == ["body.content_type"]
    assert fields(rules.upload_problems("setup.exe", "application/pdf", 10)) == ["body.filename"]
    assert fields(rules.upload_problems("kuva.png", "application/pdf", 10)) == ["body.filename"]
    assert fields(rules.upload_problems("", "application/pdf", 10)) == ["body.filename"]
    assert fields(rules.upload_problems("x" * 300 + ".pdf", "application/pdf", 10)) == ["body.filename"]
    msg = rules.upload_problems("a.pdf", "application/pdf", rules.MAX_BYTES + 1)[0].message
    assert "10 MB" in msg


def test_clean_filename_drops_directories_and_control_characters():
    assert rules.clean_filename("C:\\Users\\x\\ote.pdf") == "ote.pdf"
    assert rules.clean_filename("../../etc/ote.pdf") == "ote.pdf"
    assert rules.clean_filename(" o\x00te\n.pdf ") == "ote.pdf"


# ---------------------------------------------------------------- uploaded file


def test_uploaded_file_must_be_there_of_the_declared_size_and_type():
    pdf = b"%PDF-1.4\n"
    assert rules.uploaded_file_problem("application/pdf", 100, 100, pdf) is None
    assert rules.uploaded_file_problem("application/pdf", 100, None, b"")[1].startswith("nothing was uploaded")
    assert "larger than 10 MB" in rules.uploaded_file_problem("application/pdf", 100, rules.MAX_BYTES + 1, pdf)[1]
    assert "not the 100 bytes declared" in rules.uploaded_file_problem("application/pdf", 100, 101, pdf)[1]
    assert rules.uploaded_file_problem("application/pdf", 9, 9, b"<html>") == (
        "file",
        "the file is not a PDF, PNG or JPEG (its first bytes show no such file)",
    )
    assert rules.uploaded_file_problem("application/pdf", 9, 9, b"\xff\xd8\xff\xe0") == (
        "file",
        "the file is a JPEG image, not a PDF",
    )


# ---------------------------------------------------------------- download name


def test_content_disposition_is_always_attachment_with_an_ascii_fallback():
    assert rules.content_disposition("ote.pdf") == 'attachment; filename="ote.pdf"'
    assert rules.content_disposition("Työeläke.pdf") == (
        "attachment; filename=\"Tyoelake.pdf\"; filename*=UTF-8''Ty%C3%B6el%C3%A4ke.pdf"
    )
    quoted = rules.content_disposition('a"b;c%.pdf')
    assert quoted == "attachment; filename=\"a_b_c_.pdf\"; filename*=UTF-8''a%22b%3Bc%25.pdf"
    assert rules.content_disposition("日本.pdf") == (
        "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf"
    )
    assert rules.content_disposition("") == 'attachment; filename="attachment"'


# ---------------------------------------------------------------- validity


def test_validity_is_inclusive_at_both_ends():
    a = att("x", valid_from=date(2026, 6, 15), valid_until=date(2026, 6, 15))
    assert rules.state_on(a, ON) == "valid"
    assert rules.state_on(a, date(2026, 6, 14)) == "not_yet_valid"
    assert rules.state_on(a, date(2026, 6, 16)) == "expired"
    assert rules.state_on(att("x"), date(1990, 1, 1)) == "valid"  # open at both ends
    assert rules.state_on(att("x", status="pending"), ON) == "upload_incomplete"
    assert rules.validity_problems(date(2026, 2, 1), date(2026, 1, 31))[0].field == "body.valid_until"
    assert rules.validity_problems(date(2026, 2, 1), date(2026, 2, 1)) == []
    assert rules.validity_problems(None, date(2026, 2, 1)) == []


# ---------------------------------------------------------------- what a service requires


def test_nothing_missing_when_every_type_is_there_and_valid():
    assert missing_mandatory(service(), complete_set(("site-1", "site-2")), ["site-1", "site-2"], ON) == []


def test_everything_missing_names_type_and_site():
    out = missing_mandatory(
        service(),
        [],
        ["site-1"],
        ON,
        type_names={"self-monitoring-plan": "Self-monitoring plan"},
        site_names={"site-1": "Keskusta"},
    )
    assert [(m.type_id, m.site_id, m.reason) for m in out] == [
        ("trade-register-extract", None, "missing"),
        ("liability-insurance", None, "missing"),
        ("self-monitoring-plan", "site-1", "missing"),
    ]
    assert out[0].field == "attachments.company.trade-register-extract"
    assert out[0].message == "trade-register-extract at company level is missing (service home-care, on 2026-06-15)"
    assert out[2].field == "attachments.site.site-1.self-monitoring-plan"
    assert out[2].message.startswith("Self-monitoring plan for site Keskusta (site-1) is missing")
    assert all(isinstance(m, MissingAttachment) for m in out)


def test_site_requirements_are_per_site_and_not_met_at_company_level():
    atts = [att("trade-register-extract"), att("liability-insurance"), att("self-monitoring-plan")]  # company level
    atts.append(att("self-monitoring-plan", "site-1"))
    out = missing_mandatory(service(), atts, ["site-1", "site-2"], ON)
    assert [(m.type_id, m.site_id) for m in out] == [("self-monitoring-plan", "site-2")]
    # a site's attachment does not stand in for the company's
    out = missing_mandatory(service(site=()), [att("trade-register-extract", "site-1")], ["site-1"], ON)
    assert ("trade-register-extract", None, "missing") in [(m.type_id, m.site_id, m.reason) for m in out]


def test_no_sites_no_site_requirements():
    atts = [att("trade-register-extract"), att("liability-insurance")]
    assert missing_mandatory(service(), atts, [], ON) == []


def test_expired_not_yet_valid_and_incomplete_reasons():
    atts = [
        att("trade-register-extract", valid_until=date(2026, 6, 14)),
        att("liability-insurance", valid_from=date(2026, 6, 16)),
        att("self-monitoring-plan", "site-1", status="pending"),
    ]
    out = missing_mandatory(service(), atts, ["site-1"], ON)
    assert [(m.type_id, m.reason) for m in out] == [
        ("trade-register-extract", "expired"),
        ("liability-insurance", "not_yet_valid"),
        ("self-monitoring-plan", "upload_incomplete"),
    ]
    assert "has expired" in out[0].message and "is not valid yet" in out[1].message
    assert "has not been uploaded completely" in out[2].message


def test_one_valid_attachment_of_a_type_is_enough():
    atts = complete_set() + [att("trade-register-extract", valid_until=date(2020, 1, 1))]
    atts += [att("liability-insurance", status="pending")]
    assert missing_mandatory(service(), atts, ["site-1"], ON) == []


def test_the_best_reason_wins_when_several_are_wrong():
    atts = [
        att("trade-register-extract", status="pending"),
        att("trade-register-extract", valid_until=date(2026, 1, 1)),
    ]
    out = missing_mandatory(service(company=("trade-register-extract",), site=()), atts, [], ON)
    assert [m.reason for m in out] == ["expired"]


def test_requirement_states_report_the_longest_validity():
    atts = [
        att("trade-register-extract", valid_until=date(2026, 12, 31)),
        att("trade-register-extract", valid_until=date(2027, 3, 31)),
        att("liability-insurance"),
        att("liability-insurance", valid_until=date(2026, 12, 31)),
    ]
    states = {r.type_id: r for r in rules.requirement_states(service(site=()), atts, [], ON)}
    assert states["trade-register-extract"].state == "ok"
    assert states["trade-register-extract"].valid_until == date(2027, 3, 31)
    assert states["liability-insurance"].valid_until is None  # one is open-ended
    assert len(states["trade-register-extract"].attachment_ids) == 2


def test_repeated_site_ids_count_once():
    out = missing_mandatory(service(company=()), [], ["site-1", "site-1"], ON)
    assert len(out) == 1
