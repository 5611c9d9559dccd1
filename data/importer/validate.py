"""Row-by-row validation of a chunk of dossier rows, vectorised with pandas.

Each failed check yields report entries (where, column, value, reason in Vietnamese
and English); a row with any entry is rejected, the others become database rows
with their derived columns (deadline, level, district, commune). Rows that are not
dossiers (totals, column numbers, signatures: ``skips``) are counted apart. Agencies and
procedures given by name are resolved through ``resolve.CatalogNames`` (only for the rows
that lack codes, once per distinct name); a procedure code the catalogue lacks, given with
its name and sector, is added to it (``Catalog.new_procedures``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from ..schema import CHANNEL_UNKNOWN, FINISHED_STATUSES, OPEN_STATUSES, Agency, Procedure, Sector, UnitSuccessor
from ..workdays import add_workdays_np
from .columns import DOSSIER_FIELDS
from .dates import FORMS_EN, FORMS_VI, DateColumn
from .labels import Labels
from .parse import parse_counts, parse_flags, parse_optional_flags, parse_rating
from .readers import split_rejected
from .resolve import CatalogNames, SheetHints
from .skips import nondossier_mask
from .validity import Validity, era_of_dates

LABEL = {f.name: f.label for f in DOSSIER_FIELDS}
MAX_DUE_DAYS = 2 * 366  # an appointment more than two years after receipt is absurd
MAX_OPEN_DAYS = 5 * 366  # so is processing for more than five years
MAX_CODE_LEN = 40
FLAG_FIELDS = ("by_postal_staff", "has_fee", "paid_online", "digitised", "e_result")
# Service-index fields: None where the file does not say (a rating not given, publication not known).
OPTIONAL_FIELDS = ("rating", "published_on_portal")
REPORT_COLUMNS = ["where", "column", "value", "reason_vi", "reason_en"]

DB_COLUMNS = ["code", "procedure_id", "agency_id", "level", "district_code", "commune_code", "channel",
              "by_postal_staff", "received_on", "due_on", "deadline_on", "finished_on", "returned_on",
              "supplement_days", "supplement_requests", "status", "has_fee", "paid_online", "digitised", "e_result",
              "rating", "published_on_portal"]


@dataclass
class Catalog:
    """What codes and names in a dossier file can refer to (read once per import), and what
    the import adds to it (procedures given with their name and sector, their sectors)."""

    procedures: dict[str, int]
    agencies: pd.DataFrame  # index agency code: id, level, district_code, commune_code, unit_code
    unit_agency: dict[str, str]  # unit code -> the agency code receiving for it (when unique)
    ambiguous_units: set[str]
    names: CatalogNames | None = None
    labels: Labels = field(default_factory=Labels.built_in)
    hints: dict[str, SheetHints] = field(default_factory=dict)  # sheet -> what its title block names
    fields: set[str] = field(default_factory=set)  # the fields the file has (status absent: derived)
    order: str | None = "dmy"  # the file's day/month order
    new_procedures: dict[str, dict] = field(default_factory=dict)
    new_sectors: dict[str, dict] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)
    validity: Validity | None = None  # life spans of units and agencies (None: the database has none)

    @classmethod
    def load(cls, conn: Connection, labels: Labels | None = None) -> Catalog:
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
        labels = labels or Labels.built_in()
        names = CatalogNames.load(conn, {"agency": labels.agency, "procedure": labels.procedure})
        next_ids = {"procedure": int(max(procs.values(), default=0)) + 1,
                    "sector": int(names.sectors["id"].max()) + 1 if len(names.sectors) else 1}
        links: dict[str, list] = {}
        for a, b, share in conn.execute(select(UnitSuccessor.from_code, UnitSuccessor.to_code, UnitSuccessor.share)):
            links.setdefault(a, []).append((b, share))
        validity = Validity(names.units, names.agencies, links)
        return cls(procs, ag, unit_agency, ambiguous, names=names, labels=labels, next_ids=next_ids,
                   validity=validity if validity.has_spans else None)

    def add_procedure(self, code: str, name: str, sector_code: str, sector_name: str | None, level: str) -> int:
        """A procedure the file brings (code, name and sector in one row): written with the import."""
        if code in self.procedures:
            return self.procedures[code]
        sectors = self.names.sectors
        if sector_code in sectors.index:
            sector_id = int(sectors.loc[sector_code, "id"])
        elif sector_code in self.new_sectors:
            sector_id = self.new_sectors[sector_code]["id"]
        else:
            sector_id = self.next_ids["sector"]
            self.next_ids["sector"] += 1
            self.new_sectors[sector_code] = dict(id=sector_id, code=sector_code[:20], name=(sector_name or sector_code)[:120],
                                                 name_en=None)
        pid = self.next_ids["procedure"]
        self.next_ids["procedure"] += 1
        # Online level and processing time are not in a dossier export: "unknown" and 0 until the
        # procedures catalogue is imported (tthc import procedures updates them by code).
        self.new_procedures[code] = dict(id=pid, code=code[:30], name=name[:300], name_en=None, sector_id=sector_id,
                                         level=level, online_level="unknown", processing_days=0)
        self.procedures[code] = pid
        return pid

    def write_additions(self, conn: Connection) -> None:
        if self.new_sectors:
            conn.execute(insert(Sector), list(self.new_sectors.values()))
        if self.new_procedures:
            conn.execute(insert(Procedure), list(self.new_procedures.values()))


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
        if not isinstance(vi, str):
            vi, en = np.asarray(vi, dtype=object)[mask], np.asarray(en, dtype=object)[mask]
        self.parts.append(pd.DataFrame({
            "where": sub["_where"].to_numpy(), "column": LABEL.get(column, column or ""),
            "value": np.asarray(value, dtype=object) if not isinstance(value, str) else value,
            "reason_vi": vi, "reason_en": en,
            "_line": (sub["_seq"] if "_seq" in sub.columns else sub["_line"]).to_numpy()}))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=[*REPORT_COLUMNS, "_line"])
        return pd.concat(self.parts, ignore_index=True).sort_values("_line", kind="stable")


def _candidates_text(res, lang: str) -> str:
    shown = res.shown() if res is not None else ""
    if not shown:
        return "không có tên nào gần giống" if lang == "vi" else "no similar name"
    return ("gần nhất: " if lang == "vi" else "closest: ") + shown


def _resolve_agencies(df: pd.DataFrame, cat: Catalog, rows: np.ndarray, eras: np.ndarray):
    """Agency codes for the rows (mask) that give no agency or unit code: by name, by the
    commune or district the row names, else by the desk its sheet's title block names; a name
    among the agencies in force in the structure of the row's received date (``eras``), else
    among all (that agency is then rejected as not in force that day, with the reason).
    Returns (codes, problem mask, reasons vi, reasons en)."""
    n = len(df)
    codes = np.full(n, "", dtype=object)
    bad = np.zeros(n, dtype=bool)
    vi = np.full(n, "", dtype=object)
    en = np.full(n, "", dtype=object)
    if not rows.any():
        return codes, bad, vi, en
    all_names = cat.names
    idx = np.flatnonzero(rows)
    sub = df.iloc[idx]
    keys = list(zip(sub["agency_name"].tolist(), sub["commune_name"].tolist(), sub["district_name"].tolist(),
                    sub["_sheet"].tolist() if "_sheet" in sub else [""] * len(sub), eras[idx].tolist()))
    answers = {}
    for key in dict.fromkeys(keys):
        agency_name, commune, district, sheet, era = key
        names = all_names if era is None else all_names.in_force_on(era)
        hint = cat.hints.get(sheet) or SheetHints()
        district_code = hint.district_code
        if district:
            d = names.district(district)
            if not d.ok:
                answers[key] = (None, f"không tìm thấy huyện '{district}': {_candidates_text(d, 'vi')}",
                                f"district '{district}' not found: {_candidates_text(d, 'en')}")
                continue
            district_code = d.key
        if agency_name:
            r = names.agency(agency_name, district_code)
            what = agency_name
        elif commune:
            r = names.agency(commune, district_code, level="commune")
            what = commune
        elif district:
            r = names.agency(district, district_code, level="district")
            what = district
            if not r.ok and era is not None:  # two tiers: a district named without a desk is no agency
                r = all_names.agency(district, district_code, level="district")
        elif hint.agency_code:
            answers[key] = (hint.agency_code, "", "")
            continue
        else:
            answers[key] = (None, "thiếu cơ quan tiếp nhận (mã, tên, hay tiêu đề sổ ghi tên bộ phận một cửa)",
                            "receiving agency missing (no code, no name, no register title naming the desk)")
            continue
        if not r.ok and era is not None and agency_name:
            # Not a desk of that day's structure: one of another day's is rejected with the reason.
            other = all_names.agency(agency_name, district_code)
            r = other if other.ok else r
        if r.ok:
            answers[key] = (r.key, "", "")
        elif r.status == "ambiguous":
            answers[key] = (None, f"tên '{what}' khớp nhiều cơ quan ({r.shown()}): cần mã cơ quan hoặc cột Huyện",
                            f"the name '{what}' matches several agencies ({r.shown()}): give the agency code or the district")
        else:
            answers[key] = (None, f"không tìm thấy cơ quan '{what}' trong danh mục; {_candidates_text(r, 'vi')}",
                            f"agency '{what}' not in the catalogue; {_candidates_text(r, 'en')}")
    got = [answers[k] for k in keys]
    codes[idx] = [g[0] or "" for g in got]
    bad[idx] = [g[0] is None for g in got]
    vi[idx] = [g[1] for g in got]
    en[idx] = [g[2] for g in got]
    return codes, bad, vi, en


def _resolve_procedures(df: pd.DataFrame, cat: Catalog, agency_level: np.ndarray, rows: np.ndarray):
    """Procedure ids for the rows (mask) whose procedure code is missing or not in the catalogue.
    Returns (ids (NaN: none), to-add mask with (code, name, sector code, sector name), problem mask, reasons)."""
    n = len(df)
    ids = np.full(n, np.nan)
    add = np.zeros(n, dtype=bool)
    add_info = np.full(n, None, dtype=object)
    bad = np.zeros(n, dtype=bool)
    vi = np.full(n, "", dtype=object)
    en = np.full(n, "", dtype=object)
    if not rows.any():
        return ids, add, add_info, bad, vi, en
    names = cat.names
    idx = np.flatnonzero(rows)
    sub = df.iloc[idx]
    keys = list(zip(sub["procedure_code"].tolist(), sub["procedure_name"].tolist(), sub["sector_code"].tolist(),
                    sub["sector_name"].tolist(), agency_level[idx].tolist()))
    answers = {}
    for key in dict.fromkeys(keys):
        code, name, sector_code, sector_name, level = key
        level = level or None
        sector = sector_code if sector_code in names.sectors.index else None
        if sector is None and sector_name:
            sr = names.sector(sector_name)
            sector = sr.key if sr.ok else None
        if code:
            # A code the catalogue lacks: the same name at the agency's level is that procedure
            # under another code; otherwise, with its sector, a procedure to add.
            if name:
                r = names.procedure(name, level, sector, fuzzy=False)
                if r.ok and (level is None or names.procedures.loc[r.key, "level"] == level):
                    answers[key] = (float(names.procedures.loc[r.key, "id"]), None, "", "")
                    continue
                if sector_code or sector:
                    answers[key] = (np.nan, (code, name, sector_code or sector, sector_name), "", "")
                    continue
                answers[key] = (np.nan, None, f"mã thủ tục '{code}' chưa có trong danh mục và lĩnh vực không rõ "
                                f"('{sector_name}' không có trong danh mục lĩnh vực): cần Mã lĩnh vực để thêm thủ tục",
                                f"procedure code '{code}' is not in the catalogue and its sector is unknown "
                                f"('{sector_name}' is no catalogue sector): give the sector code to add the procedure")
                continue
            answers[key] = (np.nan, None, "mã thủ tục chưa có trong danh mục (nhập danh mục thủ tục trước: tthc import "
                            "procedures, hoặc ghi Tên thủ tục và Lĩnh vực trên cùng dòng để thêm)",
                            "unknown procedure code (import the procedures catalogue first: tthc import procedures, "
                            "or give its name and sector in the same row to add it)")
            continue
        r = names.procedure(name, level, sector)
        if r.ok:
            answers[key] = (float(names.procedures.loc[r.key, "id"]), None, "", "")
        elif r.status == "ambiguous":
            answers[key] = (np.nan, None, f"tên thủ tục khớp nhiều thủ tục ({r.shown()}): cần mã thủ tục",
                            f"the procedure name matches several procedures ({r.shown()}): give the procedure code")
        else:
            answers[key] = (np.nan, None, f"không tìm thấy thủ tục '{name}' trong danh mục; {_candidates_text(r, 'vi')}",
                            f"procedure '{name}' not in the catalogue; {_candidates_text(r, 'en')}")
    got = [answers[k] for k in keys]
    ids[idx] = [g[0] for g in got]
    add_info[idx] = [g[1] for g in got]
    add[idx] = [g[1] is not None for g in got]
    bad[idx] = [np.isnan(g[0]) and g[1] is None for g in got]
    vi[idx] = [g[2] for g in got]
    en[idx] = [g[3] for g in got]
    return ids, add, add_info, bad, vi, en


def _derived_status(df: pd.DataFrame, fin_given: np.ndarray, ret_given: np.ndarray, cat: Catalog) -> pd.Series:
    """A register without a status column: returned (10) when it gives a return date, processed (9)
    with an end date, otherwise in progress (4); a status wording in its notes wins."""
    status = np.where(ret_given, 10.0, np.where(fin_given, 9.0, 4.0))
    if "note" in df:
        noted, bad = cat.labels.parse_status(df["note"])
        status = np.where(noted.notna().to_numpy(), noted.to_numpy(), status)
    return pd.Series(status, index=df.index)


@dataclass
class Parsed:
    """One chunk's values, parsed column by column (unreadable ones recorded in ``Problems``)."""

    dates: dict
    status: pd.Series
    channel: pd.Series
    flags: dict
    supplement_days: pd.Series
    supplement_requests: pd.Series

    @property
    def end(self) -> pd.Series:
        """The end of processing: the finish date, or the return date when only that is given."""
        return self.dates["finished_on"].where(self.dates["finished_on"].notna(), self.dates["returned_on"])


