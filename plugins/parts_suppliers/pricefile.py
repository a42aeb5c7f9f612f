"""Reading a supplier's price file (价格表文件): CSV (UTF-8, UTF-8 with BOM, GB18030) or
XLSX, English or Chinese headers, validated row by row while streaming.

Nothing here touches the database: :func:`read_price_rows` yields validated rows as
tuples and collects every bad row in a :class:`RowErrors`; the caller decides what to
store. Memory stays flat: one row at a time (duplicates are found by the caller in SQL).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterator

from portal.plugin import Invalid

from .models import FAMILIES, QUALITIES

MAX_REPORTED_ERRORS = 1000
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024   # bytes the workbook may expand to
MAX_XLSX_RATIO = 200                        # a member may not expand more than this
CHUNK = 1024 * 1024
CENT = Decimal("0.01")
SIMPLE_PRICE = re.compile(r"^(\d{1,8})(?:\.(\d{1,2}))?$")
MAX_PRICE = Decimal("100000000")

# canonical column → accepted headers (compared lower-case, without a "(...)" unit suffix)
HEADERS = {
    "part_no": ("part_no", "part number", "part_number", "oe", "配件编号", "零件编号", "配件号", "零件号", "oe号"),
    "name": ("name", "part name", "part_name", "配件名称", "零件名称", "名称"),
    "quality": ("quality", "grade", "品质", "配件品质"),
    "make": ("make", "brand", "品牌", "车辆品牌"),
    "model": ("model", "models", "vehicle model", "车型", "适用车型"),
    "unit_price": ("unit_price", "unit price", "price", "单价", "价格"),
    "min_order": ("min_order", "minimum order", "起订量"),
    "lead_time_days": ("lead_time_days", "lead time", "lead_time", "供货周期"),
    "family": ("family", "配件类别", "类别"),
    "assembly_no": ("assembly_no", "assembly", "所属总成", "总成编号"),
}
REQUIRED = ("part_no", "quality", "unit_price")
# the downloadable template's header row: each column's Chinese header, in the order above
TEMPLATE_HEADERS = tuple(next(a for a in aliases if not a.isascii()) for aliases in HEADERS.values())
QUALITY_WORDS = {
    "genuine": "genuine", "oe": "genuine", "oem": "genuine", "原厂": "genuine", "原厂件": "genuine",
    "equivalent": "equivalent", "aftermarket": "equivalent", "同质": "equivalent", "同质件": "equivalent",
    "品牌件": "equivalent",
    "recycled": "recycled", "remanufactured": "recycled", "再制造": "recycled", "再制造件": "recycled",
    "回用件": "recycled",
}
FAMILY_WORDS = {
    "glass": "glass", "玻璃": "glass",
    "aluminium": "aluminium", "aluminum": "aluminium", "铝": "aluminium", "铝件": "aluminium", "铝合金": "aluminium",
    "gearbox": "gearbox", "变速箱": "gearbox", "变速器": "gearbox",
    "electronics": "electronics", "电子": "electronics", "电子元件": "electronics", "电器": "electronics",
}
LENGTHS = {"part_no": 64, "name": 200, "make": 100, "model": 200, "assembly_no": 64}
assert set(QUALITY_WORDS.values()) == set(QUALITIES) and set(FAMILY_WORDS.values()) == set(FAMILIES)

CELL_COUNT_MESSAGE = ("This row has more or fewer cells than the header; put a value that holds the delimiter "
                      "in quotes (\"1,200\").")

# the tuple each good row becomes (the insert's column order, after price_list_id)
ROW_FIELDS = ("source_row", "part_no", "name", "quality", "make", "model", "unit_price_fen",
              "min_order", "lead_time_days", "family", "assembly_no")


@dataclass
class RowErrors:
    """Every bad row: ``{row, column, message}`` (row = CSV line / sheet row, header = 1).
    A column is named as it stood in the file's header (``names``: canonical key → header)."""

    items: list[dict] = field(default_factory=list)
    count: int = 0
    names: dict[str, str] = field(default_factory=dict)

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append({"row": row, "column": self.names.get(column, column), "message": message})

    def __bool__(self) -> bool:
        return self.count > 0

    def details(self) -> dict:
        rows = sorted(self.items, key=lambda e: (e["row"], e["column"]))
        out: dict = {"rows": rows}
        if self.count > len(rows):
            out["error_count"] = self.count
        return out


