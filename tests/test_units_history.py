"""The catalogue of units over time (data/units_history.py) against the packages' data.

Counts and links were read from vietnam-provinces 0.5.0 / 0.6.0 / 2025.10.1 and
vietnamadminunits 1.0.4 by hand (docs/units.md) and from the resolutions' published lists;
the small fixture at the end has answers computed by hand.
"""
import datetime as dt
import hashlib

import pytest

from data import catalog
from data import units_history as uh
from data.units_history import Link, Unit, UnitsHistory

D = dt.date
BEFORE_2025 = D(2024, 12, 31)
LAST_THREE_TIER_DAY = D(2025, 6, 30)


@pytest.fixture(scope="module")
def cat():
    return uh.catalogue()


def codes(units):
    return sorted(u.code for u in units)


def successor_codes(cat, code, on, code_on=None):
    return [(s.unit.code, s.share) for s in cat.successors(code, on, code_on=code_on)]


def test_uh001_the_2023_structure(cat):
    on = D(2023, 6, 1)
    [province] = cat.units_in_force(on, "province")
    assert (province.code, province.name) == ("49", "Tỉnh Quảng Nam")
    assert len(cat.units_in_force(on, "district")) == 18
    assert len(cat.units_in_force(on, "commune")) == 241
    assert {u.parent_code for u in cat.units_in_force(on, "district")} == {"49"}
    # Unchanged through the last day before Resolution 1241/NQ-UBTVQH15.
    assert len(cat.units_in_force(BEFORE_2025, "commune")) == 241


def test_uh002_233_communes_just_before_july_2025(cat):
    for on in (D(2025, 1, 1), LAST_THREE_TIER_DAY):
        districts = cat.units_in_force(on, "district")
        assert len(districts) == 17 and "519" not in codes(districts)  # Nông Sơn joined Quế Sơn
        communes = cat.units_in_force(on, "commune")
        assert len(communes) == 233
        assert {u.parent_code for u in communes} == set(codes(districts))
    assert cat.version("49", LAST_THREE_TIER_DAY).name == "Tỉnh Quảng Nam"


def test_uh003_two_tiers_from_july_2025(cat):
    for on in (D(2025, 7, 1), D(2026, 12, 31)):
        [city] = cat.units_in_force(on, "province")
        assert (city.code, city.name, city.short_name) == ("48", "Thành phố Đà Nẵng", "Đà Nẵng")
        assert cat.units_in_force(on, "district") == []
        communes = cat.units_in_force(on, "commune")
        assert len(communes) == 78  # of the city's 94; the rest come only from the former Đà Nẵng
        assert sorted({u.division_type for u in communes}) == ["phường", "xã"]
        assert sum(u.division_type == "phường" for u in communes) == 11
        assert {u.parent_code for u in communes} == {"48"}
    assert len(uh.OUT_OF_SCOPE) == 94 - 78


def test_uh004_every_old_commune_goes_to_the_new_ones_exactly_once(cat):
    new = {u.code for u in cat.units_in_force(D(2025, 7, 1), "commune")}
    for start in (D(2023, 6, 1), LAST_THREE_TIER_DAY):
        mapping = cat.successor_map(start, D(2025, 7, 1))
        assert len(mapping) == (241 if start.year == 2023 else 233)
        for old, parts in mapping.items():
            targets = [p.unit.code for p in parts]
            assert len(targets) == len(set(targets)) and set(targets) <= new, old
            assert sum(p.share for p in parts) == pytest.approx(1.0), old
    # Backwards: each new commune has predecessors, and the old ones are shared out exactly once.
    taken: dict[str, float] = {}
    for code in new:
        preds = cat.predecessors(code, D(2025, 7, 1), LAST_THREE_TIER_DAY)
        assert preds, code
        for p in preds:
            taken[p.unit.code] = taken.get(p.unit.code, 0) + p.share
    assert sorted(taken) == codes(cat.units_in_force(LAST_THREE_TIER_DAY, "commune"))
    assert all(v == pytest.approx(1.0) for v in taken.values())


