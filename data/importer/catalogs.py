"""Catalogue imports: units, agencies, procedures (with their sectors) and postal-substitution records.

Small files, so rows are checked one by one in Python; upsert by code (postal records by
unit and year), one transaction, rejected rows to the same report format as dossiers.
A district or commune unit gets its People's Committee as receiving agency
(``H<code>`` / ``X<code>``) unless it already has one.
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from ..schema import Agency, ImportRun, PostalDeployment, Procedure, Sector, Unit
from .columns import FIELDS, fold
from .dossiers import ImportResult, NothingValid
from .parse import parse_dates
from .readers import ImportFileError, open_table, split_rejected
from .report import RejectWriter, report_path_for

LEVELS = {"province": "province", "tinh": "province", "cap_tinh": "province", "district": "district", "huyen": "district",
          "cap_huyen": "district", "commune": "commune", "xa": "commune", "cap_xa": "commune"}
ONLINE = {"full": "full", "toan_trinh": "full", "partial": "partial", "mot_phan": "partial", "none": "none",
          "khong": "none", "": "none"}
LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}


class RowError(ValueError):
    def __init__(self, field: str, vi: str, en: str):
        super().__init__(en)
        self.field, self.vi, self.en = field, vi, en


def _req(row, f, maxlen=None):
    v = row.get(f, "")
    if not v:
        raise RowError(f, "thiếu giá trị bắt buộc", "required value missing")
    if maxlen and len(v) > maxlen:
        raise RowError(f, f"dài quá {maxlen} ký tự", f"longer than {maxlen} characters")
    return v


def _int(row, f, lo, hi, default=None):
    v = row.get(f, "")
    if v == "" and default is not None:
        return default
    try:
        x = float(v)
    except ValueError:
        raise RowError(f, f"phải là số nguyên {lo}–{hi}", f"must be a whole number {lo}-{hi}") from None
    if not x.is_integer() or not lo <= x <= hi:
        raise RowError(f, f"phải là số nguyên {lo}–{hi}", f"must be a whole number {lo}-{hi}")
    return int(x)


def _level(row, f="level"):
    v = LEVELS.get(fold(row.get(f, "")))
    if v is None:
        raise RowError(f, "cấp không hợp lệ (tỉnh, huyện, xã)", "unknown level (province, district, commune)")
    return v


def _short(name: str, division_type: str) -> str:
    prefix = division_type[:1].upper() + division_type[1:] + " "
    return name[len(prefix):] if division_type and name.startswith(prefix) else name


# ---------------------------------------------------------------- per-kind rules

def _unit_row(row, ctx):
    code = _req(row, "code", 10)
    level = _level(row)
    parent = row.get("parent_code") or None
    if level == "province":
        parent = None
    elif not parent:
        raise RowError("parent_code", "đơn vị cấp huyện/xã cần mã đơn vị cấp trên", "a district or commune needs its parent code")
    elif parent not in ctx["units"] and parent not in ctx["file_units"]:
        raise RowError("parent_code", "mã đơn vị cấp trên chưa có", "unknown parent unit code")
    old = ctx["units"].get(code)
    if old is not None and old != (level, parent):
        # Dossiers, agencies and aggregates carry the unit's district: a move would split a
        # district's pages from its users' scope (issue 13, finding 11). A new unit needs a new code.
        raise RowError("parent_code" if old[0] == level else "level",
                       f"đơn vị {code} đã có với cấp {old[0]}, cấp trên {old[1] or '—'}; không chuyển đơn vị sang cấp "
                       "hoặc cấp trên khác (hồ sơ và số liệu đã gắn với đơn vị cũ)",
                       f"unit {code} exists at level {old[0]} under {old[1] or '—'}; moving a unit to another level or "
                       "parent is refused (its dossiers and figures belong to the old one)")
    name, dtype = _req(row, "name", 120), _req(row, "division_type", 30)
    return code, dict(code=code, name=name, short_name=(row.get("short_name") or _short(name, dtype))[:80],
                      division_type=dtype, level=level, parent_code=parent, sort_order=_int(row, "sort_order", 0, 100000, 0))


def _agency_row(row, ctx):
    code = _req(row, "code", 20)
    unit = _req(row, "unit_code")
    u = ctx["units"].get(unit)
    if u is None:
        raise RowError("unit_code", "mã đơn vị chưa có (nhập danh mục đơn vị trước)", "unknown unit code (import units first)")
    old_unit = ctx["agencies"].get(code)
    if old_unit is not None and old_unit != unit:
        # Its dossiers carry the old unit's district and commune (issue 13, finding 11).
        raise RowError("unit_code", f"cơ quan {code} đã thuộc đơn vị {old_unit}; không chuyển cơ quan sang đơn vị khác",
                       f"agency {code} belongs to unit {old_unit}; moving an agency to another unit is refused")
    level, parent = u
    return code, dict(code=code, name=_req(row, "name", 160), name_en=row.get("name_en") or None, level=level,
                      unit_code=unit, district_code=unit if level == "district" else parent if level == "commune" else None,
                      commune_code=unit if level == "commune" else None)


def _procedure_row(row, ctx):
    code = _req(row, "code", 30)
    online = ONLINE.get(fold(row.get("online_level", "")))
    if online is None:
        raise RowError("online_level", "mức trực tuyến không hợp lệ (toàn trình, một phần, không)",
                       "unknown online level (full, partial, none)")
    return code, dict(code=code, name=_req(row, "name", 300), name_en=row.get("name_en") or None,
                      sector_code=_req(row, "sector_code", 20), sector_name=row.get("sector_name") or None,
                      sector_name_en=row.get("sector_name_en") or None, level=_level(row), online_level=online,
                      processing_days=_int(row, "processing_days", 0, 365))


def _postal_row(row, ctx):
    unit = _req(row, "unit_code")
    if unit not in ctx["units"]:
        raise RowError("unit_code", "mã đơn vị chưa có", "unknown unit code")
    year = _int(row, "year", 2000, 2100)
    vals = {f: _int(row, f, 0, 100000) for f in ("postal_staff", "civil_servants", "procedures_moved", "procedures_total")}
    if vals["procedures_moved"] > vals["procedures_total"]:
        raise RowError("procedures_moved", "số thủ tục chuyển giao lớn hơn tổng số thủ tục", "more procedures moved than in total")
    decided = None
    if row.get("decided_on"):
        d, bad = parse_dates(pd.Series([row["decided_on"]]))
        if bad.iloc[0]:
            raise RowError("decided_on", "ngày không hợp lệ", "not a valid date")
        decided = d.iloc[0].date()
    return (unit, year), dict(unit_code=unit, year=year, decided_on=decided, note=row.get("note") or None, **vals)


RULES = {"units": (Unit, ("code",), _unit_row), "agencies": (Agency, ("code",), _agency_row),
         "procedures": (Procedure, ("code",), _procedure_row), "postal": (PostalDeployment, ("unit_code", "year"), _postal_row)}


def _context(conn: Connection) -> dict:
    units = {c: (lvl, p) for c, lvl, p in conn.execute(select(Unit.code, Unit.level, Unit.parent_code))}
    agencies = {c: u for c, u in conn.execute(select(Agency.code, Agency.unit_code))}
    return {"units": units, "file_units": set(), "agencies": agencies}


def import_catalog(engine: Engine, kind: str, path, *, mapping=None, command=None, report_dir=None) -> ImportResult:
    t0 = time.perf_counter()
    started = dt.datetime.now()
    path = Path(path)
    model, key_cols, rule = RULES[kind]
    reader = open_table(path, kind, mapping)
    labels = {f.name: f.label for f in FIELDS[kind]}
    result = ImportResult(kind, path.name, notes=list(reader.notes))
    report = RejectWriter(report_path_for(path, report_dir))
    rows, shape_problems = [], []
    for chunk in reader.chunks():
        chunk, rejected = split_rejected(chunk)
        shape_problems += [(r.line, r.where, r.column, r.value, r.reason_vi, r.reason_en)
                           for r in rejected.rename(columns={"_line": "line"}).itertuples(index=False)]
        rows += chunk.to_dict("records")
    result.rows_read = len(rows) + len(shape_problems)
    if not result.rows_read:
        raise ImportFileError(path.name, "chỉ có dòng tiêu đề, không có dữ liệu", "only a header row, no data rows")
    try:
        with engine.begin() as conn:
            ctx = _context(conn)
            if kind == "units":
                ctx["file_units"] = {r.get("code") for r in rows}
                rows.sort(key=lambda r: LEVEL_ORDER.get(LEVELS.get(fold(r.get("level", "")), ""), 3))
            parsed, problems = {}, list(shape_problems)
            seen: dict = {}
            for r in rows:
                try:
                    key, vals = rule(r, ctx)
                except RowError as e:
                    problems.append((r["_line"], r["_where"], labels.get(e.field, e.field), r.get(e.field, ""), e.vi, e.en))
                    continue
                seen.setdefault(key, []).append(r)
                parsed[key] = (r, vals)
            for key, occ in seen.items():
                if len(occ) > 1:
                    lines = ", ".join(o["_where"] for o in occ)
                    for o in occ:
                        problems.append((o["_line"], o["_where"], labels[RULES[kind][1][0]], "/".join(map(str, key if isinstance(key, tuple) else (key,))),
                                         f"mã trùng trong tệp (dòng {lines})", f"code repeated in the file (lines {lines})"))
                    parsed.pop(key, None)
            problems.sort(key=lambda p: p[0])
            report.write([p[1:] for p in problems])
            result.rejected = len({p[0] for p in problems})
            if not parsed:
                result.report_path = report.close()
                raise NothingValid(path.name, f"không có dòng hợp lệ: {result.rejected} dòng bị từ chối, xem {result.report_path}",
                                   f"no valid rows: {result.rejected} rows rejected, see {result.report_path}", result)
            _write(conn, kind, model, key_cols, [v for _, v in parsed.values()], result)
            result.report_path = report.close()
            result.seconds = time.perf_counter() - t0
            result.run_id = conn.execute(insert(ImportRun).returning(ImportRun.id), [dict(
                started_at=started, finished_at=dt.datetime.now(), command=(command or f"tthc import {kind}")[:200],
                kind=kind, file_name=str(path)[-400:], added=result.added, updated=result.updated,
                unchanged=result.unchanged, rejected=result.rejected,
                report_path=str(result.report_path) if result.report_path else None,
                status="ok" if result.rejected == 0 else "partial")]).scalar_one()
    finally:
        report.close()
    result.seconds = time.perf_counter() - t0
    return result


def _next_id(conn: Connection, table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def _write(conn: Connection, kind, model, key_cols, values: list[dict], result: ImportResult) -> None:
    table = model.__table__
    if kind == "procedures":
        sectors = {c: i for c, i in conn.execute(select(Sector.code, Sector.id))}
        for v in values:
            sc = v.pop("sector_code")
            sname, sname_en = v.pop("sector_name"), v.pop("sector_name_en")
            if sc not in sectors:
                sid = _next_id(conn, Sector.__table__)
                conn.execute(insert(Sector), [dict(id=sid, code=sc, name=sname or sc, name_en=sname_en)])
                sectors[sc] = sid
            v["sector_id"] = sectors[sc]
    cols = list(values[0].keys())
    existing = {tuple(r[:len(key_cols)]): r[len(key_cols):] for r in conn.execute(
        select(*[table.c[k] for k in key_cols], *[table.c[c] for c in cols]))}
    new_units = []
    for v in values:
        key = tuple(v[k] for k in key_cols)
        old = existing.get(key)
        if old is None:
            if "id" in table.c:  # explicit ids: bulk loads leave PostgreSQL sequences behind
                v = dict(v, id=_next_id(conn, table))
            conn.execute(insert(table), [v])
            result.added += 1
            if kind == "units":
                new_units.append(v)
        elif tuple(old) != tuple(v[c] for c in cols):
            cond = [table.c[k] == v[k] for k in key_cols]
            conn.execute(update(table).where(*cond).values(**v))
            result.updated += 1
        else:
            result.unchanged += 1
    if new_units:
        has_agency = set(conn.execute(select(Agency.unit_code)).scalars())
        codes = set(conn.execute(select(Agency.code)).scalars())
        for u in new_units:
            if u["level"] == "province" or u["code"] in has_agency:
                continue
            code = ("H" if u["level"] == "district" else "X") + u["code"]
            if code in codes:
                continue
            conn.execute(insert(Agency), [dict(id=_next_id(conn, Agency.__table__), code=code, name=f"UBND {u['name']}", name_en=f"People's Committee of {u['short_name']}",
                                               level=u["level"], unit_code=u["code"],
                                               district_code=u["code"] if u["level"] == "district" else u["parent_code"],
                                               commune_code=u["code"] if u["level"] == "commune" else None)])