def validate_chunk(df: pd.DataFrame, cat: Catalog) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """(database rows of the valid rows, report entries, number of rejected rows, number skipped).

    Step by step: rows that are not dossiers set apart, each column parsed, the dates checked
    against each other and the status, the agency and the procedure resolved against the
    catalogue; then the valid rows become database rows."""
    # Rows the reader already rejected (more fields than the header) hold shifted values: not checked further.
    df, shape_rejects = split_rejected(df)
    for f in DOSSIER_FIELDS:
        if f.name not in df.columns:
            df[f.name] = pd.Series(np.full(len(df), "", dtype=object), index=df.index, dtype=object)
    skip = nondossier_mask(df)
    n_skipped = int(skip.sum())
    if n_skipped:
        df = df.loc[~skip]
    df = df.reset_index(drop=True)
    p = Problems(df)
    empty = {c: df[c].to_numpy(dtype=object) == "" for c in df.columns if not c.startswith("_")}
    parsed = _parse_columns(df, cat, p, empty)
    _check_dates(df, parsed, p)
    agency_code = _resolve_agency(df, cat, p, empty, parsed.dates["received_on"])
    proc_id = _resolve_procedure(df, cat, p, empty, agency_code)

    rejects = p.frame()
    n_bad = int(p.bad.sum()) + len(shape_rejects)
    if len(shape_rejects):
        rejects = pd.concat([shape_rejects, rejects], ignore_index=True).sort_values("_line", kind="stable")
    ok = ~p.bad
    if not ok.any():
        return pd.DataFrame(columns=[*DB_COLUMNS, "_line", "_where", "_seq"]), rejects, n_bad, n_skipped
    return _database_rows(df.loc[ok], ok, cat, parsed, agency_code, proc_id), rejects, n_bad, n_skipped


