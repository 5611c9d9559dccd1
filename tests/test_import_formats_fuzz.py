"""The new readers never crash (hypothesis): random portal JSON, HTML tables, registers and
date texts either import, are rejected row by row with a reason, or are refused with one line."""
from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.importer import ImportFileError, import_dossiers
from data.importer.dates import DateColumn
from data.importer.names import Candidate, NameIndex
from data.importer.report import read_report

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=14)
dates = st.one_of(st.sampled_from(["20240115083000", "20241301000000", "2024-01-15T20:00:00Z", "2024-01-15T25:00:00+07:00",
                                   "15/01/2024", "1/15/2024", "01/02/2024", "45306", "99999", "", "31/02/2024",
                                   "2024/02/30", "11/1/2024 2:30 PM", "12/1/2024 13:00 PM", "0/0/2024"]), text)
scalar = st.one_of(text, st.integers(-5, 50), st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False))
record = st.fixed_dictionaries({
    "MaHoSo": st.one_of(st.sampled_from(["A", "B", "C"]), text, st.none()),
    "MaTTHC": st.one_of(st.sampled_from(["TP-X-01", "DD-X-01", "9.999999", ""]), text),
    "TenTTHC": st.one_of(st.sampled_from(["Đăng ký khai sinh", "Thủ tục lạ", ""]), text),
    "MaLinhVuc": st.one_of(st.sampled_from(["TP", "ZZ", ""]), text),
    "DonViXuLy": st.one_of(st.sampled_from(["UBND Xã Quế Xuân 1", "Sở Tư pháp", "UBND Xã Quế Xuân 9", ""]), text),
    "NgayTiepNhan": dates, "NgayHenTra": dates, "NgayKetThucXuLy": dates,
    "TrangThaiHoSo": st.one_of(st.sampled_from(["10", "4", "Quá hạn", "Đã trả kết quả", "11"]), scalar),
}, optional={"KenhThucHien": st.one_of(st.sampled_from(["1", "2", "3", "Qua bưu chính công ích", "9"]), scalar),
             "TaiLieuNop": st.lists(st.dictionaries(text, text, max_size=2), max_size=2), "extra": scalar})


def _outcome(engine, path, tmp_path):
    try:
        r = import_dossiers(engine, path, report_dir=tmp_path)
    except ImportFileError as exc:  # refused whole: one line, the database unchanged
        assert str(exc) and "\n" not in str(exc)
        result = getattr(exc, "result", None)
        if result is not None:
            assert result.rejected == result.rows_read > 0
        return
    assert r.added + r.updated + r.unchanged + r.rejected == r.rows_read
    if r.rejected:
        rep = read_report(r.report_path)
        assert (rep["Reason"] != "").all() and rep["Dòng / Line"].nunique() == r.rejected


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(record, min_size=1, max_size=6), wrap=st.booleans())
def test_imp401_random_portal_json(fuzz_engine, tmp_path, records, wrap):
    body = {"service": "DongBoHoSoMC", "isUpdating": True, "data": records} if wrap else records
    path = tmp_path / "f.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    _outcome(fuzz_engine, path, tmp_path)


cell = st.one_of(text, dates, st.sampled_from(["Mã hồ sơ", "Ngày", "Tiếp nhận", "Hẹn trả", "Trạng thái", "(1)", "Tổng cộng",
                                              "Tên thủ tục", "Cơ quan tiếp nhận", "Đăng ký khai sinh", "UBND Xã Quế Xuân 1"]))
span = st.integers(1, 3)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.tuples(cell, span, span), min_size=1, max_size=8), min_size=1, max_size=8),
       head=st.booleans())
def test_imp402_random_html_tables(fuzz_engine, tmp_path, rows, head):
    header = "<tr><th>Mã hồ sơ</th><th>Tên thủ tục</th><th>Cơ quan tiếp nhận</th><th>Ngày tiếp nhận</th>" \
             "<th>Ngày hẹn trả</th><th>Trạng thái</th></tr>" if head else ""
    body = "".join("<tr>" + "".join(f'<td colspan="{c}" rowspan="{r}">{html.escape(t)}</td>' for t, c, r in row) + "</tr>"
                   for row in rows)
    path = tmp_path / "f.xls"
    path.write_text(f"<html><body><table>{header}{body}</table></body></html>", encoding="utf-8")
    _outcome(fuzz_engine, path, tmp_path)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(dates, min_size=1, max_size=20))
def test_imp403_dates_parse_or_are_bad_never_crash(values):
    col = DateColumn(pd.Series(values, dtype=object))
    ev = col.evidence()
    assert min(ev.day_first, ev.month_first, ev.ambiguous) >= 0
    for order in ("dmy", "mdy"):
        parsed, bad = col.parse(order)
        empty = np.array([v == "" for v in values])
        # Every value is a date in 2015-2035, empty, or bad: never two of these.
        assert ((parsed.notna().to_numpy()).astype(int) + bad.to_numpy().astype(int) + empty.astype(int) == 1).all()
        ok = parsed.dropna()
        assert ((ok >= "2015-01-01") & (ok <= "2035-12-31")).all()
    # Forms without a day/month question read the same in both orders.
    same = [i for i, v in enumerate(values) if v and not v[:1].isdigit() or (len(v) >= 8 and v[:8].isdigit())]
    a, b = col.parse("dmy")[0], col.parse("mdy")[0]
    assert a.iloc[same].equals(b.iloc[same])


@settings(max_examples=100, deadline=None)
@given(query=text)
def test_imp404_names_never_guess_between_numbered_communes(query):
    index = NameIndex([Candidate("X1", ("Xã Quế Xuân 1",), "Xã Quế Xuân 1"), Candidate("X2", ("Xã Quế Xuân 2",), "Xã Quế Xuân 2")])
    r = index.resolve(query)
    if r.key == "X1":
        assert "1" in query and "2" not in query
    if r.key == "X2":
        assert "2" in query and "1" not in query
