"""The demo database reproduces the 2023 figures of the source article, on SQLite and PostgreSQL."""
import numpy as np
import pytest
from sqlalchemy import func, select

from data import catalog, demo
from data.filters import DossierFilter, Period
from data.queries.summary import standard_report, summary_by_level
from data.schema import PostalDeployment, Unit

ARTICLE_2023 = {  # level: (received, on-time rate in %, digits stated, online share in %)
    "province": (90_010, 99.8, 1, 80.6),
    "district": (136_350, 82.92, 2, 32.3),
    "commune": (187_299, 97.5, 1, 66.1),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def any_demo_engine(request):
    name = "demo_engine" if request.param == "sqlite" else "demo_pg_engine"
    return request.getfixturevalue(name)


def test_demo001_article_figures_2023(any_demo_engine):
    df = summary_by_level(any_demo_engine, DossierFilter(Period.year(2023)))
    for level, (received, on_time, digits, online) in ARTICLE_2023.items():
        row = df.loc[level]
        assert row.received == received
        assert round(row.on_time_rate * 100, digits) == on_time
        assert round(row.online_share * 100, 1) == online


def test_demo002_postal_figures_2023(any_demo_engine):
    pd_, u = PostalDeployment.__table__, Unit.__table__
    with any_demo_engine.connect() as conn:
        prov = conn.execute(select(pd_).where(pd_.c.unit_code == "49", pd_.c.year == 2023)).mappings().one()
        assert (prov.postal_staff, prov.civil_servants, prov.procedures_moved, prov.procedures_total) == (17, 24, 1381, 1381)
        districts = conn.execute(select(pd_, u.c.short_name).join(u, u.c.code == pd_.c.unit_code)
                                 .where(u.c.level == "district", pd_.c.year == 2023)).mappings().all()
        communes = conn.execute(select(func.count(), func.sum(pd_.c.postal_staff)).join(u, u.c.code == pd_.c.unit_code)
                                .where(u.c.level == "commune", pd_.c.year == 2023)).one()
        n_communes = conn.execute(select(func.count()).select_from(u).where(
            u.c.level == "commune", u.c.valid_from.is_(None))).scalar()  # the 2023 structure's communes
    assert len(districts) == 18
    assert sum(r.postal_staff for r in districts) == 44
    assert sum(r.civil_servants for r in districts) == 150
    full = {r.short_name for r in districts if r.procedures_moved == r.procedures_total}
    assert full == {"Nông Sơn", "Phước Sơn", "Nam Trà My", "Bắc Trà My", "Đông Giang", "Tây Giang",
                    "Thăng Bình", "Tam Kỳ", "Nam Giang", "Duy Xuyên", "Quế Sơn"}
    assert tuple(communes) == (19, 20)  # 20 postal staff at 19 communes
    assert n_communes == 241  # the others have moved nothing


def test_demo003_lateness_is_land_at_district_and_commune(demo_engine):
    for level in ("district", "commune"):
        by_sector = standard_report(demo_engine, DossierFilter(Period.year(2023), level=level), "sector")
        top = by_sector.sort_values("finished_late", ascending=False).iloc[0]
        assert top.sector_code == "DD"
        assert top.finished_late > 0.6 * by_sector["finished_late"].sum()


def test_demo004_real_units():
    units = catalog.load_units()
    assert sum(u["level"] == "district" for u in units) == 18
    assert sum(u["level"] == "commune" for u in units) == 241
    assert {u["code"]: u["short_name"] for u in units}["509"] == "Quế Sơn"


def test_demo005_deterministic_generation():
    def generate():
        rng = np.random.default_rng(7)
        units, sectors, procedures, agencies = demo._reference_rows(rng)
        postal = demo._postal_rows(rng, units)
        return demo._generate_dossiers(rng, units, sectors, procedures, agencies, postal, scale=0.01)

    a, b = generate(), generate()
    assert len(a) == len(b) > 10_000
    assert a.equals(b)


def test_demo006_due_dates_skip_tet(demo_engine):
    """No appointment falls on a weekend or a Vietnamese public holiday."""
    from data.schema import Dossier
    from data.workdays import is_workday

    d = Dossier.__table__
    with demo_engine.connect() as conn:
        dues = conn.execute(select(d.c.due_on).where(d.c.received_on.between("2023-01-16", "2023-01-31"))
                            .group_by(d.c.due_on)).scalars().all()
    assert dues and all(is_workday(x) for x in dues)


def test_demo007_bulk_load_restores_indexes_and_foreign_keys(any_demo_engine, tmp_path, request):
    """The builder drops the dossier table's indexes (and on PostgreSQL its foreign keys)
    for the bulk load: the built database has exactly the migrations' ones back."""
    from sqlalchemy import inspect

    from data.db import make_engine, upgrade

    if any_demo_engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path}/migrated.sqlite"
    else:
        url = request.getfixturevalue("pg_schema_factory")("migrated")
    upgrade(url)
    migrated = make_engine(url)

    def shape(engine):
        insp = inspect(engine)
        indexes = sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes("dossiers"))
        fks = sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys("dossiers"))
        return indexes, fks

    expected = shape(migrated)
    migrated.dispose()
    assert len(expected[0]) >= 3 and len(expected[1]) >= 2  # the comparison compares something
    assert shape(any_demo_engine) == expected