class ProgressReader(io.RawIOBase):
    """Wraps a binary file and reports how far it has been read (for progress bars)."""

    def __init__(self, raw, callback: Callable[[int], None]):
        self.raw, self.callback, self.furthest = raw, callback, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        return self.raw.seek(offset, whence)

    def tell(self):
        return self.raw.tell()

    def readinto(self, b):
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        pos = self.raw.tell()
        if pos > self.furthest:
            self.callback(pos - self.furthest)
            self.furthest = pos
        return n


def file_invalid(message: str) -> Invalid:
    return Invalid({"file": [message]}, message=message)


# --------------------------------------------------------------------------- file kind


def detect_kind(stream) -> str:
    """``"csv"`` or ``"xlsx"`` by content (never by file name); else 422."""
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if not head or not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise file_invalid("The file is empty.")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_invalid("Old Excel (.xls) files are not accepted: save it as .xlsx or CSV.")
    if b"\x00" in head:
        raise file_invalid("The file is not a CSV or XLSX file.")
    return "csv"


def _first_undecodable_line(stream, encoding: str) -> int | None:
    """The line (1-based) where ``encoding`` fails, or ``None`` if the whole file decodes."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines_before = 0
    while True:
        chunk = stream.read(CHUNK)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            return lines_before + chunk[:max(exc.start, 0)].count(b"\n") + 1
        if not chunk:
            return None
        lines_before += chunk.count(b"\n")


def detect_encoding(stream) -> tuple[str | None, int | None]:
    """BOM → ``utf-8-sig``; else strict UTF-8; else GB18030 (what Excel in China
    saves); else ``(None, line)``: the line where the encoding that reads furthest fails."""
    stream.seek(0)
    head = stream.read(3)
    stream.seek(0)
    if head == codecs.BOM_UTF8:
        return "utf-8-sig", None
    utf8_line = _first_undecodable_line(stream, "utf-8")
    if utf8_line is None:
        return "utf-8", None
    gb_line = _first_undecodable_line(stream, "gb18030")
    if gb_line is None:
        return "gb18030", None
    return None, max(utf8_line, gb_line)  # the encoding that reads further is the file's


# --------------------------------------------------------------------------- tables


def _csv_rows(stream, errors: RowErrors) -> Iterator[tuple[int, list]]:
    encoding, bad_line = detect_encoding(stream)
    if encoding is None:
        errors.add(bad_line, "file", "Bad encoding: save the file as UTF-8 or GB18030 (GBK).")
        return
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first = text.readline()
        delimiter = max((",", ";", "\t"), key=first.count) if first else ","
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        line = 0
        try:
            for values in reader:
                start, line = line + 1, reader.line_num
                yield start, values
        except csv.Error as exc:
            errors.add(line + 1, "file", f"The CSV cannot be read here: {exc}.")
    finally:
        text.detach()


def _check_zip(stream) -> None:
    """Refuse a zip bomb before any XML is parsed."""
    try:
        with zipfile.ZipFile(stream) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise file_invalid("The file is not a CSV or XLSX file.") from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise file_invalid("The file is not a CSV or XLSX file.")
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_UNCOMPRESSED or any(
            i.file_size > 1024 * 1024 and i.file_size > MAX_XLSX_RATIO * max(i.compress_size, 1) for i in infos):
        raise file_invalid("The workbook expands to far more data than it holds (a zip bomb?); it was not opened.")
    stream.seek(0)


def _xlsx_rows(stream, errors: RowErrors) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    _check_zip(stream)
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any broken workbook is bad input
        raise file_invalid("The workbook cannot be read.") from None
    max_rows, max_cols, budget = _xlsx_limits()
    deadline = time.monotonic() + budget
    empty_run = 0
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()   # never trust the sheet's <dimension> (security review M1)
        for number, values in enumerate(ws.iter_rows(values_only=True, max_col=max_cols), start=1):
            if number > max_rows:
                raise file_invalid(f"More than {max_rows:,} rows: split the price list.")
            if number % 1000 == 0 and time.monotonic() > deadline:
                raise file_invalid("The workbook takes too long to read: save it again, or as CSV.")
            if all(v is None for v in values):
                empty_run += 1
                if empty_run >= EMPTY_ROWS_END:   # the data has ended; what follows is padding
                    return
                continue
            empty_run = 0
            yield number, list(values)
    except Invalid:
        raise
    except Exception:  # noqa: BLE001
        raise file_invalid("The workbook cannot be read.") from None
    finally:
        wb.close()


EMPTY_ROWS_END = 1000


def _xlsx_limits() -> tuple[int, int, float]:
    """Rows, columns and seconds an XLSX import may take (``PRICE_IMPORT_MAX_ROWS``,
    ``PRICE_IMPORT_MAX_COLUMNS``, ``PRICE_IMPORT_SECONDS``)."""
    from flask import current_app, has_app_context

    cfg = current_app.config if has_app_context() else {}
    return (int(cfg.get("PRICE_IMPORT_MAX_ROWS", 1_000_000)), int(cfg.get("PRICE_IMPORT_MAX_COLUMNS", 50)),
            float(cfg.get("PRICE_IMPORT_SECONDS", 120)))


# --------------------------------------------------------------------------- values


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_key(value) -> str:
    text = _text(value).lstrip("\ufeff").lower()
    for sep in ("(", "（"):
        text = text.split(sep)[0]
    return text.strip()


def map_headers(header: list) -> tuple[dict[str, int], list[dict]]:
    lookup = {alias.lower(): key for key, aliases in HEADERS.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        key = lookup.get(_header_key(value))
        if key and key not in columns:
            columns[key] = index
    missing = [{"row": 1, "column": key, "message": "Missing column."} for key in REQUIRED if key not in columns]
    return columns, missing


def parse_price_fen(value) -> tuple[int | None, str | None]:
    """``(fen, None)`` or ``(None, message)``: a positive amount, at most two places."""
    if isinstance(value, bool):
        return None, "Price is not a number."
    if isinstance(value, float):
        value = repr(value)
    text = _text(value).replace(",", "").replace("¥", "").replace("￥", "").strip()
    if not text:
        return None, "Price is missing."
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None, "Price is not a number."
    if not d.is_finite():
        return None, "Price is not a number."
    if d <= 0:
        return None, "Price must be a positive amount."
    if d != d.quantize(CENT):
        return None, "Price has more than two decimal places."
    if d >= MAX_PRICE:
        return None, "Price is too large."
    return int(d.quantize(CENT) * 100), None


def _whole(value) -> tuple[int | None, bool]:
    text = _text(value)
    if not text:
        return None, True
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None, False
    if not d.is_finite() or d != d.to_integral_value() or d < 0 or d > 100000:
        return None, False
    return int(d), True


def normalize_part_no(value) -> str:
    return _text(value).upper()


def read_price_rows(stream, kind: str, errors: RowErrors) -> Iterator[tuple]:
    """Yield one tuple per good row (``ROW_FIELDS``), collecting bad rows in ``errors``.

    The loop is the import's hot path (200,000 rows): plain string operations first,
    ``Decimal`` only for prices that are not a simple ``123.45``.
    """
    rows = _csv_rows(stream, errors) if kind == "csv" else _xlsx_rows(stream, errors)
    columns = None
    width = 0
    for number, values in rows:
        if columns is None:
            columns, missing = map_headers(values)
            for e in missing:
                errors.add(**e)
            if missing:
                return
            errors.names = {key: _text(values[i]).lstrip("\ufeff") or key for key, i in columns.items()}
            header_cells = len(values)
            width = max(columns.values()) + 1
            # a column the file lacks reads the always-empty cell at ``width``
            ix = {key: columns.get(key, width) for key in HEADERS}
            i_part, i_name, i_quality, i_make, i_model = (ix["part_no"], ix["name"], ix["quality"], ix["make"],
                                                          ix["model"])
            i_price, i_min, i_lead, i_family, i_assembly = (ix["unit_price"], ix["min_order"], ix["lead_time_days"],
                                                            ix["family"], ix["assembly_no"])
            continue
        if kind == "csv":
            cells = [v.strip() for v in values]
        else:
            cells = [_text(v) for v in values]
        if not any(cells):
            continue
        if kind == "csv" and len(cells) != header_cells:
            # an unquoted "1,200" shifts every cell after it: never guess which one was meant
            errors.add(number, "row", CELL_COUNT_MESSAGE)
            continue
        if len(cells) <= width:
            cells.extend([""] * (width + 1 - len(cells)))
        ok = True
        part_no = cells[i_part].upper()
        if not part_no:
            errors.add(number, "part_no", "Part number is missing.")
            ok = False
        elif len(part_no) > 64:
            errors.add(number, "part_no", "Too long (at most 64 characters).")
            ok = False
        raw_quality = cells[i_quality]
        quality = QUALITY_WORDS.get(raw_quality) or QUALITY_WORDS.get(raw_quality.lower())
        if quality is None:
            errors.add(number, "quality", "Unknown quality grade (genuine/equivalent/recycled, 原厂/同质/再制造)."
                       if raw_quality else "Quality grade is missing.")
            ok = False
        raw_price = cells[i_price]
        match = SIMPLE_PRICE.match(raw_price)
        if match:
            whole, frac = match.groups()
            fen = int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
            message = None if fen > 0 else "Price must be a positive amount."
        else:
            fen, message = parse_price_fen(raw_price if kind == "csv" else values[i_price] if i_price < len(values)
                                           else None)
        if message:
            errors.add(number, "unit_price", message)
            ok = False
        raw = cells[i_min]
        if not raw:
            min_order = None
        elif raw.isascii() and raw.isdigit() and len(raw) < 7:
            min_order = int(raw)
        else:
            min_order, good = _whole(raw)
            if not good:
                errors.add(number, "min_order", "Minimum order must be a whole number.")
                ok = False
        raw = cells[i_lead]
        if not raw:
            lead = None
        elif raw.isascii() and raw.isdigit() and len(raw) < 7:
            lead = int(raw)
        else:
            lead, good = _whole(raw)
            if not good:
                errors.add(number, "lead_time_days", "Lead time must be a whole number of days.")
                ok = False
        raw_family = cells[i_family]
        family = None
        if raw_family:
            family = FAMILY_WORDS.get(raw_family) or FAMILY_WORDS.get(raw_family.lower())
            if family is None:
                errors.add(number, "family", "Unknown part family (glass/aluminium/gearbox/electronics).")
                ok = False
        name, make, model, assembly_no = cells[i_name], cells[i_make], cells[i_model], cells[i_assembly].upper()
        if len(name) > 200 or len(make) > 100 or len(model) > 200 or len(assembly_no) > 64:
            for key, value in (("name", name), ("make", make), ("model", model), ("assembly_no", assembly_no)):
                if len(value) > LENGTHS[key]:
                    errors.add(number, key, f"Too long (at most {LENGTHS[key]} characters).")
            ok = False
        if ok:
            yield (number, part_no, name or None, quality, make or None, model or None,
                   fen, min_order, lead, family, assembly_no or None)
    if columns is None and not errors:
        errors.add(1, "file", "The file has no header row.")
