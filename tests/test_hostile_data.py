"""Hostile text from data (issue 13): names in an import file are the attacker's words.

A fixture database whose names are spreadsheet formulas (finding 2) and Plotly markup
(finding 8): every CSV, XLSX and PPTX the app writes keeps them as inert text, and no
chart renders them as links or styled text.
"""
from __future__ import annotations

import base64
import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from data.cells import FORMULA_TRIGGERS, csv_safe, starts_like_formula
from data.schema import Agency, Procedure, Sector, Unit

# Finding 2: formulas and DDE commands as names (OWASP's examples).
HYPERLINK = '=HYPERLINK("http://evil.example","Quế Sơn")'
DDE = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
FORMULAS = (HYPERLINK, DDE, AT_SUM, MINUS)
# Finding 8: the tags Plotly renders in chart text.
LINK = '<a href="http://evil.example">Tam Kỳ</a>'
BIG = '<span style="font-size:80px">Tân Thạnh</span>'
BOLD_LINK = '<b><a href="javascript:alert(1)">Tư pháp</a></b>'
PROC_LINK = '<a href="http://evil.example/p">Tiếp nhận hồ sơ xã</a>'
MARKUP = (LINK, BIG, BOLD_LINK, PROC_LINK)


def make_hostile(url: str):
    """The hand-built fixture with hostile names: Quế Sơn (509) and its communes, land and its
    district procedure carry formulas; Tam Kỳ (502), its commune, justice and the commune land
    procedure carry markup."""
    from tests.conftest import load_fixture

    engine = load_fixture(url)
    with engine.begin() as conn:
        conn.execute(update(Unit).where(Unit.code == "509").values(name=HYPERLINK, short_name=HYPERLINK))
        conn.execute(update(Unit).where(Unit.code == "20641").values(name=DDE, short_name=DDE))
        conn.execute(update(Procedure).where(Procedure.code == "DD-H-01").values(name=AT_SUM, name_en=AT_SUM))
        conn.execute(update(Sector).where(Sector.code == "DD").values(name=MINUS, name_en=MINUS))
        conn.execute(update(Agency).where(Agency.code == "H509").values(name=HYPERLINK, name_en=HYPERLINK))
        conn.execute(update(Unit).where(Unit.code == "502").values(name=LINK, short_name=LINK))
        conn.execute(update(Unit).where(Unit.code == "20335").values(name=BIG, short_name=BIG))
        conn.execute(update(Sector).where(Sector.code == "TP").values(name=BOLD_LINK, name_en=BOLD_LINK))
        conn.execute(update(Procedure).where(Procedure.code == "DD-X-01").values(name=PROC_LINK, name_en=PROC_LINK))
    return engine


@pytest.fixture()
def hostile_db(tmp_path, monkeypatch):
    """(engine, url) of the hostile fixture; the app's engine reads it (DATABASE_URL)."""
    url = f"sqlite:///{tmp_path / 'hostile.sqlite'}"
    engine = make_hostile(url)
    import app  # noqa: F401 - registers the pages

    monkeypatch.setenv("DATABASE_URL", url)
    yield engine, url
    engine.dispose()


# ---------------------------------------------------------------- what a spreadsheet would run