def test_uh005_the_2025_01_mergers_are_those_of_resolution_1241(cat):
    # Resolution 1241/NQ-UBTVQH15 as reported (Phước Hòa into An Xuân, Tam Vinh into Phú Thịnh,
    # Duy Thu into Duy Tân, Sơn Viên into Quế Lộc, Hiệp Hòa + Hiệp Thuận -> Quế Tân, Bình Định
    # Bắc + Nam -> Bình Định, Bình Chánh into Bình Phú, Tiên Cẩm into Tiên Sơn); the catalogue
    # derives them from vietnamadminunits' former names.
    merged = {l.from_code: l.to_code for l in cat.links if l.on == uh.REARRANGEMENT_2023_2025
              and l.relation == "merged_into"}
    assert merged == {
        "519": "509",  # Huyện Nông Sơn -> Huyện Quế Sơn
        "20338": "20347", "20383": "20364", "20602": "20608", "20672": "20671",
        "20758": "20758", "20761": "20758", "20821": "20821", "20822": "20821",
        "20830": "20827", "20863": "20857",
    }
    assert cat.version("20758", D(2025, 3, 1)).name == "Xã Quế Tân"
    assert cat.version("20758", BEFORE_2025).name == "Xã Hiệp Hòa"
    assert cat.version("20821", D(2025, 3, 1)).name == "Xã Bình Định"
    # The communes of Nông Sơn moved to Quế Sơn, code and name kept.
    moved = {l.from_code for l in cat.links if l.relation == "reassigned"}
    assert moved == {"20656", "20668", "20669", "20671", "20692"}
    assert cat.version("20668", D(2025, 3, 1)).parent_code == "509"
    assert cat.version("20668", BEFORE_2025).parent_code == "519"


def test_uh006_que_son_commune_to_its_2025_commune(cat):
    # vietnamadminunits: Xã Quế Sơn <- Thị trấn Đông Phú, Quế Long, Quế Phong, Quế An, Quế Minh.
    assert successor_codes(cat, "20677", D(2025, 7, 1)) == [("20641", 1.0)]  # Xã Quế Long
    assert cat.current_unit_for("20677").name == "Xã Quế Sơn"
    assert codes(p.unit for p in cat.predecessors("20641", D(2026, 1, 1), D(2023, 6, 1))) == [
        "20641", "20677", "20683", "20686", "20689"]
    # Quế Sơn (with Nông Sơn since 2025) became five communes.
    assert [(u.code, u.name) for u in cat.communes_formed_from_district("509")] == [
        ("20641", "Xã Quế Sơn"), ("20650", "Xã Xuân Phú"), ("20656", "Xã Nông Sơn"),
        ("20662", "Xã Quế Sơn Trung"), ("20669", "Xã Quế Phước")]
    assert codes(cat.communes_formed_from_district("519")) == ["20656", "20669"]


def test_uh007_son_vien_through_both_changes(cat):
    # Xã Sơn Viên (Nông Sơn) -> Xã Quế Lộc (Quế Sơn) on 2025-01-01 -> Xã Nông Sơn on 2025-07-01.
    [(step1, share)] = cat.successors("20672", D(2025, 3, 1))
    assert (step1.code, step1.name, step1.parent_code, share) == ("20671", "Xã Quế Lộc", "509", 1.0)
    assert cat.current_unit_for("20672").name == "Xã Nông Sơn"
    # A trend of today's Xã Nông Sơn over 2023 sums three 2023 communes.
    assert [(p.unit.name, p.share) for p in cat.predecessors("20656", D(2026, 1, 1), D(2023, 6, 1))] == [
        ("Thị trấn Trung Phước", 1.0), ("Xã Quế Lộc", 1.0), ("Xã Sơn Viên", 1.0)]
    # Quế Lộc itself goes on through 2025-01-01 and took Sơn Viên in.
    assert [p.unit.name for p in cat.predecessors("20671", D(2025, 3, 1), BEFORE_2025)] == [
        "Xã Quế Lộc", "Xã Sơn Viên"]


def test_uh008_tam_ky_became_four_wards(cat):
    assert [(u.code, u.name) for u in cat.communes_formed_from_district("502")] == [
        ("20335", "Phường Bàn Thạch"), ("20341", "Phường Tam Kỳ"), ("20350", "Phường Hương Trà"),
        ("20356", "Phường Quảng Phú")]
    # Phường Phước Hòa -> Phường An Xuân (2025-01-01) -> Phường Tam Kỳ (2025-07-01).
    assert successor_codes(cat, "20338", D(2025, 3, 1)) == [("20347", 1.0)]
    assert successor_codes(cat, "20338", D(2025, 7, 1)) == [("20341", 1.0)]
    assert [p.unit.name for p in cat.predecessors("20341", D(2025, 7, 1), D(2023, 6, 1))] == [
        "Phường Phước Hòa", "Phường An Mỹ", "Phường An Xuân", "Phường Trường Xuân"]


