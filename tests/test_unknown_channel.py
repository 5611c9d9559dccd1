"""Dossiers whose channel an export did not give: counted apart, out of the online share, and said
on the level page's chart and in the Biểu 06 table and its files (the demo has none: nothing shows)."""
from __future__ import annotations

import json

import pandas as pd

from data.filters import DossierFilter, Period
from data.importer import import_dossiers
from data.queries.summary import standard_report, summary_by_level
from pages.levels._report_table import COLUMNS, report_frame, report_table
from tests.test_import_formats import OPENCPS_BODY, catalogue
from tests.test_overview import by_id, text_of


def _imported(engine, tmp_path):
    catalogue(engine)
    path = tmp_path / "dongbo.json"
    path.write_text(json.dumps(OPENCPS_BODY, ensure_ascii=False), encoding="utf-8")
    import_dossiers(engine, path, report_dir=tmp_path)
    # One more commune dossier with a known channel (online) in the same month.
    rec = dict(OPENCPS_BODY["data"][0], MaHoSo="K-1", KenhThucHien="2")
    (tmp_path / "k.json").write_text(json.dumps([rec], ensure_ascii=False), encoding="utf-8")
    import_dossiers(engine, tmp_path / "k.json", report_dir=tmp_path)


def test_unk001_online_share_leaves_unknown_channels_out(empty_engine, tmp_path):
    _imported(empty_engine, tmp_path)
    s = summary_by_level(empty_engine, DossierFilter(Period.year(2024)))
    # Commune: 3 received (2 unknown, 1 online): 1 known, all of it online -> 100 %, not 33 %.
    assert s.loc["commune", ["received", "received_unknown_channel", "received_online", "received_known_channel"]].tolist() == [3, 2, 1, 1]
    assert s.loc["commune", "online_share"] == 1.0 and s.loc["commune", "post_share"] == 0.0
    assert s.loc["province", "received_unknown_channel"] == 1 and pd.isna(s.loc["province", "online_share"])


def test_unk002_biểu06_table_and_file_say_how_many(empty_engine, tmp_path):
    _imported(empty_engine, tmp_path)
    df = standard_report(empty_engine, DossierFilter(Period.year(2024)), "level")
    df["label"] = df["level"]
    table = report_table(df, "vi", "t")
    assert "Không rõ kênh" in text_of(table)
    assert "4 hồ sơ mới tiếp nhận không rõ kênh nộp" not in text_of(table)  # the largest row: 2 (commune)
    assert "2 hồ sơ mới tiếp nhận không rõ kênh nộp" in text_of(by_id(table, "t-unknown-channel"))
    frame = report_frame(df, "en", [("label", "Level")])
    assert frame["Dossiers to handle – Channel not known"].tolist() == df["received_unknown_channel"].tolist()
    # Without unknown channels the form keeps its own columns exactly.
    known = df.assign(received_unknown_channel=0)
    assert len(report_frame(known, "en", [("label", "Level")]).columns) == 1 + len(COLUMNS)
    assert "Không rõ kênh" not in text_of(report_table(known, "vi", "t"))


def test_unk003_levels_chart_gets_a_segment_only_when_there_are_any(demo_app, empty_engine, tmp_path):
    import importlib

    levels = importlib.import_module("pages.levels.levels")
    _imported(empty_engine, tmp_path)
    s = summary_by_level(empty_engine, DossierFilter(Period.year(2024)))
    fig = levels.fig_channels(s, ["province", "district", "commune"], "en", None)
    bars = {d["name"]: d["y"] for d in fig["data"] if d["type"] == "bar"}
    assert bars["Channel not known"] == [1, 1, 2]
    fig = levels.fig_channels(s.assign(received_unknown_channel=0), ["province", "district", "commune"], "en", None)
    assert "Channel not known" not in {d.get("name") for d in fig["data"]}


def test_unk004_report_and_present_say_how_many(demo_app, empty_engine, tmp_path, monkeypatch):
    """/report's online section and /present's online slide (and its PowerPoint) say how many
    dossiers have no known channel, in the words the overview and /levels use (components.i18n)."""
    import importlib
    import io

    from pptx import Presentation

    from data.db import get_engine
    from data.queries.review import review_facts
    from pages.review._deck import build_deck
    from pages.review._review_text import Fig, build_report, section_text
    from pages.review._slides import build_slides
    from tests.test_overview import render

    _imported(empty_engine, tmp_path)
    facts = review_facts(empty_engine, DossierFilter(Period.year(2024)))
    assert [lv.received_unknown_channel for lv in facts.levels] == [1, 1, 2] and facts.total_unknown_channel == 4
    report = build_report(facts, "vi")
    online = report.section("online")
    assert section_text(online).endswith(
        "4 hồ sơ không rõ kênh nộp (tệp nhập không ghi): không tính vào tỷ lệ trực tuyến.")
    assert Fig("4", "/levels?year=2024#lvl-channels") in online.paragraphs[-1]  # a figure, linked as every figure
    assert "4 dossiers with no known channel" in section_text(build_report(facts, "en").section("online"))
    slides = build_slides(facts, report)
    slide = next(s for s in slides if s.key == "online")
    assert slide.footnote == "4 hồ sơ không rõ kênh nộp (tệp nhập không ghi): không tính vào tỷ lệ trực tuyến."
    assert all(s.footnote == "" for s in slides if s.key != "online")
    deck = Presentation(io.BytesIO(build_deck(slides, report.filters, "k", "vi")))
    page = slides.index(slide)
    texts = [sh.text_frame.text for sh in deck.slides[page].shapes if sh.has_text_frame]
    assert slide.footnote in texts
    # The page itself, on this database.
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    get_engine.cache_clear()
    try:
        present = importlib.import_module("pages.review.present")
        tree = render(present, year="2024", slide=str(page + 1))
        from tests.test_overview import by_id, walk

        assert by_id(tree, "prs-footnote").children == slide.footnote
        assert "prs-footnote" not in {getattr(n, "id", None) for n in walk(render(present, year="2024", slide="1"))}
    finally:
        get_engine.cache_clear()
    # Without unknown channels nothing is said.
    known = review_facts(empty_engine, DossierFilter(Period.year(2024)))
    for lv in known.levels:
        lv.received_unknown_channel = 0
    assert "không rõ kênh" not in section_text(build_report(known, "vi").section("online"))
    assert all(s.footnote == "" for s in build_slides(known, build_report(known, "vi")))
