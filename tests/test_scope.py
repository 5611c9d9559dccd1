"""One place turns a filter and a district user's scope into SQL (data.filters), and it
gives the same scope whichever table a query reads.

- The aggregate terms (``stats_where``) and the dossier-row terms (``dossier_where``) select
  the same dossiers for a district user, for every kind of filter, on both databases.
- Every query module's answers for a district user are the answers for that district asked
  for by name: the scope reaches each query through data.filters and nothing else. A new
  module in data/queries fails this test until its calls are listed here.
"""
from __future__ import annotations

import dataclasses
import pkgutil

import pandas as pd
import pytest
from sqlalchemy import func, select

import data.queries
from data.aggregates import D
from data.auth import reset_scope, set_scope
from data.filters import DossierFilter, Period, S, dossier_where, stats_where
from data.queries import boundaries, imports, late, late_current, levels, postal, postal_current, reference, review, scorecard, summary

Y2023 = Period.year(2023)
USER_DISTRICT, OTHER_DISTRICT = "509", "502"

FILTERS = [
    {},
    {"level": "district"},
    {"level": "commune"},
    {"commune_code": "20641"},
    {"sector_code": "DD"},
    {"procedure_code": "DD-H-01"},
    {"district_code": OTHER_DISTRICT},  # asked for another district: the scope wins
]


@pytest.fixture
def district_user():
    token = set_scope(USER_DISTRICT, "district")
    yield
    reset_scope(token)


def received_by_aggregates(engine, f: DossierFilter) -> int:
    stmt = select(func.coalesce(func.sum(S.c.received), 0)).where(S.c.ym >= f.period.first_ym, S.c.ym <= f.period.last_ym,
                                                                  *stats_where(f, S))
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar())


def received_by_dossiers(engine, f: DossierFilter) -> int:
    stmt = select(func.count()).select_from(D).where(D.c.received_on >= f.period.start, D.c.received_on <= f.period.end,
                                                     *dossier_where(f))
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar())


@pytest.mark.parametrize("fields", FILTERS, ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items()) or "all")
def test_scp001_aggregates_and_dossier_rows_give_the_same_scope(fixture_engine, district_user, fields):
    f = DossierFilter(Y2023, **fields)
    assert f.effective_district == USER_DISTRICT  # the scope is on the filter, whatever it asked
    by_stats, by_rows = received_by_aggregates(fixture_engine, f), received_by_dossiers(fixture_engine, f)
    assert by_stats == by_rows
    # and it is the district user's: the same as asking for their district with no scope
    token = set_scope(None, None)
    try:
        asked = DossierFilter(Y2023, **{**fields, "district_code": USER_DISTRICT})
        assert received_by_dossiers(fixture_engine, asked) == by_rows
    finally:
        reset_scope(token)


def test_scp002_the_scope_keeps_out_what_the_province_sees(fixture_engine, district_user):
    """The scope does narrow (fixture, 2023): Quế Sơn received 7, Tam Kỳ 4, the province's own
    agencies 3, 14 in all."""
    scoped = received_by_aggregates(fixture_engine, DossierFilter(Y2023))
    token = set_scope(None, None)
    try:
        whole = received_by_aggregates(fixture_engine, DossierFilter(Y2023))
        tam_ky = received_by_dossiers(fixture_engine, DossierFilter(Y2023, district_code=OTHER_DISTRICT))
    finally:
        reset_scope(token)
    assert (scoped, tam_ky, whole) == (7, 4, 14)