def _parse_columns(df: pd.DataFrame, cat: Catalog, p: Problems, empty: dict) -> Parsed:
    """Required values, the code's length, dates, status, channel, yes/no flags and counts."""
    status_given = "status" in cat.fields
    for c in ("code", "received_on", "due_on") + (("status",) if status_given else ()):
        p.add(empty[c], c, "thiếu giá trị bắt buộc", "required value missing")
    p.add(df["code"].str.len().to_numpy() > MAX_CODE_LEN, "code",
          f"mã hồ sơ dài quá {MAX_CODE_LEN} ký tự", f"dossier code longer than {MAX_CODE_LEN} characters")

    dates = {}
    order = cat.order
    how = {"dmy": ("ngày/tháng", "day/month"), "mdy": ("tháng/ngày", "month/day")}.get(order or "dmy")
    for c in ("received_on", "due_on", "finished_on", "returned_on"):
        dates[c], bad = DateColumn(df[c]).parse(order)
        p.add(bad, c, f"ngày không hợp lệ ({FORMS_VI}; tệp này ghi {how[0]})",
              f"not a valid date ({FORMS_EN}; this file writes {how[1]})")
    if status_given:
        status, bad = cat.labels.parse_status(df["status"])
        p.add(bad, "status", "trạng thái không thuộc danh mục (1–10 hoặc tên trạng thái; tên riêng của tỉnh: tệp --labels)",
              "unknown status (portal code 1-10 or a status wording; a province's own words: --labels file)")
    else:
        status = _derived_status(df, dates["finished_on"].notna().to_numpy(), dates["returned_on"].notna().to_numpy(), cat)
    channel, bad = cat.labels.parse_channel(df["channel"])
    p.add(bad, "channel", "kênh nộp không thuộc danh mục (1 trực tiếp, 2 trực tuyến, 3 bưu chính; tên riêng: tệp --labels)",
          "unknown channel (1 in person, 2 online, 3 post; a province's own words: --labels file)")
    # No channel column, or an empty cell: the channel is not known (counted apart, never guessed).
    channel = channel.fillna(float(CHANNEL_UNKNOWN))
    flags = {}
    for c in FLAG_FIELDS:
        flags[c], bad = parse_flags(df[c])
        p.add(bad, c, "giá trị có/không không hợp lệ (có, không, 1, 0, x)", "not a yes/no value (có, không, 1, 0, x)")
    flags["rating"], bad = parse_rating(df["rating"])
    p.add(bad, "rating", "mức độ hài lòng không hợp lệ (hài lòng, bình thường, không hài lòng)",
          "unknown rating (satisfied, neutral, dissatisfied)")
    flags["published_on_portal"], bad = parse_optional_flags(df["published_on_portal"])
    p.add(bad, "published_on_portal", "giá trị có/không không hợp lệ (có, không, 1, 0, x)",
          "not a yes/no value (có, không, 1, 0, x)")
    sup_days, bad = parse_counts(df["supplement_days"], 0, 365)
    p.add(bad, "supplement_days", "số ngày chờ bổ sung phải là số nguyên 0–365",
          "supplement days must be a whole number 0-365")
    sup_req, bad = parse_counts(df["supplement_requests"], 0, 50)
    p.add(bad, "supplement_requests", "số lần yêu cầu bổ sung phải là số nguyên 0–50",
          "supplement requests must be a whole number 0-50")
    return Parsed(dates, status, channel, flags, sup_days, sup_req)


