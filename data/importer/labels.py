"""Status and channel wordings, matched without regard to case, tone marks, spacing or
punctuation; and a province's own wordings from a small mapping file.

The national portal's ten statuses (TrangThaiHoSo) word for word, the words provincial
systems add on top ("Quá hạn" = in progress and past its deadline, "Chờ bổ sung",
"Đã giải quyết", "Rút hồ sơ"), the channel words (KenhThucHien: "Trực tiếp", "Nộp trực
tuyến", "Qua bưu chính công ích"...) and the portal's numeric codes are built in. A
province whose system writes something else lists it once in a JSON file (see
docs/import-format.md, "A province's own wordings") given with ``--labels FILE`` or the
``TTHC_IMPORT_LABELS`` setting, instead of editing its exports:

    {"status": {"Hồ sơ đã hoàn tất": 10, "Trễ hẹn": "Đang xử lý"},
     "channel": {"Nộp tại một cửa": "Trực tiếp"},
     "agency": {"BPMC huyện Quế Sơn": "H509"},
     "procedure": {"Khai sinh": "TP-X-01"},
     "headers": {"Số biên nhận": "code"}}
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import fold

LABELS_ENV = "TTHC_IMPORT_LABELS"

# code -> wordings; the first is the national portal's own (docs, exports).
STATUS_WORDS = {
    1: ("Mới đăng ký", "Mới", "Chờ tiếp nhận", "New", "Newly registered"),
    2: ("Được tiếp nhận", "Đã tiếp nhận", "Tiếp nhận", "Mới tiếp nhận", "Received"),
    3: ("Không được tiếp nhận", "Từ chối tiếp nhận", "Từ chối", "Not accepted", "Refused"),
    4: ("Đang xử lý", "Đang giải quyết", "Quá hạn", "Đang xử lý quá hạn", "Đang giải quyết quá hạn", "Xử lý quá hạn",
        "Đang xử lý trong hạn", "Đang giải quyết trong hạn", "In progress", "Overdue"),
    5: ("Yêu cầu bổ sung giấy tờ", "Yêu cầu bổ sung", "Chờ bổ sung", "Bổ sung hồ sơ", "Supplement requested"),
    6: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Nghĩa vụ tài chính", "Chờ thực hiện nghĩa vụ tài chính",
        "Financial obligation requested"),
    7: ("Công dân yêu cầu rút hồ sơ", "Công dân yêu cầu rút", "Rút hồ sơ", "Đã rút", "Đã rút hồ sơ", "Withdrawn"),
    8: ("Dừng xử lý", "Tạm dừng xử lý", "Stopped", "Processing stopped"),
    9: ("Đã xử lý xong", "Đã giải quyết", "Hoàn thành", "Đã hoàn thành", "Chờ trả kết quả", "Processed"),
    10: ("Đã trả kết quả", "Đã trả", "Returned", "Result returned"),
}
CHANNEL_WORDS = {
    1: ("Trực tiếp", "Nộp trực tiếp", "Tiếp nhận trực tiếp", "Tại bộ phận một cửa", "In person"),
    2: ("Trực tuyến", "Nộp trực tuyến", "Dịch vụ công trực tuyến", "Qua dịch vụ công trực tuyến", "Qua mạng", "Online"),
    3: ("Bưu chính công ích", "Qua bưu chính công ích", "Dịch vụ bưu chính công ích", "Nộp qua bưu chính công ích",
        "Qua dịch vụ bưu chính công ích", "Bưu chính", "Qua bưu chính", "BCCI", "Qua BCCI", "Bưu điện", "Qua bưu điện",
        "Post", "By post", "Postal"),
}
CHANNEL_NAMES = {code: words[0] for code, words in CHANNEL_WORDS.items()}
SECTIONS = ("status", "channel", "agency", "procedure", "headers")


def label_key(text) -> str:
    """'Qua Bưu chính  công-ích.' -> 'quabuuchinhcongich': case, tone marks, spaces and punctuation gone."""
    return fold(text).replace("_", "")


def _number(text: str) -> str:
    t = str(text).strip()
    return t[:-2] if t.endswith(".0") else t


class LabelsFileError(ValueError):
    pass


@dataclass
class Labels:
    """The wordings an import understands: built in, plus a province's own (``load``)."""

    status: dict[str, int] = field(default_factory=dict)
    channel: dict[str, int] = field(default_factory=dict)
    agency: dict[str, str] = field(default_factory=dict)  # name key -> agency code
    procedure: dict[str, str] = field(default_factory=dict)  # name key -> procedure code
    headers: dict[str, str] = field(default_factory=dict)  # header -> field
    source: str | None = None

    @classmethod
    def built_in(cls) -> Labels:
        out = cls()
        for table, words in ((out.status, STATUS_WORDS), (out.channel, CHANNEL_WORDS)):
            for code, texts in words.items():
                table[str(code)] = code
                for t in texts:
                    table[label_key(t)] = code
        return out

    @classmethod
    def load(cls, path=None) -> Labels:
        """Built-in wordings plus the file at ``path`` (or TTHC_IMPORT_LABELS; none: built-in only)."""
        out = cls.built_in()
        path = path or os.environ.get(LABELS_ENV) or None
        if not path:
            return out
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise LabelsFileError(f"labels file {path}: {exc}") from exc
        if not isinstance(data, dict) or set(data) - set(SECTIONS):
            raise LabelsFileError(f"labels file {path}: expected a JSON object with the sections {', '.join(SECTIONS)}")
        for section in SECTIONS:
            entries = data.get(section) or {}
            if not isinstance(entries, dict):
                raise LabelsFileError(f"labels file {path}: '{section}' must be an object {{\"wording\": value}}")
            for wording, value in entries.items():
                out._add(section, str(wording), value, path)
        out.source = str(path)
        return out

    def _add(self, section: str, wording: str, value, path) -> None:
        if section in ("status", "channel"):
            table = self.status if section == "status" else self.channel
            valid = STATUS_WORDS if section == "status" else CHANNEL_WORDS
            code = table.get(_number(value)) if not isinstance(value, str) else table.get(label_key(value), table.get(_number(value)))
            if code is None or code not in valid:
                raise LabelsFileError(f"labels file {path}: {section} '{wording}': {value!r} is not one of the portal's "
                                      f"{section} codes or wordings ({', '.join(f'{c} {w[0]}' for c, w in valid.items())})")
            table[label_key(wording)] = code
        elif section == "headers":
            self.headers[wording] = str(value)
        else:
            getattr(self, section)[label_key(wording)] = str(value)

    def _parse(self, s: pd.Series, table: dict[str, int]):
        codes, uniques = pd.factorize(s.to_numpy(dtype=object))
        vals = np.array([np.nan if u == "" else float(table.get(label_key(u), table.get(_number(u), np.nan)))
                         for u in uniques], dtype="float64")
        empty = np.array([u == "" for u in uniques], dtype=bool)
        if len(uniques) == 0:
            return pd.Series(np.full(len(s), np.nan), index=s.index), pd.Series(np.zeros(len(s), bool), index=s.index)
        out = vals[codes]
        return pd.Series(out, index=s.index), pd.Series(np.isnan(out) & ~empty[codes], index=s.index)

    def parse_status(self, s: pd.Series):
        """Status code 1-10 as float (NaN for empty or unknown) and the mask of unknown wordings."""
        return self._parse(s, self.status)

    def parse_channel(self, s: pd.Series):
        return self._parse(s, self.channel)
