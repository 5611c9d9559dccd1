"""The operators' command line: JSON summary, clear one-line errors, exit codes."""
import json

from click.testing import CliRunner

from cli.main import main
from data.queries.reference import latest_complete_year, years_with_data


def _run(args, url):
    return CliRunner().invoke(main, args, env={"DATABASE_URL": url})


def test_cli001_summary_json_on_fixture(fixture_engine):
    url = fixture_engine.url.render_as_string(hide_password=False)
    result = _run(["summary", "--year", "2023", "--json"], url)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["levels"]["province"]["received"] == 3
    assert out["levels"]["district"]["on_time_rate"] == 0.5
    assert out["levels"]["commune"]["online_share"] == 0.5


def test_cli002_unknown_year_is_one_line(fixture_engine):
    url = fixture_engine.url.render_as_string(hide_password=False)
    result = _run(["summary", "--year", "2031"], url)
    assert result.exit_code == 1
    assert result.output.strip() == "tthc: no dossiers for 2031 (years with data: 2022, 2023)"


def test_cli003_missing_database(tmp_path):
    result = _run(["summary", "--year", "2023"], f"sqlite:///{tmp_path / 'nothing.sqlite'}")
    assert result.exit_code == 1
    assert "no database at" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "nothing.sqlite").exists()  # asking must not create an empty file


def test_cli004_unreachable_server():
    result = _run(["summary", "--year", "2023"], "postgresql+psycopg://postgres@127.0.0.1:1/test")
    assert result.exit_code == 1
    assert result.output.startswith("tthc: cannot read") and len(result.output.strip().splitlines()) == 1


def test_cli005_years(fixture_engine):
    assert years_with_data(fixture_engine) == [2023, 2022]
    assert latest_complete_year(fixture_engine) == 2023  # D5, D6 received in December 2023


def test_cli006_scorecard_json_contract(fixture_engine):
    """`tthc scorecard --json`: the contract other tools read, with the hand-computed values of
    tests/test_scorecard.py (Quế Sơn 51.92 of 100; Tam Kỳ 10.33 of 64, satisfaction not measured)."""
    import pytest

    url = fixture_engine.url.render_as_string(hide_password=False)
    result = _run(["scorecard", "--year", "2023", "--level", "district", "--json"], url)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["year"] == 2023 and [u["code"] for u in out["units"]] == ["509", "502"]
    qs, tk = out["units"]
    assert set(qs) == {"code", "name", "level", "total", "max_measured", "valid_to", "groups"}
    assert qs["valid_to"] is None  # in force all year (a former unit: its last day, docs/scorecard.md)
    assert (qs["name"], qs["level"], qs["max_measured"]) == ("Quế Sơn", "district", 100)
    assert qs["total"] == pytest.approx(15 + 4.5 + 2.5 + 8.25 + 11 / 3 + 9 + 9)
    assert list(qs["groups"]) == ["publicity", "progress", "online", "online_payment", "satisfaction", "digitisation"]
    assert qs["groups"]["progress"] == {"points": 15.0, "max": 20, "rate": 0.75}
    assert qs["groups"]["online_payment"] == {"points": 2.5, "max": 10, "rate": 0.25}
    assert tk["groups"]["satisfaction"] == {"points": None, "max": 18, "rate": None}
    assert tk["max_measured"] == 64 and tk["total"] == pytest.approx(3 + 22 / 3)
    month = json.loads(_run(["scorecard", "--year", "2023", "--month", "7", "--json"], url).output)
    assert month["month"] == 7 and [u["code"] for u in month["units"]] == ["509"]  # D3 only in July
    assert month["units"][0]["groups"]["progress"]["rate"] == 1.0
    communes = json.loads(_run(["scorecard", "--year", "2023", "--level", "commune", "--json"], url).output)
    assert {u["code"] for u in communes["units"]} == {"20641", "20650", "20335"}
    text = _run(["scorecard", "--year", "2023"], url)
    assert text.exit_code == 0 and "Quế Sơn" in text.output and "51.9" in text.output
    bad = _run(["scorecard", "--year", "2031", "--json"], url)
    assert bad.exit_code == 1 and bad.output.strip().startswith("tthc: no dossiers for 2031")


def test_cli011_commune_and_city_accounts(tmp_path):
    """`tthc user add --role commune --commune CODE` takes a commune in force (its row in the
    users table is the commune's unit) and refuses a district; `--role city` takes no unit."""
    from data.auth import get_user
    from data.db import make_engine
    from tests.conftest import load_fixture

    url = f"sqlite:///{tmp_path / 'users.sqlite'}"
    load_fixture(url)
    pw = "Mat-khau-xa-20641\n"
    r = CliRunner().invoke(main, ["user", "add", "dongphu", "--role", "commune", "--commune", "20641", "--password-stdin"],
                           env={"DATABASE_URL": url}, input=pw)
    assert r.exit_code == 0, r.output
    assert "role commune (20641)" in r.output
    assert get_user(make_engine(url), username="dongphu")["unit_code"] == "20641"
    r = CliRunner().invoke(main, ["user", "add", "xa-khac", "--role", "commune", "--commune", "509", "--password-stdin"],
                           env={"DATABASE_URL": url}, input=pw)
    assert r.exit_code != 0 and "no commune with code '509'" in r.output
    r = CliRunner().invoke(main, ["user", "add", "huyen-khac", "--role", "district", "--commune", "20641", "--password-stdin"],
                           env={"DATABASE_URL": url}, input=pw)
    assert r.exit_code != 0 and "--commune is for the commune role" in r.output
    r = CliRunner().invoke(main, ["user", "add", "thanhpho", "--role", "city", "--password-stdin"],
                           env={"DATABASE_URL": url}, input=pw)
    assert r.exit_code == 0 and "role city" in r.output