def _check_dates(df: pd.DataFrame, parsed: Parsed, p: Problems) -> None:
    """Dates in order and of sensible length, and agreeing with the status."""
    rec, due, ret, fin = parsed.dates["received_on"], parsed.dates["due_on"], parsed.dates["returned_on"], parsed.end
    end_text = df["finished_on"].where(df["finished_on"] != "", df["returned_on"])
    p.add((due < rec).to_numpy(), "due_on", "ngày hẹn trả trước ngày tiếp nhận", "due date before the received date")
    p.add(((due - rec).dt.days > MAX_DUE_DAYS).to_numpy(), "due_on",
          "thời hạn bất thường: hẹn trả hơn 2 năm sau ngày tiếp nhận", "absurd duration: due more than 2 years after receipt")
    p.add((fin < rec).to_numpy(), "finished_on", "ngày kết thúc trước ngày tiếp nhận (thời gian âm)",
          "finished before the received date (negative duration)", value=end_text)
    p.add(((fin - rec).dt.days > MAX_OPEN_DAYS).to_numpy(), "finished_on",
          "thời gian xử lý bất thường: hơn 5 năm", "absurd duration: processing longer than 5 years", value=end_text)
    p.add((ret < rec).to_numpy(), "returned_on", "ngày trả kết quả trước ngày tiếp nhận", "result returned before the received date")
    st = parsed.status.to_numpy()
    p.add(np.isin(st, FINISHED_STATUSES) & fin.isna().to_numpy() & ~p.bad, "finished_on",
          "hồ sơ đã xử lý xong nhưng thiếu ngày kết thúc xử lý", "finished status without a finish date")
    p.add(np.isin(st, OPEN_STATUSES) & parsed.dates["finished_on"].notna().to_numpy(), "status",
          "hồ sơ đang xử lý nhưng có ngày kết thúc xử lý", "in-progress status but a finish date is given")