def _calls(engine, f: DossierFilter) -> dict:
    """Every query that takes a filter, per module of data/queries."""
    # Uncached, like every call below: a cache shared with other tests must not answer for the query.
    mode_calls = {f"late.{fn.__name__}({mode})": (lambda fn=fn, mode=mode: fn.uncached(engine, f, mode))
                  for fn in (late.totals, late.late_by_sector, late.late_by_procedure, late.late_by_unit, late.late_heatmap,
                             late.late_trend)
                  for mode in late.MODES}
    return {
        "summary": {
            "standard_report(level)": lambda: summary.standard_report(engine, f, "level"),
            "standard_report(district, sector)": lambda: summary.standard_report(engine, f, ["district", "sector"]),
            "standard_report(month)": lambda: summary.standard_report(engine, f, "month"),
            "summary_by_level": lambda: summary.summary_by_level(engine, f),
        },
        "levels": {
            "level_summary_with_previous": lambda: levels.level_summary_with_previous.uncached(engine, f),
            "monthly_by_level": lambda: levels.monthly_by_level.uncached(engine, f, 2022, 2023),
            "level_breakdown(commune)": lambda: levels.level_breakdown.uncached(engine, f, "commune"),
            "level_breakdown(district)": lambda: levels.level_breakdown.uncached(engine, f, "district"),
            "report_by_unit": lambda: levels.report_by_unit.uncached(engine, f),
            "sectors_by_late": lambda: levels.sectors_by_late.uncached(engine, f),
            "districts_by_on_time": lambda: levels.districts_by_on_time.uncached(engine, f, 0),
            "communes_by_on_time": lambda: levels.communes_by_on_time.uncached(engine, f, 0),
            "procedures_not_full_online": lambda: levels.procedures_not_full_online.uncached(engine, f),
            "commune_postal_coverage": lambda: levels.commune_postal_coverage.uncached(engine, f),
        },
        "late": {
            **mode_calls,
            "dossier_page(late)": lambda: late.dossier_page.uncached(engine, f, "late", 0, 100),
            "dossier_rows(overdue)": lambda: late.dossier_rows(engine, f, "overdue"),
        },
        "postal": {
            "deployment_years": lambda: postal.deployment_years.uncached(engine, f),
            "level_coverage": lambda: postal.level_coverage.uncached(engine, f, (2022, 2023)),
            "district_coverage": lambda: postal.district_coverage.uncached(engine, f),
            "commune_coverage": lambda: postal.commune_coverage.uncached(engine, f, USER_DISTRICT),
            "monthly_postal_share": lambda: postal.monthly_postal_share.uncached(engine, f),
        },
        "review": {
            "procedures_by_late": lambda: review.procedures_by_late.uncached(engine, f),
            "units_on_time": lambda: review.units_on_time.uncached(engine, f),
            # The benchmark is by design the province's rate for someone who may see it and the
            # district's for a district user (data.queries.review): compared without it.
            "review_facts": lambda: dataclasses.replace(review.review_facts.uncached(engine, f), benchmark_scope="-",
                                                        benchmark_rate=None),
        },
        "boundaries": {
            "report_by_current_unit": lambda: boundaries.report_by_current_unit.uncached(engine, f),
            "summary_by_current_level": lambda: boundaries.summary_by_current_level.uncached(engine, f),
            "current_unit_trend": lambda: boundaries.current_unit_trend.uncached(engine, f, "20641", 2022, 2023),
        },
        "late_current": {
            f"late_by_current_unit({mode})": (lambda mode=mode: late_current.late_by_current_unit.uncached(engine, f, mode))
            for mode in late.MODES
        },
        "postal_current": {
            "postal_share_by_current_unit": lambda: postal_current.postal_share_by_current_unit.uncached(engine, f),
            "monthly_postal_share_current": lambda: postal_current.monthly_postal_share_current.uncached(engine, f),
        },
        "scorecard": {
            **{f"unit_counts({lv})": (lambda lv=lv: scorecard.unit_counts.uncached(engine, f, lv))
               for lv in scorecard.RANK_LEVELS},
            "unit_scores(commune)": lambda: [dict(u, land_gain=round(u["land_gain"], 9))
                                             for u in scorecard.unit_scores(engine, f, "commune")],
            "scope_counts": lambda: scorecard.scope_counts.uncached(engine, f),
            "monthly_counts": lambda: scorecard.monthly_counts.uncached(engine, f),
            "yearly_procedure_counts": lambda: scorecard.yearly_procedure_counts.uncached(engine, f),
            "land_late_counts(district)": lambda: scorecard.land_late_counts.uncached(engine, f, "district"),
            "scope_and_trend": lambda: scorecard.scope_and_trend(engine, f, Period.year(2022)),
            "lost_dossiers(digitised)": lambda: scorecard.lost_dossiers.uncached(engine, f, "digitised"),
        },
        # Not scoped by design: the filter bar's lists (components.params narrows the districts
        # shown to a district user) and the import history (admins only, by role).
        "reference": {},
        "imports": {},
    }


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame):
        return a.reset_index(drop=True).equals(b.reset_index(drop=True)) or a.astype(str).equals(b.astype(str))
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


def test_scp003_every_query_module_sees_the_district_user_scope(fixture_engine):
    modules = {m.name for m in pkgutil.iter_modules(data.queries.__path__)}
    listed = set(_calls(fixture_engine, DossierFilter(Y2023)))
    assert modules == listed, f"list the new query module's calls here: {sorted(modules ^ listed)}"
    assert {imports, reference}  # imported: their functions take no filter
    for fields in ({}, {"district_code": OTHER_DISTRICT}, {"sector_code": "DD"}):
        token = set_scope(USER_DISTRICT, "district")
        try:
            scoped = {m: {name: call() for name, call in calls.items()}
                      for m, calls in _calls(fixture_engine, DossierFilter(Y2023, **fields)).items()}
        finally:
            reset_scope(token)
        asked = DossierFilter(Y2023, **{**fields, "district_code": USER_DISTRICT})
        for module, calls in _calls(fixture_engine, asked).items():
            for name, call in calls.items():
                assert _same(scoped[module][name], call()), (module, name, fields)


def test_scp004_a_query_without_the_scope_would_differ(fixture_engine):
    """The comparison above can fail: Tam Kỳ's answers are not Quế Sơn's."""
    ours = late.late_by_unit.uncached(fixture_engine, DossierFilter(Y2023, district_code=USER_DISTRICT), "late")
    theirs = late.late_by_unit.uncached(fixture_engine, DossierFilter(Y2023, district_code=OTHER_DISTRICT), "late")
    assert not _same(ours, theirs)


