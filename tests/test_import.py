"""tthc import: round trip, idempotence, updates, catalogues and every bad input of issue 7.

Each test writes into its own empty database (``empty_engine``: SQLite and PostgreSQL);
the fixture database is only read (exported). Expected answers come from
tests/fixture_data.py and from the sample files in data/samples.
"""
from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select

from data.aggregates import refresh_aggregates
from data.importer import ImportFileError, NothingValid, import_catalog, import_dossiers
from data.importer.columns import DOSSIER_FIELDS, fold
from data.importer.export import EXPORT_DOSSIER_FIELDS, export_catalog, export_dossiers
from data.importer.report import read_report
from data.schema import Agency, Dossier, DossierMonthStats, ImportRun, PostalDeployment, Procedure, Sector
from tests import fixture_data as fx
from tests.conftest import insert_fixture, rollup_and_regrouped

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
HEADERS = {f.name: f.label for f in DOSSIER_FIELDS}
D = Dossier.__table__


def load_catalogs(engine):
    with engine.begin() as conn:
        insert_fixture(conn, dossiers=False, deployments=())


def dossiers_by_code(engine) -> pd.DataFrame:
    """Every dossier column but the id, with the procedure and agency as codes."""
    P, A = Procedure.__table__, Agency.__table__
    cols = [c for c in D.c if c.name not in ("id", "procedure_id", "agency_id")]
    q = (select(*cols, P.c.code.label("procedure_code"), A.c.code.label("agency_code"))
         .select_from(D.join(P, P.c.id == D.c.procedure_id).join(A, A.c.id == D.c.agency_id)).order_by(D.c.code))
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all())
    for c in ("received_on", "due_on", "deadline_on", "finished_on", "returned_on"):
        df[c] = pd.to_datetime(df[c].astype(object).where(df[c].notna(), None)).dt.date
    for c in ("by_postal_staff", "has_fee", "paid_online", "digitised", "e_result"):
        df[c] = df[c].astype(bool)
    return df.reset_index(drop=True)


