"""A small hand-built province whose answers are computed by hand in the tests.

Two district-level units (Quế Sơn 509, Tam Kỳ 502), three communes, two sectors,
22 dossiers. Dates are real: 2023's Tết holiday ran 20-26 January, 1-4 May and
1-4 September had holidays too. Each dossier's comment says what it is for.

Hand-computed answers for 2023 (see tests/test_summary.py):
  province: received 3 (1 online), carried over 1 (P4), finished early 2 / on time 1 / late 1,
            on-time rate 3/4, postal staff received 2, in progress at year end 0
  district: received 7 (1 online, 1 by post, 5 in person), finished early 1 / on time 1 / late 2,
            rate 2/4, withdrawn 1, in progress at year end 2 (1 overdue)
  commune:  received 4 (2 online), finished early 1 / on time 2 / late 1, rate 3/4
Service index (data.service_index): a few dossiers carry paid-online, not-digitised, a rating
and "published on the portal" (tests/test_scorecard.py scores them by hand); the rest None.
"""
from __future__ import annotations

import datetime as dt

D = dt.date

UNITS = [
    dict(code="49", name="Tỉnh Quảng Nam", short_name="Quảng Nam", division_type="tỉnh", level="province", parent_code=None, tile_row=None, tile_col=None, sort_order=0),
    dict(code="502", name="Thành phố Tam Kỳ", short_name="Tam Kỳ", division_type="thành phố", level="district", parent_code="49", tile_row=3, tile_col=4, sort_order=1),
    dict(code="509", name="Huyện Quế Sơn", short_name="Quế Sơn", division_type="huyện", level="district", parent_code="49", tile_row=2, tile_col=3, sort_order=8),
    dict(code="20335", name="Phường Tân Thạnh", short_name="Tân Thạnh", division_type="phường", level="commune", parent_code="502", tile_row=None, tile_col=None, sort_order=1),
    dict(code="20641", name="Thị trấn Đông Phú", short_name="Đông Phú", division_type="thị trấn", level="commune", parent_code="509", tile_row=None, tile_col=None, sort_order=1),
    dict(code="20650", name="Xã Quế Xuân 1", short_name="Quế Xuân 1", division_type="xã", level="commune", parent_code="509", tile_row=None, tile_col=None, sort_order=2),
]

SECTORS = [
    dict(id=1, code="DD", name="Đất đai", name_en="Land"),
    dict(id=2, code="TP", name="Tư pháp – Hộ tịch", name_en="Justice – civil status"),
]

PROCEDURES = [
    dict(id=1, code="DD-T-01", name="Đăng ký biến động đất đai (tổ chức)", name_en="Land changes (organisations)", sector_id=1, level="province", online_level="partial", processing_days=10),
    dict(id=2, code="TP-T-01", name="Cấp Phiếu lý lịch tư pháp", name_en="Criminal record certificate", sector_id=2, level="province", online_level="full", processing_days=10),
    dict(id=3, code="DD-H-01", name="Đăng ký biến động quyền sử dụng đất", name_en="Registration of land changes", sector_id=1, level="district", online_level="partial", processing_days=10),
    dict(id=4, code="DD-H-04", name="Đăng ký thế chấp quyền sử dụng đất", name_en="Land mortgage registration", sector_id=1, level="district", online_level="full", processing_days=1),
    dict(id=5, code="TP-X-01", name="Đăng ký khai sinh", name_en="Birth registration", sector_id=2, level="commune", online_level="full", processing_days=1),
    dict(id=6, code="DD-X-01", name="Tiếp nhận hồ sơ đăng ký biến động đất đai", name_en="Receiving land change registrations", sector_id=1, level="commune", online_level="partial", processing_days=10),
]

AGENCIES = [
    dict(id=1, code="STNMT", name="Sở Tài nguyên và Môi trường", name_en="Department of Natural Resources and Environment", level="province", unit_code="49", district_code=None, commune_code=None),
    dict(id=2, code="STP", name="Sở Tư pháp", name_en="Department of Justice", level="province", unit_code="49", district_code=None, commune_code=None),
    dict(id=3, code="H509", name="UBND Huyện Quế Sơn", name_en="People's Committee of Quế Sơn", level="district", unit_code="509", district_code="509", commune_code=None),
    dict(id=4, code="H502", name="UBND Thành phố Tam Kỳ", name_en="People's Committee of Tam Kỳ", level="district", unit_code="502", district_code="502", commune_code=None),
    dict(id=5, code="X20641", name="UBND Thị trấn Đông Phú", name_en="People's Committee of Đông Phú", level="commune", unit_code="20641", district_code="509", commune_code="20641"),
    dict(id=6, code="X20650", name="UBND Xã Quế Xuân 1", name_en="People's Committee of Quế Xuân 1", level="commune", unit_code="20650", district_code="509", commune_code="20650"),
    dict(id=7, code="X20335", name="UBND Phường Tân Thạnh", name_en="People's Committee of Tân Thạnh", level="commune", unit_code="20335", district_code="502", commune_code="20335"),
]

_LEVEL = {1: "province", 2: "province", 3: "district", 4: "district", 5: "commune", 6: "commune", 7: "commune"}
_DISTRICT = {a["id"]: a["district_code"] for a in AGENCIES}
_COMMUNE = {a["id"]: a["commune_code"] for a in AGENCIES}


