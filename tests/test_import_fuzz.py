"""Random rows either import or are rejected with a reason; the importer never crashes (hypothesis)."""
from __future__ import annotations

import csv

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.importer import ImportFileError, import_dossiers
from data.importer.report import read_report
from tests.test_import import BASE_HEADER

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
dates = st.one_of(st.sampled_from(["01/02/2023", "02/02/2023", "31/02/2023", "2023-02-03", "1/2/2023 08:00", "",
                                   "00/00/0000", "29/02/2024", "01/01/1900", "2023-13-01"]), text)
row = st.tuples(
    st.one_of(st.sampled_from(["A", "B", "C", "D"]), text),                      # code (repeats on purpose)
    st.one_of(st.sampled_from(["TP-X-01", "DD-X-01", "NOPE"]), text),            # procedure
    st.one_of(st.sampled_from(["X20641", "X20650", "STP", "H509", ""]), text),   # agency
    dates, dates, dates,                                                         # received, due, finished
    st.one_of(st.sampled_from(["10", "4", "Đã trả kết quả", "7", "0", "10.0"]), text),
    st.one_of(st.sampled_from(["1", "2", "3", "Trực tiếp", "online", "x"]), text),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=1, max_size=8))
def test_imp101_random_rows_import_or_are_rejected_with_a_reason(fuzz_engine, tmp_path, rows):
    path = tmp_path / "fuzz.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(BASE_HEADER)
        w.writerows(rows)
    try:
        r = import_dossiers(fuzz_engine, path, report_dir=tmp_path)
    except ImportFileError as exc:  # nothing valid, or no data rows: a clear message, the database unchanged
        assert str(exc) and "\n" not in str(exc)
        result = getattr(exc, "result", None)
        if result is not None:
            assert result.rejected == result.rows_read > 0
            rep = read_report(result.report_path)
            assert (rep["Reason"] != "").all() and rep["Dòng / Line"].nunique() == result.rejected
        return
    assert r.added + r.updated + r.unchanged + r.rejected == r.rows_read
    if r.rejected:
        rep = read_report(r.report_path)
        assert (rep["Reason"] != "").all() and (rep["Lý do"] != "").all()
        assert rep["Dòng / Line"].nunique() == r.rejected
    else:
        assert r.report_path is None
