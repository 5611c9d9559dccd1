"""Units with life spans in the database (migration 0009): the demo's units, successor links and
agencies against the catalogue of data.units_history (which part 1 checked against the packages),
and an existing 2023 database filled by the migration."""
import datetime as dt

import pytest
from alembic import command
from sqlalchemy import func, insert, select

from data import catalog, unit_versions
from data import units_history as uh
from data.db import alembic_config, make_engine, upgrade
from data.schema import Agency, Unit, UnitSuccessor

U, A, L = Unit.__table__, Agency.__table__, UnitSuccessor.__table__


def _in_force(conn, on: dt.date, level: str | None = None):
    q = select(U).where((U.c.valid_from.is_(None)) | (U.c.valid_from <= on), (U.c.valid_to.is_(None)) | (U.c.valid_to >= on))
    if level:
        q = q.where(U.c.level == level)
    return conn.execute(q).mappings().all()


@pytest.mark.parametrize("on, counts", [
    (dt.date(2023, 6, 1), {"province": 1, "district": 18, "commune": 241}),
    (dt.date(2024, 12, 31), {"province": 1, "district": 18, "commune": 241}),
    (dt.date(2025, 1, 1), {"province": 1, "district": 17, "commune": 233}),
    (dt.date(2025, 6, 30), {"province": 1, "district": 17, "commune": 233}),
    (dt.date(2025, 7, 1), {"province": 1, "commune": 78}),
    (dt.date(2026, 12, 31), {"province": 1, "commune": 78}),
])
def test_life001_units_in_force_are_the_catalogues(demo_engine, on, counts):
    with demo_engine.connect() as conn:
        rows = _in_force(conn, on)
    got = {}
    for r in rows:
        got[r.level] = got.get(r.level, 0) + 1
    assert got == counts
    expected = {(u.code, u.name, u.level) for u in uh.units_in_force(on)}
    assert {(r.official_code, r.name, r.level) for r in rows} == expected