def _resolve_agency(df: pd.DataFrame, cat: Catalog, p: Problems, empty: dict, received: pd.Series) -> pd.Series:
    """Each row's agency code: its code, else the unit's People's Committee, else its name (or the
    register's title); then the agency must be in force on the received date (docs/units.md)."""
    by_name = empty["agency_code"] & empty["unit_code"]
    eras = era_of_dates(cat.validity, received)
    if cat.validity is not None:  # an export's unit code is an official code: the version of that day
        df = df.copy()
        df["unit_code"] = _unit_versions(df["unit_code"], received, cat.validity)
    named, bad, vi, en = _resolve_agencies(df, cat, by_name, eras)
    p.add(bad, "agency_name", vi, en, value=np.where(df["agency_name"] != "", df["agency_name"],
                                                     np.where(df["commune_name"] != "", df["commune_name"], df["district_name"])))
    agency_code = pd.Series(np.where(empty["agency_code"], df["unit_code"].map(cat.unit_agency).to_numpy(dtype=object),
                                     df["agency_code"].to_numpy(dtype=object)), index=df.index, dtype=object)
    agency_code = agency_code.where(agency_code.notna(), "")
    agency_code[by_name] = named[by_name]
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
    if cat.validity is not None:
        agency_code = _in_force_on_received(agency_code, known & ~p.bad, ~by_name, received, cat.validity, p)
    return agency_code


