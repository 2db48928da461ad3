"""`seteli event import FILE.csv` against a simulated POST /v1/events/batch: both delimiters and
date formats, the local checks (nothing sent for a bad row), batches and progress, the report, a
rerun answered "already there", a personal identity code refused before anything is sent, exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx
import pytest

from seteli_client.commands import events_import as imp
from tests import client_fakes

problem = client_fakes.problem
HETU = "120345-312U"


class BatchApi(client_fakes.RecordingApi):
    """Records each row once per ``source_ref`` (a rerun answers 200 with the same event);
    refuses the decision numbers in ``refuse`` row by row, as the API does."""

    def __init__(self) -> None:
        super().__init__()
        self.by_ref: dict[str, dict] = {}
        self.refuse = {"JKL-2026-0199": ("no reservation of JKL-2026-0199 by your provider", "body.decision_number")}
        self.hook = None  # (batch body) -> a Response to answer instead, or None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path, body, _ = self.record(request)
        assert HETU not in request.content.decode()
        if path != "/v1/events/batch" or method != "POST":
            return problem(404, f"no route {method} {path}")
        if self.hook is not None:
            answer = self.hook(body)
            if answer is not None:
                return answer
        assert 1 <= len(body["events"]) <= 100
        results = []
        for i, e in enumerate(body["events"]):
            if e["decision_number"] in self.refuse:
                detail, fld = self.refuse[e["decision_number"]]
                results.append({"index": i, "ok": False, "status": 404, "created": False, "event": None,
                                "detail": detail, "errors": [{"field": fld, "message": "unknown"}]})  # fmt: skip
                continue
            ref = e["source_ref"]
            created = ref not in self.by_ref
            if created:
                self.by_ref[ref] = {
                    "id": f"ev-{len(self.by_ref) + 1}",
                    "decision_number": e["decision_number"],
                    "first_day": e["first_day"],
                    "quantity": "2.25",
                    "value": "72.00",
                    "own_share": "4.50",
                    "status": "draft" if e.get("draft") else "recorded",
                    "travel_km": e.get("travel_km"),
                    "notes": e.get("notes"),
                }
                if e.get("notes") == "yli":
                    self.by_ref[ref]["status"] = "pending_approval"
            results.append({"index": i, "ok": True, "status": 201 if created else 200, "created": created,
                            "event": self.by_ref[ref], "detail": None, "errors": []})  # fmt: skip
        n_ok = sum(r["ok"] for r in results)
        created = sum(r["created"] for r in results)
        return httpx.Response(200, json={"results": results, "created": created, "unchanged": n_ok - created,
                                         "refused": len(results) - n_ok})  # fmt: skip

    def sent(self) -> list[dict]:
        return [e for c in self.calls for e in c[2]["events"]]


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    monkeypatch.setattr(imp, "_sleep", lambda s: None)
    return BatchApi()


def write(tmp_path, text: str, name: str = "events.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(fake, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


FINNISH = (
    "\ufeffPäätösnumero;Sisältö;Toimipiste;Alkupvm;Loppupvm;Alkuaika;Loppuaika;Km;Antaja;Lisätiedot\n"
    "JKL-2026-0101;home-care-weekday;site-kyllo;2.11.2026;;9.00;11:15;8,4;Anna Hoitaja;avain ovella\n"
    "JKL-2026-0102;;;1.11.2026;30.11.2026;;;;;\n"
)


def test_a_finnish_file_semicolons_bom_and_finnish_dates(api, tmp_path, capsys):
    assert run(api, "event", "import", write(tmp_path, FINNISH)) == 0
    (call,) = api.calls
    assert call[1] == "/v1/events/batch"
    first, second = call[2]["events"]
    ref1 = first.pop("source_ref")
    assert first == {
        "decision_number": "JKL-2026-0101",
        "content_id": "home-care-weekday",
        "part_id": "site-kyllo",
        "first_day": "2026-11-02",
        "start_time": "09:00",
        "end_time": "11:15",
        "travel_km": "8.40",
        "giver": "Anna Hoitaja",
        "notes": "avain ovella",
    }
    assert ref1.startswith("csv1:") and len(ref1) == 5 + 64
    assert second == {"decision_number": "JKL-2026-0102", "first_day": "2026-11-01", "last_day": "2026-11-30",
                      "source_ref": second["source_ref"]}  # fmt: skip
    out = capsys.readouterr()
    assert "Imported events.csv: 2 rows; created 2, already there 0, refused 0." in out.out
    assert "rows 1-2 of 2 ... created 2, already there 0, refused 0" in out.err


def test_a_comma_file_with_iso_dates_and_english_headers(api, tmp_path):
    text = (
        "decision_number,content,first_day,start,end,quantity,notes\n"
        'JKL-2026-0101,home-care-weekday,2026-11-02,09:00,11:15,,"late, by bus"\n'
        'JKL-2026-0103,errand-help,2026-11-03,,,"1,5",\n'
    )
    assert run(api, "event", "import", write(tmp_path, text)) == 0
    first, second = api.sent()
    assert first["first_day"] == "2026-11-02" and first["notes"] == "late, by bus"
    assert second["quantity"] == "1.50" and "start_time" not in second


def test_the_fingerprint_is_the_event_not_its_notes_km_or_date_format():
    base = {"decision_number": "JKL-1", "first_day": "2026-11-02", "start_time": "09:00", "end_time": "11:15"}
    same = imp.fingerprint({**base, "notes": "other", "travel_km": "3.00", "giver": "X"})
    assert imp.fingerprint(base) == same
    assert imp.fingerprint(base) == imp.fingerprint({**base, "last_day": "2026-11-02", "decision_number": "jkl-1"})
    assert imp.fingerprint(base) != imp.fingerprint({**base, "end_time": "11:30"})
    assert imp.fingerprint(base) != imp.fingerprint({**base, "part_id": "site-2"})
    row_fi = imp.Row(1, 2, {"decision_number": "JKL-1", "first_day": "2.11.2026", "start": "9.00", "end": "11.15"})
    row_iso = imp.Row(2, 3, {"decision_number": "JKL-1", "first_day": "2026-11-02", "start": "09:00", "end": "11:15"})
    row_hour = imp.Row(3, 4, {"decision_number": "JKL-1", "first_day": "02.11.2026", "start": "9", "end": "11.15"})
    for row in (row_fi, row_iso, row_hour):
        imp.check_row(row)
    assert row_fi.ref == row_iso.ref == row_hour.ref == imp.fingerprint(base)


def test_bad_rows_are_refused_here_with_row_and_line_numbers(api, tmp_path, capsys):
    text = (
        "paatosnumero;pvm;alkaa;paattyy;maara\n"
        "JKL-2026-0101;2.11.2026;9:00;11:15;\n"  # row 1, line 2: fine
        "\n"  # a blank line: not a row
        "JKL-2026-0101;31.11.2026;9:00;11:15;\n"  # row 2, line 4: no such day
        ";3.11.2026;9:00;11:15;\n"  # row 3: no decision number
        "JKL-2026-0101;4.11.2026;9:00;;\n"  # row 4: start without end
        "JKL-2026-0101;5.11.2026;11:00;9:00;\n"  # row 5: ends before it starts
        "JKL-2026-0101;6.11.2026;;;1,234\n"  # row 6: three decimals
        "JKL-2026-0101;7.11.2026;9:00\n"  # row 7: too few fields
        "JKL-2026-0101;2.11.2026;09.00;11.15;\n"  # row 8: row 1 again
    )
    assert run(api, "event", "import", write(tmp_path, text)) == 1
    assert [e["first_day"] for e in api.sent()] == ["2026-11-02"]
    out = capsys.readouterr().out
    assert "Imported events.csv: 8 rows; created 1, already there 0, refused 7." in out
    assert "row 2 (line 4): JKL-2026-0101 31.11.2026 9:00-11:15: [pvm: not a calendar date]" in out
    assert "row 3 (line 5): - 3.11.2026 9:00-11:15: [paatosnumero: required]" in out
    assert "row 4 (line 6): JKL-2026-0101 4.11.2026 9:00: [paattyy: required with the other time" in out
    assert "row 5 (line 7): JKL-2026-0101 5.11.2026 11:00-9:00: [paattyy: must be after the start" in out
    assert "row 6 (line 8): JKL-2026-0101 6.11.2026: [maara: at most two decimals]" in out
    assert "row 7 (line 9): JKL-2026-0101 7.11.2026 9:00: has 3 fields, the header 5" in out
    assert "row 8 (line 10): JKL-2026-0101 2.11.2026 09.00-11.15: the same event as row 1 (line 2)" in out


def test_a_dry_run_sends_nothing(api, tmp_path, capsys):
    text = "decision_number;first_day\nJKL-2026-0101;2.11.2026\nJKL-2026-0101;2.13.2026\n"
    assert run(api, "event", "import", write(tmp_path, text), "--dry-run") == 1
    assert api.calls == []
    out = capsys.readouterr().out
    assert "2 rows; 1 would be sent, 1 refused here. Nothing was sent (--dry-run)." in out
    assert "row 2 (line 3)" in out
    assert (
        run(api, "event", "import", write(tmp_path, text.splitlines(True)[0] + "JKL-1;1.11.2026\n"), "--dry-run") == 0
    )


def many(n: int, dn: str = "JKL-2026-0101") -> str:
    lines = ["decision_number;first_day;start;end"]
    lines += [f"{dn};{1 + i % 30}.11.2026;{8 + i // 30 % 12}:00;{8 + i // 30 % 12}:45" for i in range(n)]
    return "\n".join(lines) + "\n"


def test_250_rows_go_in_three_calls_with_progress(api, tmp_path, capsys):
    assert run(api, "event", "import", write(tmp_path, many(250))) == 0
    assert [len(c[2]["events"]) for c in api.calls] == [100, 100, 50]
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "rows 1-100 of 250 ... created 100, already there 0, refused 0",
        "rows 101-200 of 250 ... created 100, already there 0, refused 0",
        "rows 201-250 of 250 ... created 50, already there 0, refused 0",
    ]


def test_batch_size_option(api, tmp_path, capsys):
    assert run(api, "event", "import", write(tmp_path, many(7)), "--batch", "3") == 0
    assert [len(c[2]["events"]) for c in api.calls] == [3, 3, 1]
    assert run(api, "event", "import", write(tmp_path, many(7)), "--batch", "101") == 2
    assert run(api, "event", "import", write(tmp_path, many(7)), "--batch", "0") == 2


def test_a_rerun_creates_no_duplicates(api, tmp_path, capsys):
    path = write(tmp_path, FINNISH)
    assert run(api, "event", "import", path) == 0
    capsys.readouterr()
    first_refs = [e["source_ref"] for e in api.sent()]
    assert run(api, "event", "import", path) == 0
    assert [e["source_ref"] for e in api.sent()[2:]] == first_refs
    assert len(api.by_ref) == 2
    out = capsys.readouterr()
    assert "created 0, already there 2, refused 0." in out.out
    assert "rows 1-2 of 2 ... created 0, already there 2, refused 0" in out.err


def test_a_rerun_with_other_notes_says_they_were_not_applied(api, tmp_path, capsys):
    assert run(api, "event", "import", write(tmp_path, FINNISH)) == 0
    capsys.readouterr()
    changed = FINNISH.replace("avain ovella", "avain naapurilla")
    assert run(api, "event", "import", write(tmp_path, changed)) == 0
    out = capsys.readouterr().out
    assert "created 0, already there 2" in out
    assert "row 1 (line 2): JKL-2026-0101 2.11.2026 9.00-11:15: ev-1 has other notes" in out


def test_rows_the_api_refuses_are_reported_row_by_row(api, tmp_path, capsys):
    text = "Päätösnumero;Alkupvm\nJKL-2026-0101;2.11.2026\nJKL-2026-0199;2.11.2026\nJKL-2026-0101;3.11.2026\n"
    assert run(api, "event", "import", write(tmp_path, text)) == 1
    out = capsys.readouterr().out
    assert "created 2, already there 0, refused 1." in out
    assert (
        "row 2 (line 3): JKL-2026-0199 2.11.2026: no reservation of JKL-2026-0199 by your provider "
        "[Päätösnumero: unknown]" in out
    )


def test_api_field_names_become_the_files_headers(api, tmp_path, capsys):
    api.refuse["JKL-2026-0102"] = ("outside the recording window", "body.first_day")
    text = "setelin numero;päivämäärä\nJKL-2026-0102;2.11.2026\n"
    assert run(api, "event", "import", write(tmp_path, text)) == 1
    assert "outside the recording window [päivämäärä: unknown]" in capsys.readouterr().out


def test_the_report_file_has_every_row(api, tmp_path, capsys):
    text = (
        "decision_number;first_day;start;end\nJKL-2026-0101;2.11.2026;9:00;11:15\nJKL-2026-0199;2.11.2026;;\nX;bad;;\n"
    )
    report = tmp_path / "out.csv"
    assert run(api, "event", "import", write(tmp_path, text), "--report", str(report)) == 1
    rows = list(csv.DictReader(report.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert [(r["row"], r["line"], r["result"]) for r in rows] == [
        ("1", "2", "created"),
        ("2", "3", "refused"),
        ("3", "4", "refused"),
    ]
    assert rows[0]["event_id"] == "ev-1" and rows[0]["value"] == "72.00" and rows[0]["status"] == "201"
    assert "no reservation" in rows[1]["reason"]
    assert "first_day: not a date" in rows[2]["reason"] and rows[2]["status"] == ""
    assert f"in {report}" in capsys.readouterr().err


def test_json_output(api, tmp_path, capsys):
    text = "decision_number;first_day\nJKL-2026-0101;2.11.2026\nJKL-2026-0199;2.11.2026\n"
    assert run(api, "event", "import", write(tmp_path, text), "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["rows"], data["created"], data["unchanged"], data["refused"]) == (2, 1, 0, 1)
    assert data["results"][1]["result"] == "refused" and data["results"][1]["line"] == 3


def test_pending_approval_is_counted_in_the_summary(api, tmp_path, capsys):
    text = "decision_number;first_day;notes\nJKL-2026-0101;2.11.2026;\nJKL-2026-0101;13.11.2026;yli\n"
    assert run(api, "event", "import", write(tmp_path, text)) == 0
    assert "1 of them wait for the municipality's approval (over the granted amount): rows 2" in capsys.readouterr().out


def test_drafts(api, tmp_path):
    assert run(api, "event", "import", write(tmp_path, FINNISH), "--draft") == 0
    assert all(e["draft"] is True for e in api.sent())


# ---------------------------------------------------------------- personal identity codes


@pytest.mark.parametrize("header", ["hetu", "Henkilötunnus", "asiakkaan hetu", "personal_id", "SOTU"])
def test_a_personal_identity_code_column_is_refused_before_anything_is_sent(api, tmp_path, capsys, header):
    text = f"decision_number;{header};first_day\nJKL-2026-0101;{HETU};2.11.2026\n"
    assert run(api, "event", "import", write(tmp_path, text)) == 2
    assert api.calls == []
    err = capsys.readouterr().err
    assert "personal identity codes" in err and "Nothing was sent" in err
    assert HETU not in err


def test_a_personal_identity_code_in_any_cell_is_refused(api, tmp_path, capsys):
    text = f"decision_number;first_day;notes\nJKL-2026-0101;2.11.2026;ok\nJKL-2026-0101;3.11.2026;asiakas {HETU}\n"
    assert run(api, "event", "import", write(tmp_path, text), "--json") == 2
    assert api.calls == []
    err = capsys.readouterr().err
    assert "row 2 (line 3), column 'notes': looks like a personal identity code" in err
    assert HETU not in err and "asiakas" not in err


def test_a_decision_number_is_not_mistaken_for_a_personal_identity_code():
    assert not imp.looks_like_hetu("JKL-2026-0101")
    assert not imp.looks_like_hetu("2.11.2026")
    assert imp.looks_like_hetu(HETU) and imp.looks_like_hetu("010203A1234")


# ---------------------------------------------------------------- the file as a whole


def test_a_file_without_the_required_columns_is_refused(api, tmp_path, capsys):
    assert run(api, "event", "import", write(tmp_path, "asiakas;pvm\nAino;2.11.2026\n")) == 2
    assert "no column for decision_number" in capsys.readouterr().err
    assert run(api, "event", "import", write(tmp_path, "decision_number\nJKL-1\n")) == 2
    assert "one column only" in capsys.readouterr().err
    assert run(api, "event", "import", write(tmp_path, "decision_number;pvm;date\n")) == 2
    assert "both mean first_day" in capsys.readouterr().err
    assert run(api, "event", "import", str(tmp_path / "missing.csv")) == 2
    assert run(api, "event", "import", write(tmp_path, "decision_number;first_day\n")) == 2
    assert "no rows" in capsys.readouterr().err
    assert api.calls == []


def test_unknown_columns_are_not_sent(api, tmp_path, capsys):
    text = "decision_number;first_day;asiakas\nJKL-2026-0101;2.11.2026;Aino Lehtonen\n"
    assert run(api, "event", "import", write(tmp_path, text)) == 0
    assert "Aino" not in json.dumps(api.sent())
    assert "not used (not sent): column(s) 'asiakas'" in capsys.readouterr().err


def test_a_windows_1252_file_is_read_with_a_note(api, tmp_path, capsys):
    text = "päätösnumero;päivämäärä;lisätiedot\nJKL-2026-0101;2.11.2026;käynti\n"
    assert run(api, "event", "import", write(tmp_path, text, encoding="cp1252")) == 0
    assert api.sent()[0]["notes"] == "käynti"
    assert "not UTF-8" in capsys.readouterr().err


# ---------------------------------------------------------------- the API in the way


def test_a_whole_batch_422_refuses_the_named_row_and_resends_the_rest(api, tmp_path, capsys):
    def strict(body):
        bad = [i for i, e in enumerate(body["events"]) if e.get("content_id") == "x" * 60]
        if bad:
            return problem(422, "request validation failed", f"body.events.{bad[0]}.content_id")
        return None

    api.hook = strict
    text = f"decision_number;first_day;content\nJKL-2026-0101;2.11.2026;\nJKL-2026-0101;3.11.2026;{'x' * 60}\n"
    assert run(api, "event", "import", write(tmp_path, text)) == 1
    assert [len(c[2]["events"]) for c in api.calls] == [2, 1]
    out = capsys.readouterr().out
    assert "created 1, already there 0, refused 1." in out
    assert "row 2 (line 3)" in out and "[content: request validation failed]" in out


def test_busy_api_is_retried(api, tmp_path, capsys):
    answers = [problem(429, "slow down"), None]
    api.hook = lambda body: answers.pop(0)
    assert run(api, "event", "import", write(tmp_path, FINNISH)) == 0
    assert len(api.calls) == 2
    assert "the API is busy (429); trying again" in capsys.readouterr().err


def test_an_api_failure_in_the_middle_stops_with_a_partial_report(api, tmp_path, capsys):
    api.hook = lambda body: problem(500, "internal error") if body["events"][0]["first_day"] != "2026-11-01" else None
    assert run(api, "event", "import", write(tmp_path, many(150)), "--batch", "100") == 1
    out = capsys.readouterr()
    assert "created 100, already there 0, refused 0." in out.out
    assert "50 rows were not sent: the API stopped the import at row 101" in out.out
    assert "Run the same file again" in out.out
    assert "rows 101-150 of 150 ... stopped" in out.err


def test_a_refusal_of_the_first_batch_is_the_usual_error(api, tmp_path, capsys):
    api.hook = lambda body: problem(403, "only a provider's users and API keys may do this")
    assert run(api, "event", "import", write(tmp_path, FINNISH)) == 1
    assert "only a provider's users" in capsys.readouterr().err


# ---------------------------------------------------------------- the sample and its documentation


ROOT = Path(__file__).resolve().parents[2]


def test_the_sample_file_is_clean_and_the_docs_show_it(api, capsys):
    sample = ROOT / "events" / "import-sample.csv"
    assert run(api, "event", "import", str(sample), "--dry-run") == 0
    assert "8 rows; 8 would be sent, 0 refused here" in capsys.readouterr().out
    docs = (ROOT / "docs" / "csv-import.md").read_text(encoding="utf-8")
    assert "```csv\n" + sample.read_text(encoding="utf-8") + "```" in docs


def test_header_spelling_does_not_matter():
    assert imp.column_of("PÄÄTÖS-NUMERO") == imp.column_of("Setelin numero") == "decision_number"
    assert imp.column_of("First day") == imp.column_of("alkupvm") == "first_day"
    assert imp.column_of("palvelun antaja") == "giver" and imp.column_of("asiakas") is None