def _d(code, agency, proc, channel, received, due, finished, status, postal=False, sup_days=0, sup_req=0, deadline=None,
       **service):
    return dict(code=code, procedure_id=proc, agency_id=agency, level=_LEVEL[agency], district_code=_DISTRICT[agency],
                commune_code=_COMMUNE[agency], channel=channel, by_postal_staff=postal, received_on=received, due_on=due,
                deadline_on=deadline or due, finished_on=finished,
                returned_on=finished if status == 10 else None, supplement_days=sup_days, supplement_requests=sup_req,
                status=status, has_fee=proc in (1, 3, 4, 6), paid_online=False, digitised=True, e_result=channel == 2,
                rating=None, published_on_portal=None) | service


DOSSIERS = [
    # Province
    _d("P1", 1, 1, 2, D(2023, 3, 1), D(2023, 3, 15), D(2023, 3, 10), 10,
       paid_online=True, rating="satisfied", published_on_portal=True),  # early, online
    _d("P2", 2, 2, 1, D(2023, 3, 2), D(2023, 3, 16), D(2023, 3, 16), 10, postal=True),  # on the due day
    _d("P3", 1, 1, 1, D(2023, 5, 8), D(2023, 5, 22), D(2023, 5, 25), 10, postal=True,
       rating="dissatisfied", published_on_portal=False),  # 3 working days late
    _d("P4", 2, 2, 2, D(2022, 12, 28), D(2023, 1, 12), D(2023, 1, 5), 10),  # carried over into 2023, early
    # District
    # D1: due 19/01/2023, the last working day before Tết; finished 30/01: 2 working days late, not 11
    _d("D1", 3, 3, 1, D(2023, 1, 5), D(2023, 1, 19), D(2023, 1, 30), 10, postal=True,
       digitised=False, rating="neutral", published_on_portal=True),
    # D2: waited 3 working days for the applicant's supplement: deadline 20/06, finished 19/06 -> early
    _d("D2", 3, 3, 1, D(2023, 6, 1), D(2023, 6, 15), D(2023, 6, 19), 10, sup_days=3, sup_req=1, deadline=D(2023, 6, 20),
       published_on_portal=False),
    _d("D3", 3, 4, 2, D(2023, 7, 3), D(2023, 7, 4), D(2023, 7, 4), 10, paid_online=True, rating="satisfied"),  # on time, online
    # D4: two supplement requests -> late by rule, although finished before its deadline
    _d("D4", 4, 3, 3, D(2023, 9, 5), D(2023, 9, 19), D(2023, 9, 20), 9, sup_days=2, sup_req=2, deadline=D(2023, 9, 21)),
    _d("D5", 4, 4, 1, D(2023, 12, 27), D(2023, 12, 28), None, 4, digitised=False),  # open at year end, overdue
    _d("D6", 3, 3, 1, D(2023, 12, 20), D(2024, 1, 4), D(2024, 1, 3), 10),  # open at year end within deadline
    _d("D7", 4, 3, 1, D(2023, 4, 3), D(2023, 4, 17), D(2023, 4, 5), 7),  # withdrawn by the applicant
    # Commune
    _d("C1", 5, 5, 2, D(2023, 2, 1), D(2023, 2, 2), D(2023, 2, 1), 10, rating="satisfied"),  # early, online
    _d("C2", 5, 5, 1, D(2023, 2, 1), D(2023, 2, 2), D(2023, 2, 2), 10, postal=True),  # on time
    _d("C3", 6, 6, 1, D(2023, 8, 1), D(2023, 8, 15), D(2023, 8, 17), 10),  # 2 working days late
    _d("C4", 7, 5, 2, D(2023, 10, 2), D(2023, 10, 3), D(2023, 10, 3), 10),  # on time, online
    _d("C5", 7, 6, 1, D(2022, 11, 1), D(2022, 11, 15), D(2022, 11, 14), 10),  # 2022, early
    _d("C6", 7, 5, 1, D(2022, 6, 1), D(2022, 6, 2), D(2022, 6, 3), 10),  # 2022, late
]

POSTAL_DEPLOYMENTS = [
    dict(unit_code="49", year=2023, postal_staff=2, civil_servants=3, procedures_moved=10, procedures_total=10, decided_on=D(2023, 1, 1), note=None),
    dict(unit_code="509", year=2023, postal_staff=1, civil_servants=4, procedures_moved=5, procedures_total=10, decided_on=D(2023, 1, 1), note=None),
    dict(unit_code="502", year=2023, postal_staff=2, civil_servants=5, procedures_moved=10, procedures_total=10, decided_on=D(2023, 1, 1), note=None),
    dict(unit_code="20641", year=2023, postal_staff=1, civil_servants=1, procedures_moved=3, procedures_total=6, decided_on=D(2023, 1, 1), note=None),
    dict(unit_code="49", year=2022, postal_staff=1, civil_servants=2, procedures_moved=8, procedures_total=10, decided_on=D(2022, 1, 1), note=None),
    dict(unit_code="509", year=2022, postal_staff=1, civil_servants=3, procedures_moved=2, procedures_total=10, decided_on=D(2022, 1, 1), note=None),
]