def stats_by_code(engine) -> pd.DataFrame:
    S, P, A = DossierMonthStats.__table__, Procedure.__table__, Agency.__table__
    q = (select(*[c for c in S.c if c.name not in ("agency_id", "procedure_id")], P.c.code.label("p"), A.c.code.label("a"))
         .select_from(S.join(P, P.c.id == S.c.procedure_id).join(A, A.c.id == S.c.agency_id)))
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all())
    return df.astype({c: "int64" for c in df.columns if c not in ("p", "a")}).sort_values(["ym", "a", "p"]).reset_index(drop=True)


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def write_csv(path: Path, header: list[str], rows: list[list], encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


BASE_HEADER = [HEADERS[f] for f in ("code", "procedure_code", "agency_code", "received_on", "due_on", "finished_on",
                                   "status", "channel")]


def row(code="X1", proc="TP-X-01", agency="X20641", rec="01/02/2023", due="13/02/2023", fin="02/02/2023",
        status="10", channel="Trực tiếp"):
    return [code, proc, agency, rec, due, fin, status, channel]


# ---------------------------------------------------------------- round trip, idempotence, updates

def test_imp001_round_trip_fixture_into_empty_database(fixture_engine, empty_engine, tmp_path):
    """Export the fixture's catalogues and dossiers, import them into an empty database: every row equal."""
    for kind in ("units", "agencies", "procedures", "postal"):
        export_catalog(fixture_engine, kind, tmp_path / f"{kind}.csv")
        r = import_catalog(empty_engine, kind, tmp_path / f"{kind}.csv", report_dir=tmp_path)
        assert r.rejected == 0, kind
    n = export_dossiers(fixture_engine, tmp_path / "dossiers.csv")
    assert n == len(fx.DOSSIERS)
    r = import_dossiers(empty_engine, tmp_path / "dossiers.csv", report_dir=tmp_path)
    assert (r.added, r.updated, r.unchanged, r.rejected) == (len(fx.DOSSIERS), 0, 0, 0)
    assert r.report_path is None
    pd.testing.assert_frame_equal(dossiers_by_code(empty_engine), dossiers_by_code(fixture_engine))
    pd.testing.assert_frame_equal(stats_by_code(empty_engine), stats_by_code(fixture_engine))
    assert count(empty_engine, PostalDeployment) == len(fx.POSTAL_DEPLOYMENTS)
    with empty_engine.connect() as conn:
        names = dict(conn.execute(select(Agency.code, Agency.name)).all())
    assert names["H509"] == "UBND Huyện Quế Sơn" and names["STP"] == "Sở Tư pháp"


def test_imp002_reimport_changes_nothing(fixture_engine, empty_engine, tmp_path):
    load_catalogs(empty_engine)
    export_dossiers(fixture_engine, tmp_path / "d.csv")
    import_dossiers(empty_engine, tmp_path / "d.csv", report_dir=tmp_path)
    before = dossiers_by_code(empty_engine), stats_by_code(empty_engine)
    r = import_dossiers(empty_engine, tmp_path / "d.csv", report_dir=tmp_path)
    assert (r.added, r.updated, r.unchanged, r.rejected) == (0, 0, len(fx.DOSSIERS), 0)
    pd.testing.assert_frame_equal(dossiers_by_code(empty_engine), before[0])
    pd.testing.assert_frame_equal(stats_by_code(empty_engine), before[1])
    with empty_engine.connect() as conn:
        runs = conn.execute(select(ImportRun.kind, ImportRun.added, ImportRun.unchanged).order_by(ImportRun.id)).all()
    assert runs == [("dossiers", len(fx.DOSSIERS), 0), ("dossiers", 0, len(fx.DOSSIERS))]


def test_imp003_update_export_finishes_an_open_dossier(fixture_engine, empty_engine, tmp_path):
    """D5 was in progress; the next export has it finished and one new dossier: 1 added, 1 updated."""
    load_catalogs(empty_engine)
    export_dossiers(fixture_engine, tmp_path / "d.csv")
    import_dossiers(empty_engine, tmp_path / "d.csv", report_dir=tmp_path)
    df = pd.read_csv(tmp_path / "d.csv", dtype=str, keep_default_na=False)
    i = df.index[df[HEADERS["code"]] == "D5"][0]
    df.loc[i, [HEADERS["finished_on"], HEADERS["returned_on"], HEADERS["status"]]] = ["03/01/2024", "04/01/2024", "Đã trả kết quả"]
    new = df.loc[i].copy()
    new[HEADERS["code"]] = "D8"
    df = pd.concat([df, new.to_frame().T], ignore_index=True)
    df.to_csv(tmp_path / "d2.csv", index=False)
    r = import_dossiers(empty_engine, tmp_path / "d2.csv", report_dir=tmp_path)
    assert (r.added, r.updated, r.unchanged, r.rejected) == (1, 1, len(fx.DOSSIERS) - 1, 0)
    got = dossiers_by_code(empty_engine).set_index("code")
    assert got.loc["D5", "finished_on"] == dt.date(2024, 1, 3)
    assert got.loc["D5", "returned_on"] == dt.date(2024, 1, 4)
    assert got.loc["D5", "status"] == 10
    # The incremental refresh equals a full rebuild, and left the month x agency rollup
    # equal to the detail rows summed again (D5 moved from December's stock to January's late).
    incremental = stats_by_code(empty_engine)
    rollup, regrouped = rollup_and_regrouped(empty_engine)
    pd.testing.assert_frame_equal(rollup, regrouped)
    assert rollup[(rollup.ym == 202401)].finished_late.sum() == 2
    with empty_engine.begin() as conn:
        refresh_aggregates(conn)
    pd.testing.assert_frame_equal(incremental, stats_by_code(empty_engine))
    pd.testing.assert_frame_equal(rollup, rollup_and_regrouped(empty_engine)[0])
    # D5 was open and overdue at the end of December 2023 and still counts there; January 2024 has it late.
    jan = incremental[(incremental.ym == 202401) & (incremental.a == "H502")]
    assert jan.finished_late.sum() == 2 and jan.received.sum() == 0


def test_imp004_update_keeps_columns_the_file_does_not_have(empty_engine, tmp_path):
    """An import never deletes what it was not told: a file without the flag columns keeps them."""
    load_catalogs(empty_engine)
    full = BASE_HEADER + [HEADERS["has_fee"], HEADERS["digitised"]]
    write_csv(tmp_path / "a.csv", full, [row() + ["Có", "x"]])
    import_dossiers(empty_engine, tmp_path / "a.csv", report_dir=tmp_path)
    write_csv(tmp_path / "b.csv", BASE_HEADER, [row(fin="", status="Đang xử lý")])
    r = import_dossiers(empty_engine, tmp_path / "b.csv", report_dir=tmp_path)
    assert r.updated == 1
    got = dossiers_by_code(empty_engine).iloc[0]
    assert got.has_fee and got.digitised and pd.isna(got.finished_on) and got.status == 4


# ---------------------------------------------------------------- samples and formats

def test_imp005_samples_import_cleanly(empty_engine, tmp_path):
    for kind in ("units", "agencies", "procedures", "postal"):
        r = import_catalog(empty_engine, kind, SAMPLES / f"{kind}.csv", report_dir=tmp_path)
        assert r.rejected == 0 and r.added > 0, kind
    r = import_dossiers(empty_engine, SAMPLES / "dossiers.csv", report_dir=tmp_path)
    assert (r.added, r.rejected) == (14, 0)
    r = import_dossiers(empty_engine, SAMPLES / "dossiers.xlsx", report_dir=tmp_path)
    assert (r.added, r.updated, r.unchanged, r.rejected) == (0, 0, 14, 0)
    assert any("Ghi chú" in n for n in r.notes)
    r = import_dossiers(empty_engine, SAMPLES / "dossiers-update.csv", report_dir=tmp_path)
    assert (r.added, r.updated, r.unchanged) == (1, 1, 13)
    r = import_dossiers(empty_engine, SAMPLES / "dossiers-with-errors.csv", report_dir=tmp_path)
    assert (r.unchanged, r.rejected) == (4, 5)
    rep = read_report(r.report_path)
    assert list(rep.columns) == ["Dòng / Line", "Cột / Column", "Giá trị / Value", "Lý do", "Reason"]
    assert set(rep["Dòng / Line"]) == {"6", "7", "8", "9", "10"}
    assert (rep["Lý do"] != "").all() and (rep["Reason"] != "").all()


def test_imp006_headers_labels_and_date_forms(empty_engine, tmp_path):
    """English headers, portal codes or Vietnamese labels, d/m/yyyy with time or ISO: all the same."""
    load_catalogs(empty_engine)
    header = ["dossier code", "Procedure code", "UNIT CODE", "Received on", "due_on", "Finished on", "Status", "channel"]
    rows = [["A", "TP-X-01", "20641", "1/2/2023 08:30", "2023-02-02", "2023-02-02T10:00:00", "da tra ket qua", "2"],
            ["B", "TP-X-01", "20641", "01/02/2023", "02/02/2023 17:00", "02/02/2023", "10", "trực tuyến"],
            ["C", "TP-X-01", "20641", "01/02/2023", "02/02/2023", "", "Đang xử lý", "Bưu chính công ích"]]
    # No day here is over 12: the file alone cannot tell 1/2 from 2/1, so the order is given.
    r = import_dossiers(empty_engine, write_csv(tmp_path / "en.csv", header, rows), report_dir=tmp_path, date_order="dmy")
    assert (r.added, r.rejected) == (3, 0)
    got = dossiers_by_code(empty_engine).set_index("code")
    assert got.loc["A"].tolist() == got.loc["B"].tolist()
    assert got.loc["A", "agency_code"] == "X20641" and got.loc["A", "district_code"] == "509"
    assert got.loc["C", "channel"] == 3 and got.loc["C", "status"] == 4


def test_imp007_mapping_option(empty_engine, tmp_path):
    load_catalogs(empty_engine)
    header = ["Số biên nhận"] + BASE_HEADER[1:]
    path = write_csv(tmp_path / "m.csv", header, [row()])
    with pytest.raises(ImportFileError, match="Mã hồ sơ"):
        import_dossiers(empty_engine, path, report_dir=tmp_path)
    r = import_dossiers(empty_engine, path, mapping={"Số biên nhận": "code"}, report_dir=tmp_path)
    assert r.added == 1


# ---------------------------------------------------------------- bad input

def _unchanged(engine, fn):
    before = (count(engine, Dossier), count(engine, ImportRun), count(engine, DossierMonthStats))
    fn()
    assert (count(engine, Dossier), count(engine, ImportRun), count(engine, DossierMonthStats)) == before


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"  \n\n", "empty"),
    ("Mã hồ sơ,Mã thủ tục,Mã cơ quan,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái,Kênh nộp\n".encode(), "only a header"),
    ("Mã hồ sơ:Mã thủ tục:Mã cơ quan:Ngày tiếp nhận\nA:B:C:D\n".encode(), "only one column"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a table"),
    ("Kính gửi Ủy ban nhân dân tỉnh Quảng Nam,\nđây là một lá thư, không phải bảng.\n".encode(), "no table header"),
    ("Mã hồ sơ,Ngày tiếp nhận\nA,01/01/2023\n".encode(), "required column missing"),
], ids=["empty", "blank", "headers-only", "wrong-delimiter", "binary", "prose", "missing-columns"])
def test_imp008_whole_file_problems_say_what_and_leave_db_unchanged(empty_engine, tmp_path, content, message):
    load_catalogs(empty_engine)
    path = tmp_path / "bad.csv"
    path.write_bytes(content)

    def run():
        with pytest.raises(ImportFileError) as exc:
            import_dossiers(empty_engine, path, report_dir=tmp_path)
        text = str(exc.value)
        assert message in text and "bad.csv" in text and "\n" not in text

    _unchanged(empty_engine, run)