def test_uh009_same_2023_list_as_data_catalog(cat):
    fields = ("code", "name", "short_name", "division_type", "level", "parent_code")
    rows = sorted(tuple(r[f] for f in fields) for r in catalog.load_units())
    mine = sorted(tuple(getattr(u, f) for f in fields) for u in cat.units_in_force(D(2023, 6, 1)))
    assert mine == rows and len(rows) == 1 + 18 + 241
    # The extract was made against the very file the app has installed.
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    recorded = dict(uh.SOURCES[uh.VP_2023].files)["vietnam_provinces/data/nested-divisions.json"]
    assert hashlib.sha256(NESTED_DIVISIONS_JSON_PATH.read_bytes()).hexdigest() == recorded


def test_uh010_the_province_becomes_the_city(cat):
    qn = cat.version("49", D(2023, 6, 1))
    assert (qn.valid_from, qn.valid_to) == (None, LAST_THREE_TIER_DAY)
    [link] = cat.links_from("49")
    assert (link.to_code, link.on, link.share, link.act) == ("48", uh.TWO_TIERS_FROM, 1.0, "202/2025/QH15")
    city = cat.version("48", D(2026, 1, 1))
    assert (city.valid_from, city.valid_to, city.division_type) == (uh.TWO_TIERS_FROM, None, "thành phố trung ương")
    with pytest.raises(KeyError, match="no unit with code 48 was in force on 01/06/2023"):
        cat.version("48", D(2023, 6, 1))
    # Every district ends with the district level on 30 June 2025 (Nông Sơn earlier).
    ends = {u.code: u.valid_to for u in cat.units if u.level == "district"}
    assert ends.pop("519") == BEFORE_2025 and set(ends.values()) == {LAST_THREE_TIER_DAY}


def test_uh011_codes_are_reused_so_a_date_names_the_unit(cat):
    versions = [(u.name, u.parent_code, u.valid_from, u.valid_to) for u in cat.versions("20656")]
    assert versions == [
        ("Thị trấn Trung Phước", "519", None, BEFORE_2025),
        ("Thị trấn Trung Phước", "509", D(2025, 1, 1), LAST_THREE_TIER_DAY),
        ("Xã Nông Sơn", "48", uh.TWO_TIERS_FROM, None)]
    assert cat.version("20656", D(2025, 7, 1)).name == "Xã Nông Sơn"
    # Old and new meanings of the code lead to the same unit today.
    assert cat.current_unit_for("20656") == cat.current_unit_for("20656", D(2026, 1, 1))
    # Xã Lãnh Ngọc: vietnam-provinces says 20872 (Tiên Ngọc's code), vietnamadminunits 20875.
    assert cat.current_unit_for("20875").code == "20872"
    assert any("Lãnh Ngọc" in n for n in uh.NOTES)
    with pytest.raises(KeyError, match="not in the catalogue"):
        cat.versions("99999")
    with pytest.raises(ValueError, match="only exists from 01/07/2025"):
        cat.successors("48", D(2024, 1, 1))
    with pytest.raises(ValueError, match="after"):
        cat.predecessors("20641", D(2023, 1, 1), D(2026, 1, 1))


def test_uh012_provenance_of_units_and_links(cat):
    pinned = {"vietnam-provinces==0.5.0", "vietnam-provinces==0.6.0", "vietnam-provinces==2025.10.1",
              "vietnamadminunits==1.0.4"}
    assert set(uh.SOURCES) == pinned
    assert all(len(h) == 64 for s in uh.SOURCES.values() for _, h in s.files)
    for u in cat.units:
        assert u.source in pinned and (u.position_source is None or u.position_source in pinned)
        assert u.act is None if u.valid_from is None else u.act in uh.ACTS
    for link in cat.links:
        assert uh.ACTS[link.act].applies_from == link.on
    assert {l.source for l in cat.links if l.on == uh.TWO_TIERS_FROM and l.relation == "merged_into"
            and l.from_code != "49"} == {"vietnamadminunits==1.0.4"}
    p = cat.provenance("20341", D(2026, 1, 1))
    assert (p["unit"].id, p["position"].id, p["act"].number) == (
        "vietnam-provinces==2025.10.1", "vietnamadminunits==1.0.4", "1659/NQ-UBTVQH15")
    assert sorted(l.from_code for l, _, _ in p["links_in"]) == ["20341", "20347", "20353"]  # An Mỹ, An Xuân, Trường Xuân
    p = cat.provenance("20672", D(2023, 6, 1))
    assert p["unit"].data_version == "2023-05-07" and p["position"] is None  # merged before the package's data
    assert [(l.to_code, s.id, a.number) for l, s, a in p["links_out"]] == [
        ("20671", "vietnamadminunits==1.0.4", "1241/NQ-UBTVQH15")]


