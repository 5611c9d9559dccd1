"""Import by date (issue 19): a dossier's unit must be in force on its received date. New codes and names
of the two-tier structure import; a unit outside its life span is rejected with the reason and the
unit(s) in force that day. The catalogue is the demo's (2023 structure, 1 January and 1 July 2025)."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from data import demo
from data.importer import import_dossiers
from data.importer.columns import DOSSIER_FIELDS
from data.importer.report import read_report
from data.schema import Agency, Dossier
from tests.test_import import write_csv

HEADERS = {f.name: f.label for f in DOSSIER_FIELDS}
FIELDS = ("code", "procedure_code", "agency_code", "unit_code", "agency_name", "received_on", "due_on", "finished_on",
          "status", "channel")
HEADER = [HEADERS[f] for f in FIELDS]


@pytest.fixture
def catalogue_engine(empty_engine):
    demo.write_reference(empty_engine, np.random.default_rng(2114))  # the catalogue, no dossiers
    return empty_engine


def row(code, *, agency_code="", unit_code="", agency_name="", rec="16/03/2026", due="20/03/2026", fin="18/03/2026",
        proc="TP-X-01"):
    return [code, proc, agency_code, unit_code, agency_name, rec, due, fin, "10", "Trực tiếp"]


def imported(engine) -> dict:
    D, A = Dossier.__table__, Agency.__table__
    with engine.connect() as conn:
        return {r.code: (r.agency, r.district_code, r.commune_code) for r in conn.execute(
            select(D.c.code, A.c.code.label("agency"), D.c.district_code, D.c.commune_code)
            .join(A, A.c.id == D.c.agency_id))}


def test_ibd001_new_communes_import_by_name_code_and_unit_code(catalogue_engine, tmp_path):
    rows = [
        row("N1", agency_name="UBND Xã Nông Sơn"),                  # a commune of the city, by name
        row("N2", agency_name="Xã Quế Sơn Trung, thành phố Đà Nẵng"),  # its unit's name and the city
        row("N3", agency_code="X20656"),                            # the reused official code: that day's desk
        row("N4", unit_code="20656"),                               # the unit code an export writes
        row("N5", agency_name="Sở Tư pháp thành phố Đà Nẵng", proc="TP-T-01"),
        row("O1", agency_name="UBND Xã Quế Lộc", rec="16/03/2023", due="20/03/2023", fin="17/03/2023"),
        row("O2", agency_name="UBND Xã Quế Lộc", rec="17/03/2025", due="21/03/2025", fin="18/03/2025"),
        row("O3", agency_code="X20656", rec="16/03/2023", due="20/03/2023", fin="17/03/2023"),
        row("O4", agency_name="Sở Tư pháp", proc="TP-T-01", rec="16/03/2023", due="20/03/2023", fin="17/03/2023"),
    ]
    r = import_dossiers(catalogue_engine, write_csv(tmp_path / "new.csv", HEADER, rows), report_dir=tmp_path)
    assert (r.added, r.rejected) == (9, 0)
    got = imported(catalogue_engine)
    assert got["N1"] == got["N3"] == got["N4"] == ("X20656-2507", "509", "20656-2507")
    assert got["N2"][0] == "X20662-2507" and got["N2"][1] == "509"
    assert got["N5"] == ("STP-48", None, None)
    assert got["O1"] == ("X20671", "519", "20671")  # Quế Lộc of Nông Sơn in 2023
    assert got["O2"] == ("X20671-2501", "509", "20671-2501")  # of Quế Sơn from 1 January 2025
    assert got["O3"] == ("X20656", "519", "20656")  # Thị trấn Trung Phước
    assert got["O4"] == ("STP", None, None)


def test_ibd002_units_outside_their_life_span_are_rejected_with_the_unit_in_force(catalogue_engine, tmp_path):
    rows = [
        row("A1", agency_name="UBND Huyện Quế Sơn", proc="TP-H-01"),  # district level abolished on 1/7/2025
        row("A2", unit_code="509", proc="TP-H-01"),
        row("A3", agency_name="UBND Xã Sơn Viên"),                    # merged into Quế Lộc, then Xã Nông Sơn
        row("A4", agency_code="H519", proc="TP-H-01", rec="17/03/2025", due="21/03/2025", fin="18/03/2025"),
        row("A5", agency_name="UBND Xã Nông Sơn", rec="16/03/2023", due="20/03/2023", fin="17/03/2023"),
        row("OK", agency_name="UBND Xã Nông Sơn"),
    ]
    r = import_dossiers(catalogue_engine, write_csv(tmp_path / "old.csv", HEADER, rows), report_dir=tmp_path)
    assert (r.added, r.rejected) == (1, 5)
    rep = read_report(r.report_path)
    reasons = dict(zip(rep["Dòng / Line"], rep["Reason"]))
    assert reasons["2"] == ("Huyện Quế Sơn no longer exists from 01/07/2025: not in force on the received date "
                            "16/03/2026 (the district level was abolished); in force that day: Thành phố Đà Nẵng")
    assert reasons["3"] == reasons["2"]
    assert reasons["4"] == ("Xã Sơn Viên no longer exists from 01/01/2025: not in force on the received date "
                            "16/03/2026; in force that day: Xã Nông Sơn")
    assert reasons["5"].startswith("Huyện Nông Sơn no longer exists from 01/01/2025") and \
        reasons["5"].endswith("in force that day: Huyện Quế Sơn")
    assert reasons["6"] == "Xã Nông Sơn only exists from 01/07/2025: not in force on the received date 16/03/2023"
    vi = dict(zip(rep["Dòng / Line"], rep["Lý do"]))
    assert vi["4"].startswith("Xã Sơn Viên không còn từ 01/01/2025") and vi["4"].endswith("Xã Nông Sơn")
    assert set(imported(catalogue_engine)) == {"OK"}
