"""The national public-service portal's dossier sync payload (``DongBoHoSoMC``) as a table.

What provincial systems send the portal (public code: VietOpenCPS/opencps-v2,
DVCQGIntegrationActionImpl.createSyncDossierBodyRequest; HuanVu201/DichVuCong_KhoaLuan_PASETO,
SyncLocalDataToDVCQG):

* a body ``{"service": "DongBoHoSoMC", "isUpdating": true|false, "data": [record, ...]}``
  (opencps), or the bare list of records (posted as is by other systems);
* each record with the portal's field names: ``MaHoSo``, ``MaTTHC``, ``TenTTHC``,
  ``MaLinhVuc``, ``TenLinhVuc``, ``KenhThucHien`` (1 in person, 2 online, 3 post; not sent
  by every system), ``NgayTiepNhan``, ``NgayHenTra``, ``NgayKetThucXuLy``, ``NgayTra``,
  ``TrangThaiHoSo`` (1-10), ``DonViXuLy`` (the agency's *name*), ``HinhThuc`` (how the result
  is returned, not the channel), contact and attachment fields the dashboard does not read;
* dates as ``yyyyMMddHHmmss`` in Vietnam time, ``""`` when not set.

Records become rows of a one-sheet grid: the header is the union of the records' scalar
field names (nested lists such as ``TaiLieuNop`` are left out), each record one row, its
line the record's number in ``data`` (1 = the first).
"""
from __future__ import annotations

import json
from pathlib import Path

from .grid import Sheet

RECORD_KEYS = ("MaHoSo", "maHoSo", "MAHOSO")


class NotPortalJSON(ValueError):
    pass


def _records(doc):
    if isinstance(doc, list):
        return doc, None
    if isinstance(doc, dict):
        for key in ("data", "Data", "DATA", "result", "hoSo", "HoSo"):
            if isinstance(doc.get(key), list):
                return doc[key], doc.get("service")
        if any(k in doc for k in RECORD_KEYS):  # one record on its own
            return [doc], None
    raise NotPortalJSON("no list of dossier records (expected {\"data\": [...]} or [...])")


def _scalar(v):
    if v is None or isinstance(v, (list, dict)):
        return None
    if isinstance(v, bool):
        return "1" if v else "0"
    return v


def portal_sheet(path: Path, encoding: str) -> tuple[Sheet, str | None, int]:
    """(the records as a sheet, the body's service name, the number of records)."""
    try:
        doc = json.loads(path.read_bytes().decode(encoding))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotPortalJSON(f"not valid JSON ({str(exc).splitlines()[0][:120]})") from exc
    records, service = _records(doc)
    records = [r for r in records if isinstance(r, dict)] if records else []
    keys: dict[str, None] = {}
    for r in records:
        for k, v in r.items():
            if not isinstance(v, (list, dict)):
                keys.setdefault(str(k), None)
    header = list(keys)

    def rows():
        yield 0, header
        for i, r in enumerate(records, start=1):
            yield i, [_scalar(r.get(k)) for k in header]

    return Sheet("data", rows, est_rows=len(records), label=str), service, len(records)