def test_life002_codes_are_reused_and_keyed_by_date(demo_engine):
    with demo_engine.connect() as conn:
        rows = conn.execute(select(U.c.code, U.c.name, U.c.parent_code, U.c.valid_from, U.c.valid_to)
                            .where(U.c.official_code == "20656").order_by(U.c.code)).all()
        assert [tuple(r) for r in rows] == [
            ("20656", "Thị trấn Trung Phước", "519", None, dt.date(2024, 12, 31)),
            ("20656-2501", "Thị trấn Trung Phước", "509", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
            ("20656-2507", "Xã Nông Sơn", "48", dt.date(2025, 7, 1), None),
        ]
        assert unit_versions.unit_key_for(conn, "20656", dt.date(2026, 3, 2)) == "20656-2507"
        assert unit_versions.unit_key_for(conn, "20656", dt.date(2023, 3, 2)) == "20656"
        assert unit_versions.unit_key_for(conn, "519", dt.date(2025, 3, 2)) is None  # Nông Sơn joined Quế Sơn
        province = conn.execute(select(U.c.code, U.c.name, U.c.valid_to).where(U.c.level == "province")
                                .order_by(U.c.code.desc())).all()
        assert [tuple(r) for r in province] == [("49", "Tỉnh Quảng Nam", dt.date(2025, 6, 30)),
                                                ("48", "Thành phố Đà Nẵng", None)]


def test_life003_successor_links_are_the_catalogues(demo_engine):
    with demo_engine.connect() as conn:
        links = conn.execute(select(L.c.from_code, L.c.to_code, L.c.effective_on, L.c.share, L.c.relation)).all()
        official = dict(conn.execute(select(U.c.code, U.c.official_code)).all())
    cat = uh.catalogue()
    assert len(links) == len(cat.links) == 267
    assert {(official[a], official[b], on, share, rel) for a, b, on, share, rel in links} == \
        {(x.from_code, x.to_code, x.on, x.share, x.relation) for x in cat.links}
    # Every version that ended hands on all of itself.
    shares: dict[str, float] = {}
    for a, _, _, share, _ in links:
        shares[a] = shares.get(a, 0) + share
    assert all(abs(s - 1) < 1e-9 for s in shares.values())
    # Xã Quế Long (2023) -> Xã Quế Sơn of the city; Xã Sơn Viên -> Xã Quế Lộc (2025) -> Xã Nông Sơn.
    by_from = {a: b for a, b, *_ in links}
    assert by_from["20677"] == "20641-2507"
    assert by_from["20672"] == "20671-2501"  # Quế Lộc, now under Quế Sơn: a version of its own
    assert by_from[by_from["20672"]] == "20656-2507"


def test_life004_agencies_follow_their_units(demo_engine):
    with demo_engine.connect() as conn:
        def agencies_on(on):
            return conn.execute(select(A.c.level, func.count()).where(
                (A.c.valid_from.is_(None)) | (A.c.valid_from <= on), (A.c.valid_to.is_(None)) | (A.c.valid_to >= on))
                .group_by(A.c.level)).all()
        n_dep = len(catalog.DEPARTMENTS)
        assert dict(agencies_on(dt.date(2023, 6, 1))) == {"province": n_dep, "district": 18, "commune": 241}
        assert dict(agencies_on(dt.date(2025, 3, 1))) == {"province": n_dep, "district": 17, "commune": 233}
        assert dict(agencies_on(dt.date(2026, 3, 1))) == {"province": n_dep, "commune": 78}
        city = conn.execute(select(A.c.code, A.c.unit_code).where(A.c.code == "STP-48")).one()
        assert tuple(city) == ("STP-48", "48")
        # A new commune's People's Committee carries the former district its communes came from (its users' scope).
        scope = dict(conn.execute(select(A.c.unit_code, A.c.district_code).where(A.c.valid_from == uh.TWO_TIERS_FROM,
                                                                                 A.c.level == "commune")).all())
    for district in ("509", "502", "513"):
        formed = {unit_versions.version_key(u) for u in uh.catalogue().communes_formed_from_district(district)}
        assert {u for u, d in scope.items() if d == district} == formed


@pytest.fixture(params=["sqlite", "postgresql"])
def url_2023_at_0008(request, tmp_path, pg_schema_factory_lazy):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}" if request.param == "sqlite" else pg_schema_factory_lazy()("life")
    upgrade(url, "0008")
    engine = make_engine(url)
    rows = catalog.load_units()
    with engine.begin() as conn:
        conn.execute(insert(U), rows)
        conn.execute(insert(A), [dict(code="STP", name="Sở Tư pháp", name_en="Department of Justice", level="province",
                                      unit_code="49", district_code=None, commune_code=None)])
    engine.dispose()
    return url


def test_life005_migration_fills_an_existing_2023_database(url_2023_at_0008):
    command.upgrade(alembic_config(url_2023_at_0008), "head")
    engine = make_engine(url_2023_at_0008)
    try:
        with engine.connect() as conn:
            assert len(_in_force(conn, dt.date(2026, 1, 1), "commune")) == 78
            assert len(_in_force(conn, dt.date(2025, 1, 1), "district")) == 17
            assert conn.execute(select(func.count()).select_from(L)).scalar() == 267
            assert conn.execute(select(U.c.official_code).where(U.c.code == "502")).scalar() == "502"
            assert tuple(conn.execute(select(A.c.unit_code, A.c.valid_to).where(A.c.code == "STP")).one()) == \
                ("49", dt.date(2025, 6, 30))
            assert conn.execute(select(A.c.unit_code).where(A.c.code == "STP-48")).scalar() == "48"
            assert conn.execute(select(A.c.district_code).where(A.c.code == "X20656-2507")).scalar() == "509"
        command.downgrade(alembic_config(url_2023_at_0008), "0008")
    finally:
        engine.dispose()