# ---------------------------------------------------------------- commune and city accounts

USER_COMMUNE = "20641"  # Thị trấn Đông Phú, Quế Sơn, in tests/fixture_data.py


@pytest.mark.parametrize("fields", FILTERS, ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items()) or "all")
def test_scp005_a_commune_user_sees_their_commune_only(fixture_engine, fields):
    from data.auth import commune_scope

    district, units = commune_scope.uncached(fixture_engine, USER_COMMUNE)
    assert (district, units) == (USER_DISTRICT, (USER_COMMUNE,))
    token = set_scope(district, "commune", units)
    try:
        f = DossierFilter(Y2023, **fields)
        assert f.scope_units == (USER_COMMUNE,)  # on the filter, whatever it asked
        by_stats, by_rows = received_by_aggregates(fixture_engine, f), received_by_dossiers(fixture_engine, f)
    finally:
        reset_scope(token)
    assert by_stats == by_rows
    # ... and it is the commune's: the same as asking for it by name with no scope.
    asked = DossierFilter(Y2023, **{**fields, "district_code": USER_DISTRICT, "commune_code": USER_COMMUNE})
    assert received_by_dossiers(fixture_engine, asked) == by_rows
    if not fields:
        assert 0 < by_rows < received_by_dossiers(fixture_engine, DossierFilter(Y2023, district_code=USER_DISTRICT)) == 7


def test_scp006_a_commune_user_of_2026_sees_the_communes_it_was_formed_from(demo_engine):
    """Xã Quế Sơn (20641, from July 2025) was formed from Đông Phú, Quế Long, Quế Phú, Phú Thọ
    and Hương An: its user sees those in 2023 (as today's boundaries count them) and itself in 2026."""
    from data.auth import commune_scope

    district, units = commune_scope.uncached(demo_engine, "20641-2507")
    assert district == "509" and {"20641", "20677", "20641-2507"} <= set(units) and len(units) == 6
    ranked = boundaries.communes_on_current_boundaries(demo_engine, DossierFilter(Y2023)).set_index("key")
    token = set_scope(district, "commune", units)
    try:
        by_level = {y: summary.summary_by_level(demo_engine, DossierFilter(Period.year(y)))["received"]
                    for y in (2023, 2026)}
        postal_units = levels.commune_postal_coverage.uncached(demo_engine, DossierFilter(Period.year(2026)))
    finally:
        reset_scope(token)
    assert by_level[2023]["province"] == by_level[2023]["district"] == 0  # no district or province desks
    assert by_level[2023]["commune"] == ranked.loc["20641-2507", "received"]
    asked = summary.summary_by_level(demo_engine, DossierFilter(Period.year(2026), commune_code="20641-2507"))
    assert by_level[2026]["commune"] == asked.loc["commune", "received"] > 0
    assert list(postal_units["code"]) == ["20641-2507"]


def test_scp007_commune_and_city_accounts(empty_engine):
    import datetime as dt

    from data.auth import AuthError, add_user, commune_scope, scope_for
    from data.schema import Unit

    day = dt.date(2025, 7, 1)
    with empty_engine.begin() as conn:
        row = lambda **kw: {"parent_code": None, "valid_from": None, "valid_to": None, **kw}  # noqa: E731
        conn.execute(Unit.__table__.insert(), [
            row(code="48", name="Thành phố Đà Nẵng", short_name="Đà Nẵng", division_type="thành phố", level="province",
                 official_code="48", valid_from=day),
            row(code="509", name="Huyện Quế Sơn", short_name="Quế Sơn", division_type="huyện", level="district",
                 official_code="509", valid_to=day - dt.timedelta(days=1)),
            row(code="20677", name="Xã Quế Long", short_name="Quế Long", division_type="xã", level="commune",
                 parent_code="509", official_code="20677", valid_to=day - dt.timedelta(days=1)),
            row(code="20641-2507", name="Xã Quế Sơn", short_name="Quế Sơn", division_type="xã", level="commune",
                 parent_code="48", official_code="20641", valid_from=day)])
    pw = "Mat-khau-dai-2026!"
    # A commune account names a commune in force today, by its official code or its row key.
    assert add_user(empty_engine, "queson-xa", pw, "commune", "20641")["unit_code"] == "20641-2507"
    for code, why in (("20677", "no commune with code '20677' in force today"), ("509", "no commune"), (None, "--commune")):
        with pytest.raises(AuthError, match=why):
            add_user(empty_engine, "x-" + str(code), pw, "commune", code)
    # The city's account sees everything, as the province's did; it has no district.
    city = add_user(empty_engine, "thanhpho", pw, "city")
    assert scope_for(city) is None
    with pytest.raises(AuthError, match="no district or commune"):
        add_user(empty_engine, "thanhpho2", pw, "city", "509")
    # Deny by default: a commune account whose commune is unknown sees nothing.
    assert commune_scope.uncached(empty_engine, "nope") == ("-", ("-",))
    assert scope_for({"role": "commune", "active": True, "unit_code": "20641-2507"}) == "-"