def test_imp009_semicolon_delimiter_bom_and_cp1258(empty_engine, tmp_path):
    load_catalogs(empty_engine)
    write_csv(tmp_path / "semi.csv", BASE_HEADER, [row("S1")], delimiter=";")
    write_csv(tmp_path / "bom.csv", BASE_HEADER, [row("S2", channel="Trực tuyến")], encoding="utf-8-sig")
    cp = tmp_path / "cp1258.csv"
    text = ",".join(BASE_HEADER) + "\n" + ",".join(row("S3", status="Đã trả kết quả", channel="Bưu chính công ích")) + "\n"
    cp.write_bytes(to_cp1258(text))
    with pytest.raises(UnicodeDecodeError):
        cp.read_bytes().decode("utf-8")
    for name in ("semi.csv", "bom.csv", "cp1258.csv"):
        r = import_dossiers(empty_engine, tmp_path / name, report_dir=tmp_path)
        assert (r.added, r.rejected) == (1, 0), name
    got = dossiers_by_code(empty_engine).set_index("code")
    assert got.loc["S2", "channel"] == 2 and got.loc["S3", "channel"] == 3 and got.loc["S3", "status"] == 10


def to_cp1258(text: str) -> bytes:
    """Windows-1258 spells Vietnamese with precomposed vowels and combining tone marks."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def test_imp010_xlsx_merged_header_and_several_sheets(empty_engine, tmp_path):
    load_catalogs(empty_engine)
    wb = openpyxl.Workbook()
    for k, title in enumerate(("Quý 1", "Quý 2")):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = title
        ws.append(["BÁO CÁO HỒ SƠ"])
        ws.merge_cells("A1:H1")
        ws.append(["Mã hồ sơ", "Mã thủ tục", "Mã cơ quan", "Ngày", None, None, "Trạng thái", "Kênh nộp"])
        ws.append([None, None, None, "Tiếp nhận", "Hẹn trả", "Kết thúc xử lý", None, None])
        for c in ("A", "B", "C", "G", "H"):
            ws.merge_cells(f"{c}2:{c}3")
        ws.merge_cells("D2:F2")
        ws.append([f"Q{k}a", "TP-X-01", "X20641", dt.datetime(2023, 2 + 3 * k, 1, 8, 0), dt.date(2023, 2 + 3 * k, 2),
                   dt.date(2023, 2 + 3 * k, 2), 10, "Trực tiếp"])
        ws.append([f"Q{k}b", "TP-X-01", "X20641", "31/02/2023", "02/03/2023", None, 4, 1])
    wb.create_sheet("Trống")
    wb.save(tmp_path / "merged.xlsx")
    r = import_dossiers(empty_engine, tmp_path / "merged.xlsx", report_dir=tmp_path)
    assert (r.added, r.rejected) == (2, 2)
    rep = read_report(r.report_path)
    assert rep["Dòng / Line"].tolist() == ["Quý 1!5", "Quý 2!5"]
    assert rep["Giá trị / Value"].tolist() == ["31/02/2023", "31/02/2023"]
    got = dossiers_by_code(empty_engine).set_index("code")
    assert got.loc["Q1a", "received_on"] == dt.date(2023, 5, 1)


def test_imp011_not_an_xlsx(empty_engine, tmp_path):
    (tmp_path / "fake.xlsx").write_text("Mã hồ sơ,Mã thủ tục\n")
    with pytest.raises(ImportFileError, match="fake.xlsx: .*not a valid .xlsx"):
        import_dossiers(empty_engine, tmp_path / "fake.xlsx", report_dir=tmp_path)


def test_imp012_rows_rejected_with_reasons(empty_engine, tmp_path):
    """31/02, negative and absurd durations, unknown codes and labels: rejected, each with its reason; the rest go in."""
    load_catalogs(empty_engine)
    rows = [
        row("OK1"),
        row("R1", rec="31/02/2023"),                                  # line 3: no such day
        row("R2", rec="10/03/2023", due="01/03/2023", fin=""),        # 4: due before received
        row("R3", rec="10/03/2023", due="11/03/2023", fin="01/03/2023"),  # 5: negative duration
        row("R4", rec="10/03/2023", due="10/03/2030", fin=""),        # 6: absurd duration
        row("R5", proc="NOPE"),                                       # 7: unknown procedure
        row("R6", agency="X99999"),                                   # 8: unknown agency
        row("R7", status="11"),                                       # 9: unknown status
        row("R8", channel="fax"),                                     # 10: unknown channel
        row("R9", fin=""),                                            # 11: finished status, no finish date
        row("", ),                                                    # 12: no code
        row("R10", rec="01/02/1999"),                                 # 13: outside the calendar
    ]
    r = import_dossiers(empty_engine, write_csv(tmp_path / "rows.csv", BASE_HEADER, rows), report_dir=tmp_path)
    assert (r.added, r.rejected) == (1, 11)
    rep = read_report(r.report_path)
    reasons = dict(zip(rep["Dòng / Line"], rep["Reason"]))
    assert set(reasons) == {str(i) for i in range(3, 14)}
    assert "not a valid date" in reasons["3"] and "due date before" in reasons["4"]
    assert "negative" in reasons["5"] and "absurd" in reasons["6"] and "procedure" in reasons["7"]
    assert "agency" in reasons["8"] and "status" in reasons["9"] and "channel" in reasons["10"]
    assert "finish date" in reasons["11"] and "required" in reasons["12"] and "2015" in reasons["13"]
    assert count(empty_engine, Dossier) == 1


def test_imp013_duplicate_codes_in_a_file(empty_engine, tmp_path):
    load_catalogs(empty_engine)
    rows = [row("A"), row("B"), row("A", fin="01/02/2023"), row("C")]
    r = import_dossiers(empty_engine, write_csv(tmp_path / "dup.csv", BASE_HEADER, rows), report_dir=tmp_path)
    assert (r.added, r.rejected) == (2, 2)
    rep = read_report(r.report_path)
    assert rep["Dòng / Line"].tolist() == ["2", "4"]
    assert all("lines 2, 4" in x for x in rep["Reason"])
    assert sorted(dossiers_by_code(empty_engine)["code"]) == ["B", "C"]


def test_imp014_nothing_valid_leaves_database_unchanged(empty_engine, tmp_path):
    load_catalogs(empty_engine)
    path = write_csv(tmp_path / "allbad.csv", BASE_HEADER, [row("A", rec="31/02/2023"), row("B", proc="NOPE")])

    def run():
        with pytest.raises(NothingValid, match="no valid rows: 2 rows rejected") as exc:
            import_dossiers(empty_engine, path, report_dir=tmp_path)
        assert len(read_report(exc.value.result.report_path)) == 2

    _unchanged(empty_engine, run)


def test_imp015_failure_half_way_rolls_back(empty_engine, tmp_path, monkeypatch):
    load_catalogs(empty_engine)
    path = write_csv(tmp_path / "ok.csv", BASE_HEADER, [row("A"), row("B")])
    import data.importer.dossiers as mod

    def boom(conn, months):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mod, "refresh_aggregates_for", boom)

    def run():
        with pytest.raises(RuntimeError, match="disk full"):
            import_dossiers(empty_engine, path, report_dir=tmp_path)

    _unchanged(empty_engine, run)


def test_imp016_large_file_streams_in_chunks(empty_engine, tmp_path):
    """A generated 30,000-row file read 1,000 rows at a time; a code repeated across chunks is still caught."""
    load_catalogs(empty_engine)
    n = 30_000
    days = pd.date_range("2023-01-02", periods=300, freq="D")
    rec = days[pd.RangeIndex(n) % 300]
    df = pd.DataFrame({
        HEADERS["code"]: [f"G{i:06d}" for i in range(n)],
        HEADERS["procedure_code"]: "TP-X-01",
        HEADERS["unit_code"]: "20650",
        HEADERS["received_on"]: rec.strftime("%d/%m/%Y"),
        HEADERS["due_on"]: (rec + pd.Timedelta(days=3)).strftime("%d/%m/%Y"),
        HEADERS["finished_on"]: (rec + pd.Timedelta(days=2)).strftime("%d/%m/%Y %H:%M"),
        HEADERS["status"]: "10",
        HEADERS["channel"]: "Trực tiếp",
    })
    df.loc[n - 5, HEADERS["code"]] = "G000010"
    df.to_csv(tmp_path / "big.csv", index=False)
    calls = []
    r = import_dossiers(empty_engine, tmp_path / "big.csv", report_dir=tmp_path, chunk_rows=1_000, progress=calls.append)
    assert len(calls) == 30 and sum(calls) == n
    assert (r.rows_read, r.added, r.rejected) == (n, n - 2, 2)
    assert read_report(r.report_path)["Dòng / Line"].tolist() == ["12", str(n - 5 + 2)]
    with empty_engine.connect() as conn:
        got = conn.execute(select(func.sum(DossierMonthStats.received))).scalar_one()
    assert got == n - 2


def test_imp017_catalogue_rejections_and_updates(empty_engine, tmp_path):
    load_catalogs(empty_engine)
    header = ["Mã thủ tục", "Tên thủ tục", "Mã lĩnh vực", "Lĩnh vực", "Cấp thực hiện", "Mức độ trực tuyến", "Thời hạn giải quyết"]
    rows = [["TP-X-01", "Đăng ký khai sinh (sửa)", "TP", "", "xã", "toàn trình", "1"],
            ["YT-X-01", "Cấp giấy chứng sinh", "YT", "Y tế", "commune", "một phần", "3"],
            ["BAD-1", "Thủ tục lỗi", "YT", "", "quận", "full", "3"],
            ["BAD-2", "Thủ tục lỗi", "YT", "", "xã", "full", "-1"]]
    r = import_catalog(empty_engine, "procedures", write_csv(tmp_path / "p.csv", header, rows), report_dir=tmp_path)
    assert (r.added, r.updated, r.unchanged, r.rejected) == (1, 1, 0, 2)
    with empty_engine.connect() as conn:
        sectors = dict(conn.execute(select(Sector.code, Sector.name)).all())
    assert sectors["YT"] == "Y tế"
    units = write_csv(tmp_path / "u.csv", ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp", "Mã đơn vị cấp trên"],
                      [["20653", "Xã Quế Xuân 2", "xã", "xã", "509"], ["99999", "Xã Ma", "xã", "xã", "888"]])
    r = import_catalog(empty_engine, "units", units, report_dir=tmp_path)
    assert (r.added, r.rejected) == (1, 1)
    with empty_engine.connect() as conn:
        ag = conn.execute(select(Agency.code, Agency.district_code, Agency.level).where(Agency.unit_code == "20653")).one()
    assert tuple(ag) == ("X20653", "509", "commune")


def test_imp018_header_fold():
    assert fold(" Mã hồ sơ ") == "ma_ho_so" == fold("MA_HO_SO")
    assert fold("Ngày kết thúc xử lý") == "ngay_ket_thuc_xu_ly"
    assert fold(unicodedata.normalize("NFD", "Đơn vị")) == "don_vi"
    assert set(EXPORT_DOSSIER_FIELDS) <= {f.name for f in DOSSIER_FIELDS}


def test_imp019_cached_answers_follow_an_import(empty_engine, tmp_path, monkeypatch):
    """The app caches query results by data version; an import changes it, so the next
    request after the version check (every few seconds) sees the new data without a restart."""
    import flask

    import data.cache as cache
    from data.queries.imports import import_history

    monkeypatch.setattr(cache, "_configured", False)
    cache.init_cache(flask.Flask("imp019"))
    cache.reset_version()
    try:
        load_catalogs(empty_engine)
        write_csv(tmp_path / "one.csv", BASE_HEADER, [row("A")])
        import_dossiers(empty_engine, tmp_path / "one.csv", report_dir=tmp_path)
        assert import_history(empty_engine)[1] == 1
        write_csv(tmp_path / "two.csv", BASE_HEADER, [row("B"), row("C")])
        import_dossiers(empty_engine, tmp_path / "two.csv", report_dir=tmp_path)
        monkeypatch.setattr(cache, "VERSION_TTL", 3600.0)
        assert import_history(empty_engine)[1] == 1  # cached, version not checked again yet
        monkeypatch.setattr(cache, "VERSION_TTL", 0.0)
        history, total = import_history(empty_engine)
        assert total == 2 and history["added"].tolist() == [2, 1]
    finally:
        cache.cache.clear()
        cache.reset_version()
        monkeypatch.setattr(cache, "_configured", False)


# ---------------------------------------------------------------- rows with more fields than the header

GOOD_LINE = "{code},TP-X-01,X20641,13/01/2023,0{due}/02/2023,02/02/2023,10,Trực tiếp"


def test_imp020_row_longer_than_the_header_is_rejected_with_its_line(empty_engine, tmp_path):
    """An unquoted separator adds a field: the row is rejected, not cut to the header's width (its first
    eight values would pass every check); one, two or more extra fields; the other rows keep their values."""
    load_catalogs(empty_engine)
    lines = [",".join(BASE_HEADER),
             GOOD_LINE.format(code="A1", due=2),                        # 2
             GOOD_LINE.format(code="S1", due=2) + ",1",                 # 3: 9 fields, passes every check when cut
             GOOD_LINE.format(code="A2", due=3),                        # 4
             GOOD_LINE.format(code="S2", due=2) + ",,Quế Sơn",          # 5: 10 fields, the first extra one empty
             "",                                                        # 6: blank, skipped
             GOOD_LINE.format(code="S3", due=2) + ",a,b,c",             # 7: 11 fields
             '"Q,1",TP-X-01,X20641,01/02/2023,04/02/2023,02/02/2023,10,"Trực tiếp"',  # 8: quoted comma: one field
             GOOD_LINE.format(code="S4", due=2) + ",x,y"]               # 9: 10 fields, the last line
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for chunk_rows in (100_000, 2):  # the same whether the long rows fall inside, at the edge of or after a chunk
        r = import_dossiers(empty_engine, path, report_dir=tmp_path, chunk_rows=chunk_rows)
        assert (r.rows_read, r.rejected) == (7, 4)
        rep = read_report(r.report_path)
        assert rep["Dòng / Line"].tolist() == ["3", "5", "7", "9"]
        assert rep["Reason"].tolist() == [f"the row has more fields than the header ({n} > 8): a value containing the "
                                          "separator , must be quoted" for n in (9, 10, 11, 10)]
        assert rep["Lý do"][0] == ("dòng có nhiều cột hơn tiêu đề (9 > 8): giá trị chứa dấu phân cách , "
                                   "phải đặt trong ngoặc kép")
        assert rep["Giá trị / Value"][0] == "1"
    got = dossiers_by_code(empty_engine).set_index("code")
    assert sorted(got.index) == ["A1", "A2", "Q,1"]
    assert got.loc["A2", "due_on"] == dt.date(2023, 2, 3) and got.loc["Q,1", "due_on"] == dt.date(2023, 2, 4)
    assert got.loc["Q,1", "channel"] == 1 and got.loc["A1", "agency_code"] == "X20641"


def test_imp021_trailing_separator_on_every_line_imports_fully(empty_engine, tmp_path):
    """Some exports end every line with the separator: one empty field more than the header, not an error.
    Also when only the data lines have it, and with ; as separator."""
    load_catalogs(empty_engine)
    for sep, header_too in ((",", True), (",", False), (";", False)):
        rows = [GOOD_LINE.format(code=f"T{i}", due=2 + i).replace(",", sep) + sep for i in range(3)]
        head = sep.join(BASE_HEADER) + (sep if header_too else "")
        path = tmp_path / f"trailing{len(sep)}{header_too}.csv"
        path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
        r = import_dossiers(empty_engine, path, report_dir=tmp_path)
        assert (r.rows_read, r.rejected, r.report_path) == (3, 0, None), (sep, header_too)
    got = dossiers_by_code(empty_engine).set_index("code")
    assert [got.loc[f"T{i}", "due_on"] for i in range(3)] == [dt.date(2023, 2, 2 + i) for i in range(3)]
    assert (got["channel"] == 1).all()


def test_imp022_catalogue_row_longer_than_the_header(empty_engine, tmp_path):
    """Catalogues go through the same reader: the long row rejected with its line, the others imported."""
    load_catalogs(empty_engine)
    path = tmp_path / "agencies.csv"
    path.write_text("Mã cơ quan,Tên cơ quan,Mã đơn vị\n"
                    "SYT,Sở Y tế,49\n"
                    "SCT,Sở Công Thương, Quảng Nam,49\n"
                    "\"SXD\",\"Sở Xây dựng, Quảng Nam\",49\n", encoding="utf-8")
    r = import_catalog(empty_engine, "agencies", path, report_dir=tmp_path)
    assert (r.rows_read, r.added, r.rejected) == (3, 2, 1)
    rep = read_report(r.report_path)
    assert rep["Dòng / Line"].tolist() == ["3"] and "(4 > 3)" in rep["Reason"][0] and rep["Giá trị / Value"][0] == "49"
    with empty_engine.connect() as conn:
        names = dict(conn.execute(select(Agency.code, Agency.name).where(Agency.code.in_(["SYT", "SCT", "SXD"]))).all())
    assert names == {"SYT": "Sở Y tế", "SXD": "Sở Xây dựng, Quảng Nam"}