def _unit_versions(unit_code: pd.Series, received: pd.Series, validity: Validity) -> pd.Series:
    """Official unit codes -> the unit version in force on each row's received date (as given when none was)."""
    out = unit_code.copy()
    for (code, day), where in pd.DataFrame({"c": unit_code, "d": received}).groupby(["c", "d"], dropna=True).groups.items():
        if code:
            key = validity.unit_version(code, day.date())
            if key is not None:
                out[where] = key
    return out


def _in_force_on_received(agency_code: pd.Series, check: np.ndarray, by_code: np.ndarray, received: pd.Series,
                          validity: Validity, p: Problems) -> pd.Series:
    """A code the export gave (``by_code``) names the version of its desk in force on the received date
    ('X20656' on a 2026 dossier is Xã Nông Sơn's 'X20656-2507': official codes are reused); a desk
    with no version that day, or named by a name of another day, is rejected, saying why and which
    units were in force."""
    agency_code = agency_code.copy()
    n = len(agency_code)
    bad = np.zeros(n, dtype=bool)
    vi = np.full(n, "", dtype=object)
    en = np.full(n, "", dtype=object)
    idx = np.flatnonzero(check & received.notna().to_numpy())
    frame = pd.DataFrame({"a": agency_code.iloc[idx].to_numpy(), "d": received.iloc[idx].to_numpy(),
                          "c": by_code[idx]}, index=idx)
    for (code, day, given), where in frame.groupby(["a", "d", "c"]).groups.items():
        on = day.date()
        if validity.agency_in_force(code, on):
            continue
        other = validity.agency_version(code, on) if given else None
        rows = np.asarray(where)
        if other is not None:
            agency_code.iloc[rows] = other
        else:
            bad[rows] = True
            vi[rows], en[rows] = validity.reason(code, on)
    p.add(bad, "received_on", vi, en, value=agency_code.map(validity.agencies["name"]).fillna(agency_code).to_numpy(dtype=object))
    return agency_code