def csv_fields(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [field for row in csv.reader(io.StringIO(text)) for field in row]


def assert_csv_inert(data: bytes, must_contain: tuple[str, ...]) -> None:
    fields = csv_fields(data)
    live = [f for f in fields if starts_like_formula(f)]
    assert live == [], live
    joined = "\n".join(fields)
    for payload in must_contain:  # the names are there, escaped, not dropped
        assert "'" + payload in joined, payload


def xlsx_formula_cells(data: bytes) -> list[str]:
    """Cells stored as formulas, read from the XML itself (<f> elements, t="str" results)."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                found += re.findall(r"<(?:\w+:)?f[ >].*?</(?:\w+:)?f>", xml) + re.findall(r"<(?:\w+:)?f/>", xml)
    return found


def assert_xlsx_inert(data: bytes, must_contain: tuple[str, ...]) -> None:
    assert xlsx_formula_cells(data) == []
    wb = load_workbook(io.BytesIO(data))
    texts = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (cell.coordinate, cell.value)
                    texts[cell.value] = cell
    for payload in must_contain:
        cells = [c for v, c in texts.items() if payload in v]
        assert cells, payload
        for c in cells:
            if starts_like_formula(c.value):
                assert c.quotePrefix, (c.coordinate, c.value)  # stays text when edited


def sent_bytes(sent: dict) -> bytes:
    return base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode()


# ---------------------------------------------------------------- finding 2

def test_hst001_the_helper_follows_owasp():
    for payload in FORMULAS + ("\t=1+1", "\r=1+1", "  =1+1", "\0=1"):
        assert starts_like_formula(payload) and csv_safe(payload) == "'" + payload
    for harmless in ("Quế Sơn", "90.010", "'=already quoted", "", "a=b", "2023-01"):
        assert not starts_like_formula(harmless) and csv_safe(harmless) == harmless
    assert csv_safe(-5) == -5 and csv_safe(None) is None  # numbers stay numbers
    assert set("=+-@") <= set(FORMULA_TRIGGERS)


def test_hst002_no_formula_in_any_download(hostile_db):
    """Bieu 06 (XLSX, CSV), the late list (XLSX, CSV), the postal table (XLSX, CSV)."""
    engine, _ = hostile_db
    import importlib

    levels, late, postal = (importlib.import_module(f"pages.{p}.{p}") for p in ("levels", "late", "postal"))
    assert_xlsx_inert(sent_bytes(levels.report_download("?year=2023", "xlsx")), (HYPERLINK,))
    assert_csv_inert(sent_bytes(levels.report_download("?year=2023", "csv")), (HYPERLINK,))
    # A district's communes by name (one of them a DDE command).
    assert_xlsx_inert(sent_bytes(levels.report_download("?year=2023&district=509", "xlsx")), (HYPERLINK, DDE))
    assert_csv_inert(sent_bytes(levels.report_download("?year=2023&district=509", "csv")), (HYPERLINK, DDE))
    # The same through a sector filter: the sector's hostile name goes into the header rows.
    assert_csv_inert(sent_bytes(levels.report_download("?year=2023&sector=DD", "csv")), (HYPERLINK, MINUS))

    state = {"mode": "late", "lang": "vi", "first_ym": 202301, "last_ym": 202312, "level": None, "district": "509",
             "sector": "DD", "procedure": "DD-H-01", "commune": None}
    request = {"startRow": 0, "endRow": 100}
    csv_bytes, _ = late.build_download("csv", request, state, engine)
    assert_csv_inert(csv_bytes, (HYPERLINK, AT_SUM, MINUS))
    xlsx_bytes, _ = late.build_download("xlsx", request, state, engine)
    assert_xlsx_inert(xlsx_bytes, (HYPERLINK, AT_SUM, MINUS))

    assert_csv_inert(sent_bytes(postal.download_csv(1, "?year=2023")), (HYPERLINK,))
    assert_xlsx_inert(sent_bytes(postal.download_xlsx(1, "?year=2023")), (HYPERLINK,))

    # The service-index ranking: district-level units, and a district's communes (one a DDE command).
    scorecard = importlib.import_module("pages.scorecard.scorecard")
    assert_xlsx_inert(sent_bytes(scorecard.download_xlsx(1, "?year=2023")), (HYPERLINK,))
    assert_xlsx_inert(sent_bytes(scorecard.download_xlsx(1, "?year=2023&district=509&level=commune")), (HYPERLINK, DDE))


def test_hst003_no_formula_in_the_powerpoint_charts(hostile_db):
    """The workbook embedded behind each native chart holds the labels as text."""
    engine, _ = hostile_db
    from components.params import resolve_view
    from pages.review._deck import deck_for_view

    texts = []
    for search in ({"year": "2023"}, {"year": "2023", "district": "509"}):
        _, deck = deck_for_view(resolve_view(search, engine), engine)
        with zipfile.ZipFile(io.BytesIO(deck)) as z:
            books = [z.read(n) for n in z.namelist() if n.startswith("ppt/embeddings/") and n.endswith(".xlsx")]
        assert books
        for book in books:
            assert xlsx_formula_cells(book) == []
            wb = load_workbook(io.BytesIO(book))
            for ws in wb.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str):
                            assert cell.data_type == "s" and cell.hyperlink is None, (cell.coordinate, cell.value)
                            texts.append(cell.value)
    assert any(HYPERLINK in v for v in texts) and any(DDE in v for v in texts)


def test_hst004_no_formula_in_the_rejected_rows_report(tmp_path, empty_engine):
    """A rejected value is written back for the operator to see: escaped."""
    from data.importer import import_catalog
    from data.importer.report import read_report

    path = tmp_path / "units.csv"
    path.write_text("Mã đơn vị,Tên đơn vị,Tên ngắn,Loại đơn vị,Cấp,Mã đơn vị cấp trên,Thứ tự\n"
                    "49,Tỉnh Quảng Nam,Quảng Nam,tỉnh,province,,0\n"
                    f"502,Thành phố Tam Kỳ,Tam Kỳ,thành phố,district,\"{HYPERLINK.replace(chr(34), chr(34) * 2)}\",1\n"
                    f"509,Huyện Quế Sơn,Quế Sơn,huyện,{DDE},49,2\n", encoding="utf-8")
    result = import_catalog(empty_engine, "units", path, report_dir=tmp_path)
    assert result.rejected == 2 and result.report_path
    data = result.report_path.read_bytes()
    assert_csv_inert(data, (HYPERLINK, DDE))
    assert set(read_report(result.report_path)["Giá trị / Value"]) == {"'" + HYPERLINK, "'" + DDE}


# ---------------------------------------------------------------- finding 8

CHART_VIEWS = [("/levels", "?year=2023"), ("/levels", "?year=2023&level=district"), ("/levels", "?year=2023&level=commune"),
               ("/levels", "?year=2023&district=502&level=commune"), ("/late", "?year=2023"), ("/late", "?year=2023&sector=TP"),
               ("/late", "?year=2023&sector=TP&procedure=TP-X-01"), ("/late", "?year=2023&mode=overdue"),
               ("/late", "?year=2022&sector=TP&procedure=TP-X-01&district=502"), ("/late", "?year=2022&district=502"),
               ("/late", "?year=2022&sector=TP"),
               ("/postal", "?year=2023"), ("/postal", "?year=2023&district=502"), ("/", "?year=2023"),
               ("/scorecard", "?year=2023"), ("/scorecard", "?year=2023&district=502&level=commune"),
               ("/present", "?year=2023&slide=10"),
               *[("/present", f"?year=2023&slide={i}") for i in range(1, 9)],
               *[("/present", f"?year=2022&district=502&slide={i}") for i in range(1, 9)]]
# The payloads' tags; the app's own chart text uses only <br> (and <b>, <extra> in templates).
RAW_TAGS = re.compile(r"<\s*/?\s*(a|span|sub|sup|i)\b[^>]*>", re.I)


def figures_in(node, out):
    """Every Plotly figure (a dict with data and layout) in a layout's JSON."""
    if isinstance(node, dict):
        if isinstance(node.get("figure"), dict) and "data" in node["figure"]:
            out.append(node["figure"])
        for v in node.values():
            figures_in(v, out)
    elif isinstance(node, list):
        for v in node:
            figures_in(v, out)
    return out


def strings_in(node, path=""):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings_in(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings_in(v, f"{path}[{i}]")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from tests.auth_server import AppServer

    tmp = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{tmp / 'hostile.sqlite'}"
    make_hostile(url).dispose()
    server = AppServer(url, tmp, AUTH_DISABLED="1").start()
    yield server
    server.stop()


def test_hst005_names_from_data_are_plain_text_in_charts(hostile_server):
    """A unit named <a href=…>Tam Kỳ</a> was a working link in the charts of /levels, /late
    and /present. Every string of every figure on every page (hover text, tick labels,
    annotations, bar text, legend names, custom data shown by hover templates) holds the
    names escaped: Plotly shows "<a href=…>" as text and makes no link of it."""
    import requests

    from tests.auth_server import dependencies, post_callback

    server = hostile_server
    deps = dependencies(requests.Session(), server)
    router = [c for c in deps if c["output"].startswith(".._pages_content")][0]
    escaped_seen = set()
    for path, search in CHART_VIEWS:
        resp = post_callback(requests.Session(), server, router, {"pathname": path, "search": search})
        assert resp.status_code == 200, (path, search, resp.status_code)
        figures = figures_in(resp.json(), [])
        for fig in figures:
            for where, text in strings_in(fig):
                if where.endswith(("hovertemplate", "texttemplate")):
                    # our own templates: only the tags they are written with
                    assert not any(p in text for p in MARKUP), (path, search, where, text)
                    continue
                assert not RAW_TAGS.search(text), (path, search, where, text)
                shown = text.replace("<br>", " ")  # a long name wraps over lines (the /late heat map's columns)
                for _payload, name in ((LINK, "Tam Kỳ"), (BIG, "Tân Thạnh"), (BOLD_LINK, "Tư pháp"), (PROC_LINK, "hồ sơ xã")):
                    if name in shown:
                        escaped_seen.add(name)
    # The hostile names were on the charts (escaped), so the check above had something to check.
    assert escaped_seen == {"Tam Kỳ", "Tân Thạnh", "Tư pháp", "hồ sơ xã"}, escaped_seen
