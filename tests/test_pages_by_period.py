"""Pages by period (issue 19) on the demo, without a browser: the levels of the period, the split
year, the former districts' areas in the filter, postal coverage by communes after the change, the
boundaries switch, and today's-boundaries totals month by month."""
import importlib

import pytest

from data.filters import DossierFilter, Period
from data.queries import boundaries as qb
from data.queries import levels as ql
from tests.test_overview import by_id, render, walk


@pytest.fixture(scope="module")
def pages(demo_app):
    return {name: importlib.import_module(f"pages.{name}.{name}") for name in ("overview", "levels", "postal", "late")}


def ids(tree) -> set:
    return {i for n in walk(tree) if isinstance(i := getattr(n, "id", None), str)}


def text_of(node) -> str:
    return " ".join(str(c) for n in walk(node) for c in ([n.children] if isinstance(getattr(n, "children", None), str) else []))


def test_pbp001_overview_and_levels_show_the_periods_levels(pages):
    ovw, lvl = pages["overview"], pages["levels"]
    tree = render(ovw, year="2026")
    kpis = ids(by_id(tree, "ovw-kpis"))
    assert "ovw-kpi-province" in kpis and "ovw-kpi-commune" in kpis and "ovw-kpi-district" not in kpis
    assert "Thành phố Đà Nẵng" in text_of(by_id(tree, "ovw-structure"))
    assert "ovw-today" in ids(tree)  # today's commune, drawn from its old communes
    tree = render(lvl, year="2026")
    assert {"lvl-pick-province", "lvl-pick-commune"} <= ids(tree) and "lvl-pick-district" not in ids(tree)
    tree = render(lvl, year="2025")
    note = text_of(by_id(tree, "lvl-structure"))
    assert "01/01–30/06" in note and "01/07–31/12" in note
    assert "lvl-pick-district" in ids(tree)
    assert "lvl-structure" not in ids(render(lvl, year="2024"))
    # A level that did not exist in the period is dropped from the URL, not an error.
    assert "lvl-pick-district" not in ids(render(lvl, year="2026", level="district"))


def test_pbp002_late_offers_the_periods_levels(pages):
    tree = render(pages["late"], year="2026")
    assert {"late-level-province", "late-level-commune"} <= ids(tree) and "late-level-district" not in ids(tree)
    assert "late-level-district" in ids(render(pages["late"], year="2024"))
    assert "late-structure" in ids(render(pages["late"], year="2025"))  # the split year says so


def test_pbp003_postal_before_and_after_the_change(pages):
    tree = render(pages["postal"], year="2026")
    assert "post-card-district" not in ids(tree) and "post-commune-table" in ids(tree)
    assert text_of(by_id(tree, "post-commune-full")).endswith("/ 78")  # the communes of December
    tree = render(pages["postal"], year="2024")
    assert "post-card-district" in ids(tree) and "post-district-view" in ids(tree)


def test_pbp004_boundaries_switch_on_the_levels_trend_and_ranking(pages, demo_engine):
    tree = render(pages["levels"], year="2023", level="commune", boundaries="current")
    assert {"lvl-bounds-current", "lvl-bounds-historical"} <= ids(tree)
    f = DossierFilter(Period.year(2023))
    ranked = qb.communes_on_current_boundaries(demo_engine, f)
    assert len(ranked) == 78 and ranked["received"].sum() == 187_299
    # Month by month, today's boundaries keep every month's total.
    now = qb.monthly_by_current_level(demo_engine, f, 2023, 2024)
    was = ql.monthly_by_level(demo_engine, f, 2023, 2024)
    assert set(now["level"]) == {"province", "commune"}
    assert now.groupby("ym")["received"].sum().equals(was.groupby("ym")["received"].sum())