def _resolve_procedure(df: pd.DataFrame, cat: Catalog, p: Problems, empty: dict, agency_code: pd.Series) -> np.ndarray:
    """Each row's procedure id: its code, else its name at the agency's level; a new code with name and sector is added."""
    proc_id = df["procedure_code"].map(cat.procedures).to_numpy(dtype="float64")
    unresolved = np.isnan(proc_id) & ~(empty["procedure_code"] & empty["procedure_name"])
    level = agency_code.map(cat.agencies["level"]).fillna("").to_numpy(dtype=object)
    by_name_ids, to_add, add_info, bad, vi, en = _resolve_procedures(df, cat, level, unresolved)
    proc_id = np.where(unresolved, by_name_ids, proc_id)
    p.add(empty["procedure_code"] & empty["procedure_name"], "procedure_code", "thiếu giá trị bắt buộc", "required value missing")
    p.add(bad, "procedure_code", vi, en,
          value=np.where(df["procedure_code"] != "", df["procedure_code"], df["procedure_name"]))
    # Added only for rows that are otherwise good: a rejected row adds nothing to the catalogue.
    for i in np.flatnonzero(to_add & ~p.bad):
        code, name, sector_code, sector_name = add_info[i]
        proc_id[i] = cat.add_procedure(code, name, sector_code, sector_name, level[i])
    p.add(to_add & np.isnan(proc_id) & ~p.bad, "procedure_code", "thủ tục chưa thêm được", "procedure could not be added")
    return proc_id


def _database_rows(good: pd.DataFrame, ok: np.ndarray, cat: Catalog, parsed: Parsed, agency_code: pd.Series,
                   proc_id: np.ndarray) -> pd.DataFrame:
    """The valid rows as dossier rows: ids for codes, the deadline moved on by the supplement days."""
    ag = cat.agencies.loc[agency_code[ok].to_numpy()]
    due = parsed.dates["due_on"]
    due_days = due[ok].to_numpy().astype("datetime64[D]")
    epoch = np.datetime64("1970-01-01", "D")
    deadline = add_workdays_np((due_days - epoch).astype("int64"), parsed.supplement_days[ok].to_numpy()).astype("timedelta64[D]") + epoch
    flags = parsed.flags
    return pd.DataFrame({
        "code": good["code"].to_numpy(),
        "procedure_id": proc_id[ok].astype("int64"),
        "agency_id": ag["id"].astype("int64").to_numpy(),
        "level": ag["level"].to_numpy(),
        "district_code": ag["district_code"].to_numpy(),
        "commune_code": ag["commune_code"].to_numpy(),
        "channel": parsed.channel[ok].astype("int64").to_numpy(),
        "by_postal_staff": flags["by_postal_staff"][ok].to_numpy(),
        "received_on": parsed.dates["received_on"][ok].to_numpy(),
        "due_on": due[ok].to_numpy(),
        "deadline_on": deadline.astype("datetime64[ns]"),
        "finished_on": parsed.end[ok].to_numpy(),
        "returned_on": parsed.dates["returned_on"][ok].to_numpy(),
        "supplement_days": parsed.supplement_days[ok].to_numpy(),
        "supplement_requests": parsed.supplement_requests[ok].to_numpy(),
        "status": parsed.status[ok].astype("int64").to_numpy(),
        **{c: flags[c][ok].to_numpy() for c in FLAG_FIELDS if c != "by_postal_staff"},
        **{c: flags[c][ok].to_numpy(dtype=object) for c in OPTIONAL_FIELDS},
        "_line": good["_line"].to_numpy(),
        "_where": good["_where"].to_numpy(),
        "_seq": good["_seq"].to_numpy() if "_seq" in good else good["_line"].to_numpy(),
    })
