"""Readers for delivered files (CSV, XLSX, Parquet): a header and rows of cells, streamed, with line numbers.

Every reader refuses a file it cannot read safely with `DeliveryRefused` and a message for the person importing:
empty, binary, wrong encoding, over-long lines, truncated, zip bombs, XML entity declarations, several sheets.
Line numbers count as a spreadsheet does: the header is line 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from charset_normalizer import from_bytes
from django.conf import settings

from wholefamily.domain.validation import Cell, DeliveryRefused, FileFormat, SourceProfile

SAMPLE_BYTES = 256 * 1024
BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive or an Excel workbook (XLSX)",
    b"\xd0\xcf\x11\xe0": "an old Excel (XLS) or Word file",
    b"%PDF": "a PDF document",
    b"PAR1": "a Parquet file",
    b"\x89PNG": "a PNG image",
    b"\x1f\x8b": "a gzip archive",
}
CSV_DELIMITERS = ",;\t|"


def max_line_chars() -> int:
    return int(getattr(settings, "INGEST_MAX_LINE_CHARS", 1_000_000))


def xlsx_max_uncompressed_bytes() -> int:
    return int(getattr(settings, "INGEST_XLSX_MAX_UNCOMPRESSED_BYTES", 1024**3))


def xlsx_max_ratio() -> int:
    return int(getattr(settings, "INGEST_XLSX_MAX_COMPRESSION_RATIO", 200))


class SourceRows(Protocol):
    """An opened delivery: its header, its rows, and how far reading has got."""

    header: list[Cell]
    total: int
    """Progress units in the whole file (bytes for CSV, rows otherwise)."""
    estimated_rows: int
    """Data rows expected after the header (for CSV, its line breaks: a quoted value may hold more)."""

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """(line, cells) for each data row after the header."""
        ...

    def position(self) -> int:
        """Progress units read so far."""
        ...

    def close(self) -> None: ...


def open_source(path: Path, profile: SourceProfile) -> SourceRows:
    """Open `path` as the profile's format, refusing files that are unsafe or unreadable."""
    if path.stat().st_size == 0:
        raise DeliveryRefused("The file is empty (0 bytes).")
    if profile.file_format is FileFormat.XLSX:
        return XlsxSource(path, sheet=profile.sheet)
    if profile.file_format is FileFormat.PARQUET:
        return ParquetSource(path)
    return CsvSource(path, encoding=profile.encoding, delimiter=profile.delimiter)


# --- CSV ------------------------------------------------------------------------------------------
def _count_line_breaks(path: Path) -> int:
    """Lines in a text file (a last line without a break counts), read in binary chunks: fast, for progress only."""
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