def test_uh013_positions_and_areas(cat):
    new = cat.units_in_force(D(2025, 7, 1), "commune")
    for u in new:  # inside the former Quảng Nam
        assert 14.9 < u.latitude < 16.1 and 107.2 < u.longitude < 108.8 and u.area_km2 > 0, u.name
    # The new communes' areas add up to the former province's (about 10,575 km²).
    assert 10_500 < sum(u.area_km2 for u in new) < 10_650
    # Communes the package placed at their district's point have no position.
    assert cat.version("20671", D(2023, 6, 1)).latitude is None
    assert cat.version("20677", D(2023, 6, 1)).latitude == pytest.approx(15.66, abs=0.1)


def test_uh014_units_in_force_match_life_spans(cat):
    for u in cat.units:
        for on in filter(None, (u.valid_from, u.valid_to)):
            assert u in cat.units_in_force(on, u.level)
            if u.parent_code:  # the parent is in force whenever the unit is
                cat.version(u.parent_code, on)


# ---------------------------------------------------------------- a small hand-made catalogue

def _u(code, name, level="commune", parent="P", valid_from=None):
    return Unit(code=code, level=level, name=name, short_name=name, division_type="xã", parent_code=parent,
                valid_from=valid_from, valid_to=None)


def _l(frm, to, share=1.0, relation="merged_into", on=uh.TWO_TIERS_FROM):
    return Link(frm, to, on, share, relation, "vietnamadminunits==1.0.4", "1659/NQ-UBTVQH15")


def small():
    # A splits 60/40 into X and Y; B goes whole into Y; X, Y from July 2025.
    units = [_u("P", "Province", "province", None), _u("A", "A"), _u("B", "B"),
             _u("X", "X", valid_from=uh.TWO_TIERS_FROM), _u("Y", "Y", valid_from=uh.TWO_TIERS_FROM)]
    return units, [_l("A", "X", 0.6, "split"), _l("A", "Y", 0.4, "split"), _l("B", "Y")]


def test_uh015_shares_follow_a_split():
    cat = UnitsHistory(*small())
    assert successor_codes(cat, "A", D(2025, 7, 1)) == [("X", 0.6), ("Y", 0.4)]
    assert [(p.unit.code, p.share) for p in cat.predecessors("Y", D(2026, 1, 1), D(2025, 1, 1))] == [
        ("A", 0.4), ("B", 1.0)]
    assert cat.current_unit_for("B").code == "Y"
    with pytest.raises(ValueError, match="A was split: X 60%, Y 40%"):
        cat.current_unit_for("A")
    assert cat.version("A", LAST_THREE_TIER_DAY).valid_to == LAST_THREE_TIER_DAY


def test_uh016_broken_catalogues_are_refused():
    units, links = small()
    with pytest.raises(ValueError, match="successors take 0.6 of it"):
        UnitsHistory(units, links[:1] + links[2:])
    with pytest.raises(ValueError, match="no unit with code X was in force"):
        UnitsHistory(units, links + [_l("B", "X", on=D(2025, 1, 1))])
    with pytest.raises(ValueError, match="unknown relation"):
        UnitsHistory(units, links[:2] + [_l("B", "Y", relation="vanished")])
    with pytest.raises(ValueError, match="versions of B overlap"):  # a new B with no link ending the old
        UnitsHistory(units + [_u("B", "B2", valid_from=D(2025, 1, 1))], links)


def test_uh017_each_new_commune_comes_from_one_former_district(cat):
    # What a former district's users will see after July 2025 (part 2's access scope) is a
    # partition of the 78: no new commune took communes of two districts.
    seen = []
    for d in cat.units_in_force(LAST_THREE_TIER_DAY, "district"):
        seen += codes(cat.communes_formed_from_district(d.code))
    assert sorted(seen) == codes(cat.units_in_force(D(2025, 7, 1), "commune"))
    assert len(cat.communes_formed_from_district("508")) == 4  # Duy Xuyên
