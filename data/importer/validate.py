"""Row-by-row validation of a chunk of dossier rows, vectorised with pandas.

Each failed check yields report entries (where, column, value, reason in Vietnamese
and English); a row with any entry is rejected, the others become database rows
with their derived columns (deadline, level, district, commune).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..schema import FINISHED_STATUSES, OPEN_STATUSES, Agency, Procedure
from ..workdays import add_workdays_np
from .columns import DOSSIER_FIELDS
from .parse import parse_channel, parse_counts, parse_dates, parse_flags, parse_status
from .readers import split_rejected

LABEL = {f.name: f.label for f in DOSSIER_FIELDS}
MAX_DUE_DAYS = 2 * 366  # an appointment more than two years after receipt is absurd
MAX_OPEN_DAYS = 5 * 366  # so is processing for more than five years
MAX_CODE_LEN = 40
FLAG_FIELDS = ("by_postal_staff", "has_fee", "paid_online", "digitised", "e_result")
REPORT_COLUMNS = ["where", "column", "value", "reason_vi", "reason_en"]

DB_COLUMNS = ["code", "procedure_id", "agency_id", "level", "district_code", "commune_code", "channel",
              "by_postal_staff", "received_on", "due_on", "deadline_on", "finished_on", "returned_on",
              "supplement_days", "supplement_requests", "status", "has_fee", "paid_online", "digitised", "e_result"]


@dataclass
class Catalog:
    """What codes in a dossier file can refer to (read once per import)."""

    procedures: dict[str, int]
    agencies: pd.DataFrame  # index agency code: id, level, district_code, commune_code, unit_code
    unit_agency: dict[str, str]  # unit code -> the agency code receiving for it (when unique)
    ambiguous_units: set[str]

    @classmethod
    def load(cls, conn: Connection) -> "Catalog":
        procs = dict(conn.execute(select(Procedure.code, Procedure.id)).all())
        rows = conn.execute(select(Agency.code, Agency.id, Agency.level, Agency.district_code, Agency.commune_code,
                                   Agency.unit_code)).all()
        ag = pd.DataFrame(rows, columns=["code", "id", "level", "district_code", "commune_code", "unit_code"]).set_index("code")
        # A district or commune unit is served by its People's Committee; the province
        # unit by several departments, so it needs an agency code.
        by_unit = ag.reset_index().groupby("unit_code")["code"].agg(list)
        unit_agency = {u: codes[0] for u, codes in by_unit.items() if len(codes) == 1}
        committees = ag[ag["level"] != "province"].reset_index()
        for u, codes in committees.groupby("unit_code")["code"].agg(list).items():
            if len(codes) == 1:
                unit_agency[u] = codes[0]
        ambiguous = {u for u, codes in by_unit.items() if len(codes) > 1} - set(unit_agency)
        return cls(procs, ag, unit_agency, ambiguous)


class Problems:
    """Collects report entries for a chunk."""

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self.parts: list[pd.DataFrame] = []
        self.bad = np.zeros(len(df), dtype=bool)

    def add(self, mask, column: str | None, vi: str, en: str, value=None):
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.bad |= mask
        sub = self.df.loc[mask]
        if value is None:
            value = sub[column] if column in sub.columns else ""
        else:
            value = value[mask] if hasattr(value, "__len__") and not isinstance(value, str) else value
        self.parts.append(pd.DataFrame({
            "where": sub["_where"].to_numpy(), "column": LABEL.get(column, column or ""),
            "value": np.asarray(value, dtype=object) if not isinstance(value, str) else value,
            "reason_vi": vi, "reason_en": en,
            "_line": (sub["_seq"] if "_seq" in sub.columns else sub["_line"]).to_numpy()}))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=[*REPORT_COLUMNS, "_line"])
        return pd.concat(self.parts, ignore_index=True).sort_values("_line", kind="stable")


def validate_chunk(df: pd.DataFrame, cat: Catalog) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(database rows of the valid rows, report entries, number of rejected rows)."""
    # Rows the reader already rejected (more fields than the header) hold shifted values: not checked further.
    df, shape_rejects = split_rejected(df)
    df = df.reset_index(drop=True)
    for f in DOSSIER_FIELDS:
        if f.name not in df.columns:
            df[f.name] = pd.Series(np.full(len(df), "", dtype=object), index=df.index, dtype=object)
    p = Problems(df)
    empty = {c: df[c].to_numpy(dtype=object) == "" for c in df.columns if not c.startswith("_")}

    for c in ("code", "procedure_code", "received_on", "due_on", "status", "channel"):
        p.add(empty[c], c, "thiếu giá trị bắt buộc", "required value missing")
    p.add(empty["agency_code"] & empty["unit_code"], "agency_code",
          "thiếu mã cơ quan hoặc mã đơn vị tiếp nhận", "agency code or unit code missing")
    p.add(df["code"].str.len().to_numpy() > MAX_CODE_LEN, "code",
          f"mã hồ sơ dài quá {MAX_CODE_LEN} ký tự", f"dossier code longer than {MAX_CODE_LEN} characters")

    dates = {}
    for c in ("received_on", "due_on", "finished_on", "returned_on"):
        dates[c], bad = parse_dates(df[c])
        p.add(bad, c, "ngày không hợp lệ (dd/mm/yyyy, dd/mm/yyyy HH:MM hoặc yyyy-mm-dd; 2015–2035)",
              "not a valid date (dd/mm/yyyy, dd/mm/yyyy HH:MM or yyyy-mm-dd; 2015-2035)")
    status, bad = parse_status(df["status"])
    p.add(bad, "status", "trạng thái không thuộc danh mục (1–10 hoặc tên trạng thái)",
          "unknown status (portal code 1-10 or a status label)")
    channel, bad = parse_channel(df["channel"])
    p.add(bad, "channel", "kênh nộp không thuộc danh mục (1 trực tiếp, 2 trực tuyến, 3 bưu chính)",
          "unknown channel (1 in person, 2 online, 3 post)")
    flags = {}
    for c in FLAG_FIELDS:
        flags[c], bad = parse_flags(df[c])
        p.add(bad, c, "giá trị có/không không hợp lệ (có, không, 1, 0, x)", "not a yes/no value (có, không, 1, 0, x)")
    sup_days, bad = parse_counts(df["supplement_days"], 0, 365)
    p.add(bad, "supplement_days", "số ngày chờ bổ sung phải là số nguyên 0–365",
          "supplement days must be a whole number 0-365")
    sup_req, bad = parse_counts(df["supplement_requests"], 0, 50)
    p.add(bad, "supplement_requests", "số lần yêu cầu bổ sung phải là số nguyên 0–50",
          "supplement requests must be a whole number 0-50")

    rec, due = dates["received_on"], dates["due_on"]
    # The end of processing: the finish date, or the return date when only that is given.
    fin = dates["finished_on"].where(dates["finished_on"].notna(), dates["returned_on"])
    ret = dates["returned_on"]
    p.add((due < rec).to_numpy(), "due_on", "ngày hẹn trả trước ngày tiếp nhận", "due date before the received date")
    p.add(((due - rec).dt.days > MAX_DUE_DAYS).to_numpy(), "due_on",
          "thời hạn bất thường: hẹn trả hơn 2 năm sau ngày tiếp nhận", "absurd duration: due more than 2 years after receipt")
    p.add((fin < rec).to_numpy(), "finished_on", "ngày kết thúc trước ngày tiếp nhận (thời gian âm)",
          "finished before the received date (negative duration)", value=df["finished_on"].where(df["finished_on"] != "", df["returned_on"]))
    p.add(((fin - rec).dt.days > MAX_OPEN_DAYS).to_numpy(), "finished_on",
          "thời gian xử lý bất thường: hơn 5 năm", "absurd duration: processing longer than 5 years",
          value=df["finished_on"].where(df["finished_on"] != "", df["returned_on"]))
    p.add((ret < rec).to_numpy(), "returned_on", "ngày trả kết quả trước ngày tiếp nhận", "result returned before the received date")
    st = status.to_numpy()
    p.add(np.isin(st, FINISHED_STATUSES) & fin.isna().to_numpy() & ~p.bad, "finished_on",
          "hồ sơ đã xử lý xong nhưng thiếu ngày kết thúc xử lý", "finished status without a finish date")
    p.add(np.isin(st, OPEN_STATUSES) & dates["finished_on"].notna().to_numpy(), "status",
          "hồ sơ đang xử lý nhưng có ngày kết thúc xử lý", "in-progress status but a finish date is given")

    proc_id = df["procedure_code"].map(cat.procedures)
    p.add(proc_id.isna().to_numpy() & ~empty["procedure_code"], "procedure_code",
          "mã thủ tục chưa có trong danh mục (nhập danh mục thủ tục trước: tthc import procedures)",
          "unknown procedure code (import the procedures catalogue first: tthc import procedures)")
    # Agency: its code, else the unit's People's Committee.
    agency_code = pd.Series(np.where(empty["agency_code"], df["unit_code"].map(cat.unit_agency).to_numpy(dtype=object),
                                     df["agency_code"].to_numpy(dtype=object)), index=df.index, dtype=object)
    agency_code = agency_code.where(agency_code.notna(), "")
    known = agency_code.isin(cat.agencies.index).to_numpy()
    has_agency = ~empty["agency_code"]
    p.add(has_agency & ~known, "agency_code", "mã cơ quan chưa có trong danh mục", "unknown agency code")
    only_unit = empty["agency_code"] & ~empty["unit_code"]
    ambiguous = only_unit & df["unit_code"].isin(cat.ambiguous_units).to_numpy()
    p.add(ambiguous, "unit_code", "đơn vị có nhiều cơ quan tiếp nhận: cần cột Mã cơ quan",
          "this unit has several receiving agencies: give the agency code")
    p.add(only_unit & ~known & ~ambiguous, "unit_code", "mã đơn vị chưa có trong danh mục", "unknown unit code")
    if known.any():
        ag_unit = agency_code.map(cat.agencies["unit_code"])
        mismatch = has_agency & ~empty["unit_code"] & known & (ag_unit != df["unit_code"]).to_numpy()
        p.add(mismatch, "unit_code", "cơ quan không thuộc đơn vị này", "the agency does not belong to this unit")

    rejects = p.frame()
    n_bad = int(p.bad.sum()) + len(shape_rejects)
    if len(shape_rejects):
        rejects = pd.concat([shape_rejects, rejects], ignore_index=True).sort_values("_line", kind="stable")
    ok = ~p.bad
    good = df.loc[ok]
    if not ok.any():
        return pd.DataFrame(columns=[*DB_COLUMNS, "_line", "_where", "_seq"]), rejects, n_bad
    ag = cat.agencies.loc[agency_code[ok].to_numpy()]
    due_days = due[ok].to_numpy().astype("datetime64[D]")
    epoch = np.datetime64("1970-01-01", "D")
    deadline = add_workdays_np((due_days - epoch).astype("int64"), sup_days[ok].to_numpy()).astype("timedelta64[D]") + epoch
    out = pd.DataFrame({
        "code": good["code"].to_numpy(),
        "procedure_id": proc_id[ok].astype("int64").to_numpy(),
        "agency_id": ag["id"].astype("int64").to_numpy(),
        "level": ag["level"].to_numpy(),
        "district_code": ag["district_code"].to_numpy(),
        "commune_code": ag["commune_code"].to_numpy(),
        "channel": channel[ok].astype("int64").to_numpy(),
        "by_postal_staff": flags["by_postal_staff"][ok].to_numpy(),
        "received_on": rec[ok].to_numpy(),
        "due_on": due[ok].to_numpy(),
        "deadline_on": deadline.astype("datetime64[ns]"),
        "finished_on": fin[ok].to_numpy(),
        "returned_on": ret[ok].to_numpy(),
        "supplement_days": sup_days[ok].to_numpy(),
        "supplement_requests": sup_req[ok].to_numpy(),
        "status": status[ok].astype("int64").to_numpy(),
        **{c: flags[c][ok].to_numpy() for c in FLAG_FIELDS if c != "by_postal_staff"},
        "_line": good["_line"].to_numpy(),
        "_where": good["_where"].to_numpy(),
        "_seq": good["_seq"].to_numpy() if "_seq" in good else good["_line"].to_numpy(),
    })
    return out, rejects, n_bad
