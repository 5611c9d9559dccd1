"""``tthc import ...``: a summary line on success, one clear line and exit 1 when nothing was imported."""
from __future__ import annotations

from click.testing import CliRunner

from cli.main import main
from data.db import upgrade
from tests.test_import import SAMPLES


def test_imp201_cli_imports_samples_and_reports(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    upgrade(url)
    runner = CliRunner()
    for kind in ("units", "agencies", "procedures", "postal"):
        res = runner.invoke(main, ["import", kind, str(SAMPLES / f"{kind}.csv"), "--url", url, "--report-dir", str(tmp_path)])
        assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["import", "dossiers", str(SAMPLES / "dossiers.csv"), "--url", url, "--report-dir", str(tmp_path)])
    assert res.exit_code == 0 and "added 14, updated 0, unchanged 0, rejected 0" in res.output
    res = runner.invoke(main, ["import", "dossiers", str(SAMPLES / "dossiers-with-errors.csv"), "--url", url,
                               "--report-dir", str(tmp_path), "--chunk-rows", "2"])
    assert res.exit_code == 0 and "rejected 5" in res.output and "rejected rows: " in res.output
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    res = runner.invoke(main, ["import", "dossiers", str(empty), "--url", url])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == ["tthc import: empty.csv: tệp rỗng (0 byte) — the file is empty (0 bytes) (database unchanged)"]
    res = runner.invoke(main, ["import", "dossiers", str(SAMPLES / "dossiers.csv"), "--url", url, "--map", "nonsense"])
    assert res.exit_code == 1 and "HEADER=FIELD" in res.output


def test_imp202_cli_without_schema(tmp_path):
    res = CliRunner().invoke(main, ["import", "units", str(SAMPLES / "units.csv"), "--url", f"sqlite:///{tmp_path / 'none.sqlite'}"])
    assert res.exit_code == 1 and "tthc db upgrade" in res.output
