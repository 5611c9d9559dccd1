"""Export dossiers and catalogues in the documented import format (for round trips and benchmarks).

The file a province would hand over: Vietnamese headers, dates ``dd/mm/yyyy``,
status as the national portal's code, channel as its Vietnamese label.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ..schema import Agency, Dossier, PostalDeployment, Procedure, Sector, Unit
from .columns import FIELDS
from .labels import CHANNEL_NAMES

EXPORT_DOSSIER_FIELDS = ["code", "procedure_code", "procedure_name", "agency_code", "unit_code", "received_on", "due_on",
                         "finished_on", "returned_on", "status", "channel", "by_postal_staff", "supplement_days",
                         "supplement_requests", "has_fee", "paid_online", "digitised", "e_result", "rating",
                         "published_on_portal"]


def _labels(kind: str, names: list[str]) -> list[str]:
    lab = {f.name: f.label for f in FIELDS[kind]}
    return [lab[n] for n in names]


def _dmy(s: pd.Series) -> pd.Series:
    d = pd.to_datetime(s, errors="coerce")
    codes, uniq = pd.factorize(d)
    text = np.array(pd.DatetimeIndex(uniq).strftime("%d/%m/%Y"), dtype=object) if len(uniq) else np.array([], dtype=object)
    out = np.full(len(s), "", dtype=object)
    ok = codes >= 0
    out[ok] = text[codes[ok]]
    return pd.Series(out, index=s.index)


RATING_LABELS = {"satisfied": "Hài lòng", "neutral": "Bình thường", "dissatisfied": "Không hài lòng"}


def _yn(s: pd.Series) -> pd.Series:
    return s.astype(bool).map({True: "Có", False: "Không"})


def dossier_frame(chunk: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "code": chunk["code"], "procedure_code": chunk["procedure_code"], "procedure_name": chunk["procedure_name"],
        "agency_code": chunk["agency_code"], "unit_code": chunk["unit_code"],
        **{c: _dmy(chunk[c]) for c in ("received_on", "due_on", "finished_on", "returned_on")},
        "status": chunk["status"].astype(int).astype(str), "channel": chunk["channel"].astype(int).map(CHANNEL_NAMES),
        "by_postal_staff": _yn(chunk["by_postal_staff"]), "supplement_days": chunk["supplement_days"].astype(int).astype(str),
        "supplement_requests": chunk["supplement_requests"].astype(int).astype(str),
        **{c: _yn(chunk[c]) for c in ("has_fee", "paid_online", "digitised", "e_result")},
        "rating": chunk["rating"].map(RATING_LABELS).fillna(""),
        "published_on_portal": chunk["published_on_portal"].map({True: "Có", False: "Không"}).fillna(""),
    })
    return out[EXPORT_DOSSIER_FIELDS]


def export_dossiers(engine: Engine, path, *, limit: int | None = None, chunk_rows: int = 200_000,
                    fmt: str | None = None) -> int:
    """Write dossiers as an import file (.csv streamed in chunks, or .xlsx); returns the row count."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower() or "csv"
    D, P, A = Dossier.__table__, Procedure.__table__, Agency.__table__
    q = (select(D.c.code, P.c.code.label("procedure_code"), P.c.name.label("procedure_name"),
                A.c.code.label("agency_code"), A.c.unit_code, D.c.received_on, D.c.due_on, D.c.finished_on,
                D.c.returned_on, D.c.status, D.c.channel, D.c.by_postal_staff, D.c.supplement_days,
                D.c.supplement_requests, D.c.has_fee, D.c.paid_online, D.c.digitised, D.c.e_result,
                D.c.rating, D.c.published_on_portal)
         .select_from(D.join(P, P.c.id == D.c.procedure_id).join(A, A.c.id == D.c.agency_id)).order_by(D.c.id))
    if limit:
        q = q.limit(limit)
    headers = _labels("dossiers", EXPORT_DOSSIER_FIELDS)
    n = 0
    with engine.connect() as conn:
        if fmt == "xlsx":
            df = dossier_frame(pd.read_sql(q, conn))
            df.columns = headers
            df.to_excel(path, index=False, sheet_name="Hồ sơ")
            return len(df)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(",".join(headers) + "\n")
            for chunk in pd.read_sql(q, conn, chunksize=chunk_rows):
                dossier_frame(chunk).to_csv(fh, header=False, index=False, quoting=csv.QUOTE_MINIMAL)
                n += len(chunk)
    return n


def export_catalog(engine: Engine, kind: str, path) -> int:
    """Write units / agencies / procedures / postal records as an import file (CSV)."""
    with engine.connect() as conn:
        if kind == "units":
            df = pd.read_sql(select(Unit.code, Unit.name, Unit.short_name, Unit.division_type, Unit.level,
                                    Unit.parent_code, Unit.sort_order).order_by(Unit.level.desc(), Unit.code), conn)
            names = ["code", "name", "short_name", "division_type", "level", "parent_code", "sort_order"]
        elif kind == "agencies":
            df = pd.read_sql(select(Agency.code, Agency.name, Agency.name_en, Agency.unit_code).order_by(Agency.id), conn)
            names = ["code", "name", "name_en", "unit_code"]
        elif kind == "procedures":
            df = pd.read_sql(select(Procedure.code, Procedure.name, Procedure.name_en, Sector.code.label("sector_code"),
                                    Sector.name.label("sector_name"), Sector.name_en.label("sector_name_en"),
                                    Procedure.level, Procedure.online_level, Procedure.processing_days)
                             .join(Sector, Sector.id == Procedure.sector_id).order_by(Procedure.id), conn)
            names = ["code", "name", "name_en", "sector_code", "sector_name", "sector_name_en", "level",
                     "online_level", "processing_days"]
        elif kind == "postal":
            df = pd.read_sql(select(PostalDeployment.unit_code, PostalDeployment.year, PostalDeployment.postal_staff,
                                    PostalDeployment.civil_servants, PostalDeployment.procedures_moved,
                                    PostalDeployment.procedures_total, PostalDeployment.decided_on, PostalDeployment.note)
                             .order_by(PostalDeployment.year, PostalDeployment.unit_code), conn)
            df["decided_on"] = _dmy(df["decided_on"])
            names = ["unit_code", "year", "postal_staff", "civil_servants", "procedures_moved", "procedures_total",
                     "decided_on", "note"]
        else:
            raise ValueError(f"unknown catalogue kind {kind}")
    if "sort_order" in df:
        df["sort_order"] = df["sort_order"].fillna(0).astype(int)
    df.columns = _labels(kind, names)
    df.to_csv(path, index=False, encoding="utf-8")
    return len(df)
