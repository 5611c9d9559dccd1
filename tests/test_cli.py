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