def _refuse_binary(sample: bytes) -> None:
    for signature, what in BINARY_SIGNATURES.items():
        if sample.startswith(signature):
            raise DeliveryRefused(
                f"The file is binary ({what}), not CSV text. Check the file and the profile's format."
            )
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16 text is full of NUL bytes
    if b"\x00" in sample:
        raise DeliveryRefused("The file contains binary content (NUL bytes), not CSV text.")
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    if controls > max(8, len(sample) // 100):
        raise DeliveryRefused("The file contains binary content (control characters), not CSV text.")


def detect_encoding(sample: bytes, *, is_complete: bool) -> str:
    """BOM first; then UTF-8 if the sample decodes; then charset-normalizer's best guess."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8") if is_complete else codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    if best is None:
        raise DeliveryRefused("The file's text encoding could not be recognised; name it in the profile.")
    return str(best.encoding)


def _check_encoding_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise DeliveryRefused(f"The profile names an unknown text encoding {encoding!r}.") from None


@dataclass
class _LineState:
    physical_lines: int = 0
    last_line_ended: bool = True


def _first_undecodable(path: Path, encoding: str) -> tuple[int, int]:
    """(physical line, byte) of the first byte that does not decode (0, 0 if it cannot be pinned down)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as error:
                return number, raw[error.start] if error.start < len(raw) else 0
    return 0, 0


class CsvSource:
    """Delimited text in any common encoding, read line by line with a cap on line length."""

    def __init__(self, path: Path, *, encoding: str, delimiter: str) -> None:
        self.path = path
        self.total = path.stat().st_size
        self.binary: IO[bytes] = path.open("rb")
        sample = self.binary.read(SAMPLE_BYTES)
        self.binary.seek(0)
        if not sample.strip():
            self.close()
            raise DeliveryRefused("The file is empty (no header row).")
        try:
            _refuse_binary(sample)
            self.encoding = (
                detect_encoding(sample, is_complete=len(sample) < SAMPLE_BYTES)
                if encoding == "auto"
                else _check_encoding_name(encoding)
            )
            text_sample = sample.decode(self.encoding, errors="replace")
            self.delimiter = self._sniff_delimiter(text_sample) if delimiter == "auto" else delimiter
        except DeliveryRefused:
            self.close()
            raise
        self.text = io.TextIOWrapper(self.binary, encoding=self.encoding, errors="strict", newline="")
        self.state = _LineState()
        self.limit = max_line_chars()
        csv.field_size_limit(max(csv.field_size_limit(), self.limit + 1))
        self.reader = csv.reader(self._lines(), delimiter=self.delimiter, strict=True)
        self.header: list[Cell] = list(self._next_record(1) or [])
        if self.header and isinstance(self.header[0], str):
            self.header[0] = self.header[0].lstrip("\ufeff")
        self.estimated_rows = _count_line_breaks(path) - 1

    @staticmethod
    def _sniff_delimiter(text: str) -> str:
        first_lines = "\n".join(text.splitlines()[:50])
        try:
            return csv.Sniffer().sniff(first_lines, delimiters=CSV_DELIMITERS).delimiter
        except csv.Error:
            header = text.splitlines()[0] if text else ""
            counts = {delimiter: header.count(delimiter) for delimiter in CSV_DELIMITERS}
            best = max(counts, key=lambda delimiter: counts[delimiter])
            return best if counts[best] else ","

    def _lines(self) -> Iterator[str]:
        readline = self.text.readline
        limit = self.limit
        state = self.state
        while True:
            try:
                line = readline(limit + 1)
            except UnicodeDecodeError as error:
                line_number, byte = _first_undecodable(self.path, self.encoding)
                where = (
                    f"byte 0x{byte:02x} on line {line_number}"
                    if line_number
                    else f"byte 0x{error.object[error.start]:02x}"
                )
                raise DeliveryRefused(
                    f"The file is not valid {self.encoding} text ({where}). Set the right encoding in the profile, "
                    "or ask the supplier to export as UTF-8."
                ) from None
            if not line:
                return
            if len(line) > limit and not line.endswith(("\n", "\r")):
                raise DeliveryRefused(
                    f"Line {state.physical_lines + 1} is longer than {limit:,} characters; the file is damaged or "
                    "not a CSV file."
                )
            state.physical_lines += 1
            state.last_line_ended = line.endswith(("\n", "\r"))
            if "\x00" in line:
                raise DeliveryRefused(f"The file contains binary content (NUL bytes) at line {state.physical_lines}.")
            yield line

    def _next_record(self, line: int) -> list[str] | None:
        try:
            return next(self.reader)
        except StopIteration:
            return None
        except csv.Error as error:
            if "unexpected end of data" in str(error) or not self.state.last_line_ended:
                raise DeliveryRefused(
                    f"The file appears truncated: it ends inside a quoted value that starts at line {line}."
                ) from None
            raise DeliveryRefused(f"Line {line} is not valid CSV: {error}.") from None

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        width = len(self.header)
        line = 1
        while True:
            line += 1
            record = self._next_record(line)
            if record is None:
                return
            if not self.state.last_line_ended and 0 < len(record) < width:
                raise DeliveryRefused(
                    f"The file appears truncated: line {line}, the last, stops part-way through a row "
                    f"({len(record)} of {width} fields) with no line ending. Ask the supplier to send it again."
                )
            yield line, list(record)

    def position(self) -> int:
        try:
            return self.binary.tell()
        except (ValueError, OSError):
            return self.total

    def close(self) -> None:
        self.binary.close()


# --- XLSX -----------------------------------------------------------------------------------------
ENTITY_MARKERS = (b"<!doctype", b"<!entity")


def check_xlsx_archive(path: Path) -> None:
    """Refuse zip bombs (by declared and actual sizes and ratios) and XML with DTDs or entity declarations."""
    if not zipfile.is_zipfile(path):
        raise DeliveryRefused("The file is not an XLSX workbook (not a ZIP archive), or it is damaged or truncated.")
    max_total, max_ratio = xlsx_max_uncompressed_bytes(), xlsx_max_ratio()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > 10_000:
                raise DeliveryRefused("The workbook holds too many parts to be a real spreadsheet export.")
            declared = sum(member.file_size for member in members)
            if declared > max_total:
                raise DeliveryRefused(
                    f"The workbook would unpack to {declared:,} bytes (limit {max_total:,}): refused as a "
                    "possible zip bomb."
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > 1024 * 1024 and ratio > max_ratio:
                    raise DeliveryRefused(
                        f"Part {member.filename} of the workbook is compressed {ratio:,.0f} to 1 (limit {max_ratio}): "
                        "refused as a possible zip bomb."
                    )
            _scan_xml_parts(archive, members, max_total)
    except zipfile.BadZipFile as error:
        raise DeliveryRefused(f"The workbook is damaged or truncated ({error}).") from None


def _scan_xml_parts(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], max_total: int) -> None:
    unpacked = 0
    for member in members:
        if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        tail = b""
        with archive.open(member) as part:
            while chunk := part.read(1024 * 1024):
                unpacked += len(chunk)
                if unpacked > max_total:
                    raise DeliveryRefused("The workbook unpacks to more than its declared size: refused.")
                window = (tail + chunk).lower()
                if any(marker in window for marker in ENTITY_MARKERS):
                    raise DeliveryRefused(
                        f"Part {member.filename} of the workbook declares a document type or XML entities "
                        "(a possible XML external entity attack): refused."
                    )
                tail = window[-16:]


class XlsxSource:
    """One sheet of an XLSX workbook, read with openpyxl in read-only mode after the archive checks."""

    def __init__(self, path: Path, *, sheet: str | None) -> None:
        check_xlsx_archive(path)
        from openpyxl import load_workbook  # after the checks: openpyxl parses with defusedxml

        try:
            self.workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for damaged files
            raise DeliveryRefused(f"The workbook could not be opened: {error}.") from None
        names = list(self.workbook.sheetnames)
        if sheet is None:
            if len(names) != 1:
                self.close()
                raise DeliveryRefused(
                    f"The workbook has {len(names)} sheets ({', '.join(names)}); the profile must name the one to "
                    "import (set `sheet:`)."
                )
            sheet = names[0]
        elif sheet not in names:
            self.close()
            raise DeliveryRefused(f"The workbook has no sheet named {sheet!r} (it has: {', '.join(names)}).")
        self.sheet = self.workbook[sheet]
        self.total = int(self.sheet.max_row or 0)
        self.estimated_rows = max(self.total - 1, 0)
        self._iterator = self.sheet.iter_rows(values_only=True)
        self._line = 0
        first = next(self._iterator, None)
        self._line = 1
        self.header: list[Cell] = list(first or [])

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        for values in self._iterator:
            self._line += 1
            yield self._line, list(values)

    def position(self) -> int:
        return self._line

    def close(self) -> None:
        self.workbook.close()


# --- Parquet --------------------------------------------------------------------------------------
class ParquetSource:
    """A Parquet file, read in record batches; line N is row N-1 (as if the header were line 1)."""

    BATCH_ROWS = 20_000

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            self.file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as error:
            raise DeliveryRefused(f"The file is not a readable Parquet file (damaged or truncated): {error}") from None
        self.header: list[Cell] = list(self.file.schema_arrow.names)
        self.total = int(self.file.metadata.num_rows)
        self.estimated_rows = self.total
        self._line = 1

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        import pyarrow as pa

        try:
            for batch in self.file.iter_batches(batch_size=self.BATCH_ROWS):
                columns = [column.to_pylist() for column in batch.columns]
                for values in zip(*columns, strict=True):
                    self._line += 1
                    yield self._line, list(values)
        except (pa.ArrowInvalid, OSError) as error:
            raise DeliveryRefused(f"The Parquet file is damaged near row {self._line}: {error}") from None

    def position(self) -> int:
        return self._line

    def close(self) -> None:
        self.file.close()
