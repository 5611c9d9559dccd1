#!/usr/bin/env python3
"""Regenerate ``data/units_history_extract.py`` from the named package versions.

The catalogue of administrative units over time (``data/units_history.py``) needs data
from packages the app cannot install next to its own pin of ``vietnam-provinces==0.5.0``:
later releases of the same package (two versions of one package cannot share an
environment) and ``vietnamadminunits`` (whose conversion table is all we need of it).
This script installs each pinned version into a scratch folder of its own
(``pip install --no-deps --target``; nothing is imported from them, their data files are
read), derives the units and successor links of the former Quảng Nam from them, and
writes a Python module with the versions and SHA-256 of every file it read.

    python scripts/extract_units_history.py [--work /tmp/units-history-pkgs]

Needs network access to PyPI on first run; the same versions give a byte-identical file.
The 2023 structure itself is not copied: the catalogue reads it from the installed
vietnam-provinces 0.5.0 (the same list as ``data/catalog.py``); the extract records the
hash of that file so the catalogue can tell when the installed one differs.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "units_history_extract.py"

# Pinned sources: (id, package, version, role). Changing one means regenerating and re-checking
# docs/units.md and tests/test_units_history.py.
VP_2023 = ("vietnam-provinces==0.5.0", "vietnam-provinces", "0.5.0")
VP_2024 = ("vietnam-provinces==0.6.0", "vietnam-provinces", "0.6.0")
VP_2025 = ("vietnam-provinces==2025.10.1", "vietnam-provinces", "2025.10.1")
VAU = ("vietnamadminunits==1.0.4", "vietnamadminunits", "1.0.4")

OLD_PROVINCE, NEW_PROVINCE = "49", "48"
# Dates on which each structure took over (cited in data/units_history.py ACTS).
REARRANGEMENT_2023_2025 = "2025-01-01"  # 1241/NQ-UBTVQH15
TWO_TIERS = "2025-07-01"  # 202/2025/QH15, 1659/NQ-UBTVQH15, 203/2025/QH15
ACT_2025_01 = "1241/NQ-UBTVQH15"
ACT_COMMUNES_2025_07 = "1659/NQ-UBTVQH15"
ACT_PROVINCE_2025_07 = "202/2025/QH15"
ACT_DISTRICTS_2025_07 = "203/2025/QH15"  # district-level units end (two tiers)

# vietnam-provinces 0.6.0 (data 2025-01-04) lists one Quảng Nam commune that no other
# source has: Xã Quế Phước (20674) in Quế Sơn. Resolution 1241/NQ-UBTVQH15 leaves Quế Sơn
# with 18 communes (15 xã, 3 thị trấn), as vietnamadminunits' pre-2025 data has it; Quế
# Phước had been merged into Ninh Phước before 2023 (Ninh Phước's former names in
# vietnamadminunits include it) and is not in 0.5.0. The script refuses any other difference.
SPURIOUS_IN_VP_2024 = {"20674"}


def norm_key(name: str) -> str:
    """'Phường Phước Hòa' -> 'phuongphuochoa': the key form vietnamadminunits uses."""
    s = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", s.lower())


COMMUNE_TYPES = ("thị trấn", "phường", "xã")


def commune_type(name: str) -> str:
    """'Thị trấn Trung Phước' -> 'thị trấn'. vietnam-provinces 0.6.0 writes 'xã' in every
    commune's division_type (and 'huyện' in every district's), so the name is the evidence."""
    return next(t for t in COMMUNE_TYPES if name.lower().startswith(t + " "))


def ward_position(x: dict) -> tuple[float | None, float | None]:
    """A commune's position from vietnamadminunits, or none where its geocode fell back to the
    district's (same point as the district: the package's geocoder did not find the commune)."""
    if (x["wardLat"], x["wardLon"]) == (x["districtLat"], x["districtLon"]):
        return None, None
    return x["wardLat"], x["wardLon"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install(work: Path, package: str, version: str) -> Path:
    target = work / f"{package}-{version}"
    dist = target / f"{package.replace('-', '_')}-{version}.dist-info"
    if not dist.is_dir():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                        f"{package}=={version}"], check=True)
    meta = (dist / "METADATA").read_text(encoding="utf-8")
    found = re.search(r"^Version: (.+)$", meta, re.M).group(1).strip()
    if found != version:
        raise SystemExit(f"{package}: installed {found}, expected {version}")
    return target


class Reader:
    """Reads files of the installed packages and remembers the hash of each file read."""

    def __init__(self, work: Path):
        self.work = work
        self.sources: dict[str, dict] = {}
        self.dirs: dict[str, Path] = {}

    def open_source(self, spec) -> Path:
        sid, package, version = spec
        target = install(self.work, package, version)
        init = target / package.replace("-", "_") / "__init__.py"
        m = re.search(r"__data_version__\s*=\s*['\"]([^'\"]+)", init.read_text(encoding="utf-8"))
        self.sources[sid] = dict(package=package, version=version, data_version=m.group(1) if m else None, files={})
        self.dirs[sid] = target
        return target

    def path(self, sid: str, rel: str) -> Path:
        p = self.dirs[sid] / rel
        self.sources[sid]["files"][rel] = sha256(p)
        return p

    def json(self, sid: str, rel: str):
        return json.loads(self.path(sid, rel).read_text(encoding="utf-8"))


def province(nested: list[dict], code: str) -> dict:
    return next(p for p in nested if str(p["code"]) == code)


def build(work: Path) -> dict:
    r = Reader(work)
    for spec in (VP_2023, VP_2024, VP_2025, VAU):
        r.open_source(spec)
    vp_file = "vietnam_provinces/data/nested-divisions.json"

    # ---- 2023: vietnam-provinces 0.5.0 (read here only to derive the changes; the catalogue
    # reads it from the installed package).
    p23 = province(r.json(VP_2023[0], vp_file), OLD_PROVINCE)
    d23 = {str(d["code"]): d for d in p23["districts"]}
    c23 = {str(w["code"]): dict(w, parent=str(d["code"])) for d in p23["districts"] for w in d["wards"]}
    assert (len(d23), len(c23)) == (18, 241), (len(d23), len(c23))

    # ---- just before July 2025: vietnam-provinces 0.6.0 (names, types, parents from the
    # national statistics office's list) checked code by code against vietnamadminunits'
    # pre-2025 data (positions, former names).
    p24 = province(r.json(VP_2024[0], vp_file), OLD_PROVINCE)
    d24 = {str(d["code"]): d for d in p24["districts"]}
    c24 = {str(w["code"]): dict(w, parent=str(d["code"])) for d in p24["districts"] for w in d["wards"]}
    db = sqlite3.connect(r.path(VAU[0], "vietnamadminunits/data/dataset.db"))
    db.row_factory = sqlite3.Row
    legacy = [dict(x) for x in db.execute("SELECT * FROM admin_units_legacy WHERE provinceCode = ?", (OLD_PROVINCE,))]
    leg = {x["wardCode"]: x for x in legacy}
    leg_by_key = {f"{x['provinceKey']}_{x['districtKey']}_{x['wardKey']}": x for x in legacy}
    assert len(leg) == len(legacy) == 233, len(legacy)
    extra = set(c24) - set(leg)
    if extra != SPURIOUS_IN_VP_2024 or set(leg) - set(c24):
        raise SystemExit(f"vietnam-provinces 0.6.0 and vietnamadminunits disagree beyond the known case: "
                         f"{sorted(extra)} / {sorted(set(leg) - set(c24))}")
    for code in SPURIOUS_IN_VP_2024:
        del c24[code]
    for code, w in c24.items():  # same parent in both
        if leg[code]["districtCode"] != w["parent"]:
            raise SystemExit(f"{code}: parent {w['parent']} in 0.6.0, {leg[code]['districtCode']} in vietnamadminunits")
    assert set(d24) == {x["districtCode"] for x in legacy} and len(d24) == 17

    units, links = [], []

    def unit(code, level, name, division_type, parent, valid_from, lat=None, lon=None, area=None,
             other_names=(), source=None, position_source=None, act=None):
        units.append(dict(code=code, level=level, name=name, division_type=division_type, parent_code=parent,
                          valid_from=valid_from, latitude=lat, longitude=lon, area_km2=area,
                          other_names=sorted(set(other_names) - {name}), source=source,
                          position_source=position_source, act=act))

    def link(frm, to, on, relation, source, act, share=1.0):
        links.append(dict(from_code=frm, to_code=to, on=on, share=share, relation=relation, source=source, act=act))

    # Districts on 2025-01-01: a district that disappears goes whole into the one district
    # that now holds its former communes (Nông Sơn -> Quế Sơn).
    for code in sorted(set(d23) - set(d24)):
        holders = {c24[c]["parent"] for c, w in c23.items() if w["parent"] == code and c in c24}
        if len(holders) != 1:
            raise SystemExit(f"district {code}: communes went to {holders}")
        link(code, holders.pop(), REARRANGEMENT_2023_2025, "merged_into", VP_2024[0], ACT_2025_01)
    for code, d in d24.items():
        if code not in d23 or d["name"] != d23[code]["name"]:
            raise SystemExit(f"district {code} is new or renamed in 0.6.0: the script does not expect it")

    # Communes on 2025-01-01.
    for code in sorted(c23):
        old = c23[code]
        if code in c24:
            new = c24[code]
            if new["name"] == old["name"] and new["parent"] == old["parent"]:
                continue  # the same unit goes on (it may have taken in others: see below)
            # Renamed (a merger that founded a new commune on an old code) or moved to another district.
            relation = "merged_into" if new["name"] != old["name"] else "reassigned"
            x = leg[code]
            unit(code, "commune", new["name"], commune_type(new["name"]), new["parent"], REARRANGEMENT_2023_2025,
                 *ward_position(x), other_names=[x["ward"]], source=VP_2024[0],
                 position_source=VAU[0], act=ACT_2025_01)
            link(code, code, REARRANGEMENT_2023_2025, relation, VP_2024[0], ACT_2025_01)
        else:
            # Gone: merged into the commune of its (new) district whose former names include it.
            district = old["parent"] if old["parent"] in d24 else next(
                l["to_code"] for l in links if l["from_code"] == old["parent"])
            key = norm_key(old["name"])
            absorbers = [x for x in legacy if x["districtCode"] == district
                         and key in json.loads(x["wardAlias"] or "[]")]
            if len(absorbers) != 1:
                raise SystemExit(f"{code} {old['name']}: {len(absorbers)} candidate successors")
            link(code, absorbers[0]["wardCode"], REARRANGEMENT_2023_2025, "merged_into", VAU[0], ACT_2025_01)

    # Positions and other spellings of the 2023 communes that kept their territory through
    # 2025-01-01 (all but those merged away or renamed by a merger).
    renamed = {l["from_code"] for l in links if l["from_code"] == l["to_code"] and l["relation"] == "merged_into"}
    attributes_2023 = {}
    for code, w in c23.items():
        if code in leg and code not in renamed:
            x = leg[code]
            lat, lon = ward_position(x)
            attributes_2023[code] = dict(latitude=lat, longitude=lon,
                                         other_names=sorted({x["ward"]} - {w["name"]}))
    for code, d in d23.items():
        x = next((x for x in legacy if x["districtCode"] == code), None)
        if x is not None:
            attributes_2023[code] = dict(latitude=x["districtLat"], longitude=x["districtLon"],
                                         other_names=sorted({x["district"]} - {d["name"]}))
    attributes_2023[OLD_PROVINCE] = dict(latitude=legacy[0]["provinceLat"], longitude=legacy[0]["provinceLon"],
                                         other_names=[])

    # ---- from 2025-07-01: the city and its communes from vietnam-provinces 2025.x, matched by
    # name to vietnamadminunits' 34-province data (positions, areas) and conversion table.
    p25 = province(r.json(VP_2025[0], vp_file), NEW_PROVINCE)
    new_vau = {norm_key(x["ward"]): dict(x) for x in
               db.execute("SELECT * FROM admin_units WHERE provinceCode = ?", (NEW_PROVINCE,))}
    vp_by_key = {norm_key(w["name"]): w for w in p25["wards"]}
    if set(vp_by_key) != set(new_vau) or len(vp_by_key) != len(p25["wards"]):
        raise SystemExit("the two packages' lists of the new city's units differ by name: "
                         f"{sorted(set(vp_by_key) ^ set(new_vau))}")
    code_differences = sorted((str(w["code"]), w["name"], new_vau[k]["wardCode"])
                              for k, w in vp_by_key.items() if str(w["code"]) != new_vau[k]["wardCode"])
    conv = r.json(VAU[0], "vietnamadminunits/data/converter_2025.json")
    city_key = next(k for k, olds in conv["DICT_PROVINCE"].items() if "tinhquangnam" in olds)
    whole = conv["DICT_PROVINCE_WARD_NO_DIVIDED"][city_key]
    divided = conv["DICT_PROVINCE_WARD_DIVIDED"].get(city_key, {})
    if any(k.startswith("tinhquangnam_") for k in divided):
        # Shares would need a basis the package does not give (it only names a default part).
        raise SystemExit(f"vietnamadminunits divides a Quảng Nam commune: {[k for k in divided if 'quangnam' in k]}")
    predecessors: dict[str, list[str]] = {}
    for new_key, olds in whole.items():
        for old_key in olds:
            if old_key.startswith("tinhquangnam_"):
                predecessors.setdefault(new_key, []).append(leg_by_key[old_key]["wardCode"])
    covered = sorted(c for cs in predecessors.values() for c in cs)
    if covered != sorted(leg):
        raise SystemExit("the conversion table does not take every Quảng Nam commune exactly once")
    unit(NEW_PROVINCE, "province", p25["name"], p25["division_type"], None, TWO_TIERS,
         next(iter(new_vau.values()))["provinceLat"], next(iter(new_vau.values()))["provinceLon"],
         source=VP_2025[0], position_source=VAU[0], act=ACT_PROVINCE_2025_07)
    out_of_scope = []
    for k, w in sorted(vp_by_key.items(), key=lambda kv: kv[1]["code"]):
        code, x = str(w["code"]), new_vau[k]
        if k not in predecessors:
            out_of_scope.append((code, w["name"]))
            continue
        unit(code, "commune", w["name"], w["division_type"], NEW_PROVINCE, TWO_TIERS, x["wardLat"], x["wardLon"],
             x["wardAreaKm2"], source=VP_2025[0], position_source=VAU[0], act=ACT_COMMUNES_2025_07)
        for old in sorted(predecessors[k]):
            link(old, code, TWO_TIERS, "merged_into", VAU[0], ACT_COMMUNES_2025_07)
    for code in sorted(d24):
        link(code, NEW_PROVINCE, TWO_TIERS, "abolished", VP_2025[0], ACT_DISTRICTS_2025_07)
    link(OLD_PROVINCE, NEW_PROVINCE, TWO_TIERS, "merged_into", VP_2025[0], ACT_PROVINCE_2025_07)

    no_position = sorted(x["ward"] for x in legacy if ward_position(x) == (None, None))
    notes = [
        "vietnam-provinces 0.6.0 writes 'xã' as every commune's division type: taken from the name instead.",
        f"vietnamadminunits places {len(no_position)} pre-2025 communes at their district's point "
        f"(geocoding fell back to the district): no position recorded for {', '.join(no_position)}.",
        "vietnam-provinces 0.6.0 lists Xã Quế Phước (20674) in Quế Sơn; no other source has it and "
        "Resolution 1241/NQ-UBTVQH15 leaves Quế Sơn 18 communes: left out.",
    ] + [f"{name}: code {vp} in vietnam-provinces {VP_2025[2]}, {va} in vietnamadminunits {VAU[2]}; "
         f"the catalogue uses {vp} (the statistics office's list)." for vp, name, va in code_differences]
    return dict(sources=r.sources, units=units, links=links, attributes_2023=attributes_2023,
                out_of_scope=out_of_scope, notes=notes)


def render(data: dict) -> str:
    lit = repr  # Python literals; str's repr keeps Vietnamese letters readable

    lines = ['"""GENERATED by scripts/extract_units_history.py from the package versions below: do not edit.',
             "",
             "Units and successor links of the former Quảng Nam after the 2023 structure, the 2023",
             "units' positions and other spellings, and the new city's units left out (formed only",
             "from the former Đà Nẵng). Read through data/units_history.py; docs/units.md explains it.",
             "",
             "Sources read (package==version, data version, file: sha256):"]
    for sid, s in data["sources"].items():
        lines.append(f"  {sid} (data {s['data_version'] or 'not stated'})")
        for f, h in s["files"].items():
            lines.append(f"    {f}: {h}")
    lines += ['"""', "", f"SOURCES = {lit(data['sources'])}", "", f"NOTES = {lit(data['notes'])}", "",
              "UNITS = ["]
    lines += [f"    {lit(u)}," for u in data["units"]]
    lines += ["]", "", "LINKS = ["]
    lines += [f"    {lit(x)}," for x in data["links"]]
    lines += ["]", "", "ATTRIBUTES_2023 = {"]
    lines += [f"    {lit(k)}: {lit(v)}," for k, v in sorted(data["attributes_2023"].items())]
    lines += ["}", "", "# Units of the new city formed only from units of the former Đà Nẵng (not in the catalogue).",
              "OUT_OF_SCOPE = ["]
    lines += [f"    {lit(list(x))}," for x in data["out_of_scope"]]
    lines += ["]", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/units-history-pkgs"),
                    help="scratch folder for the pinned packages (outside the repository)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    text = render(build(args.work))
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
