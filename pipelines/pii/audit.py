"""Leakage audit: an independent, stricter second opinion on masked data.

Deliberately not the masker's code path: its own regexes and checks, tuned to flag
rather than to spare, so a bug in a recognizer does not hide its own leaks. Residual
personnummer, phone numbers, e-mail addresses, IBANs and card numbers are *blocking*;
name-like residues are only reported (names cannot be told from places with certainty).
Surrogates pass because they are built to fail checksums or to sit in reserved ranges
(PTS fiction numbers, example.com, documentation IPs); surrogate personnummer also carry an
impossible birth day, because a real date with a wrong check digit is flagged (a typo of a
real number). Findings carry positions and
types, never the value itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BLOCKING_TYPES = ("PERSONNUMMER", "PHONE", "EMAIL", "IBAN", "CARD", "PERSON_FIELD")
REPORT_ONLY_TYPES = ("NAME_LIKE",)

_PNR = re.compile(
    r"(?<![\w.,:/])(?:1[89]|20)?(\d{6})[ ]?[-+]?[ ]?([\dTRSUWXJKLMN]\d{3})(?![\w]|[.,:]\d)"
)
_PHONE = re.compile(
    r"(?<![\w.,:/+\-])(?:(?:\+|00)[ ]?46[ \-]*(?:\(0\)[ \-]*)?|\(?0)"
    r"[1-9](?:[ \-\u00a0()/]{0,2}\d){5,11}(?![\w]|[.,:]\d)"
)
_EMAIL = re.compile(r"[\w.%+\-]+@([\w\-]+(?:\.[\w\-]+)+)")
_IBAN = re.compile(r"(?<![\w\-])[A-Za-z]{2}\d\d(?:[ ]?[A-Za-z0-9]){10,30}(?![\w\-])")
# ISO 13616 registry lengths (SWIFT IBAN registry), kept here independent of the masker.
IBAN_COUNTRY_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VG": 24,
    "XK": 20,
}  # fmt: skip
# Digits glued to an id prefix ("ref-3597550454386506") are an opaque id, not a card: the
# masker's CardRecognizer reads them the same way, so audit and masker agree.
_CARD = re.compile(r"(?<![\w+\-.,])\d(?:[ \-]?\d){12,18}(?![\w\-]|[.,]\d)")
_CAPITALISED_PAIR = re.compile(
    r"(?<=[a-zåäö0-9,] )[A-ZÅÄÖ][a-zåäöéü]{1,20}(?:[ \-][A-ZÅÄÖ][a-zåäöéü]{1,20})+"
)
CANDIDATE_PATTERN = r"\d{3}|@|[a-zåäö,] [A-ZÅÄÖ][a-zåäö]+[ \-][A-ZÅÄÖ]"
"""What a string must hold for ``scan_text`` to find anything. Python's and polars's (Rust's)
regex engines read it alike (no look-around; the digit class is any Unicode digit in both), so a
column can drop its clean strings before Python sees them."""
_CANDIDATE = re.compile(CANDIDATE_PATTERN)
_TIME_OR_DATE = re.compile(
    r"\d{4}-\d\d-\d\d|\d\d?[./-]\d\d?[./-]\d{2,4}"
    r"|(?:[01]\d|2[0-3])[0-5]\d ?- ?(?:[01]\d|2[0-3])[0-5]\d"
)
_RESERVED_EMAIL = re.compile(
    r"(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost)$"
)
FICTION_PHONES = re.compile(r"0?70174060[5-9]|0?7017406[1-9]\d")


@dataclass(frozen=True)
class Finding:
    """One residue: where it is and what it looks like, never what it says."""

    type: str
    location: str
    start: int
    end: int
    blocking: bool


@dataclass
class AuditReport:
    """All findings plus how much was scanned; ``ok`` is False on any blocking finding."""

    findings: list[Finding] = field(default_factory=list)
    values_scanned: int = 0
    sources: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.blocking for f in self.findings)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    def counts(self) -> dict[str, int]:
        return dict(Counter(f.type for f in self.findings))

    def merge(self, other: AuditReport) -> None:
        self.findings.extend(other.findings)
        self.values_scanned += other.values_scanned
        self.sources.extend(other.sources)

    def to_dict(self, max_findings: int = 100) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "values_scanned": self.values_scanned,
            "sources": self.sources,
            "counts": self.counts(),
            "blocking": len(self.blocking),
            "findings": [f.__dict__ for f in self.findings[:max_findings]],
        }


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(digits[::-1]):
        value = int(char) * (1 + position % 2)
        total += value // 10 + value % 10
    return total % 10 == 0


def _real_day(yy: int, month: int, day: int) -> bool:
    """A calendar date in 19yy or 20yy (generous: a leap day counts if either is leap)."""
    for year in (1900 + yy, 2000 + yy):
        try:
            dt.date(year, month, day)
        except ValueError:
            continue
        return True
    return False


def _pnr_like(six: str, four: str) -> bool:
    """Checksum plus month/day ranges, generous on dates (strict = flag more); or a real
    birth date whose check digit alone is wrong (a mistyped or misheard personnummer still
    identifies its holder; the masker masks those too)."""
    month, day = int(six[2:4]), int(six[4:6])
    if month > 12 or not (day <= 31 or 60 <= day <= 91):
        return False
    if four[:3] == "000":  # serial 000 is never issued
        return False
    serial = ("1" + four[1:]) if four[0].isalpha() else four
    if _luhn(six + serial):
        return True
    if four[0].isalpha() or FICTION_PHONES.fullmatch(six + four):
        return False  # PTS's fiction numbers, run together, read as a samordningsnummer
    return month >= 1 and _real_day(int(six[:2]), month, day - 60 if day > 60 else day)


_PNR_SHAPE = re.compile(r"(?:\d\d)?\d{6}[-+]\d{4}")


def _phone_like(raw: str) -> bool:
    if _TIME_OR_DATE.match(raw.strip("() ")) or _PNR_SHAPE.fullmatch(raw):
        return False  # dates, time ranges; personnummer-shaped numbers are checked as such
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        digits = "0" + digits[2:]
    elif raw.startswith("00"):
        digits = "0" + digits[4:]
    digits = "0" + digits.lstrip("0")
    if FICTION_PHONES.fullmatch(digits):
        return False
    return 8 <= len(digits) <= 13


def _iban_like(raw: str) -> bool:
    """Mod-97 and exact registry length, for the match or any prefix cut at a space."""
    cuts = [len(raw)] + [i for i in range(len(raw) - 1, 0, -1) if raw[i] == " "]
    for cut in cuts:
        compact = raw[:cut].replace(" ", "").upper()
        if IBAN_COUNTRY_LENGTHS.get(compact[:2]) != len(compact):
            continue
        rearranged = compact[4:] + compact[:4]
        if int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1:
            return True
    return False


def scan_text(text: str, location: str = "text") -> list[Finding]:
    """Every residue in ``text``: blocking identifiers and report-only name-like words."""
    return [Finding(kind, location, s, e, b) for kind, s, e, b in _scan(text)]


def _scan(text: str) -> list[tuple[str, int, int, bool]]:
    """(type, start, end, blocking) for every residue in ``text``."""
    if not text or _CANDIDATE.search(text) is None:
        return []
    found: list[tuple[str, int, int, bool]] = []
    if "@" in text:
        for m in _EMAIL.finditer(text):
            if not _RESERVED_EMAIL.search(m.group(1).lower()):
                found.append(("EMAIL", m.start(), m.end(), True))
    if any(ch.isdigit() for ch in text):
        for m in _PNR.finditer(text):
            if _pnr_like(m.group(1), m.group(2)):
                found.append(("PERSONNUMMER", m.start(), m.end(), True))
        for m in _PHONE.finditer(text):
            if _phone_like(m.group()):
                found.append(("PHONE", m.start(), m.end(), True))
        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if digits[0] in "23456" and _luhn(digits):
                found.append(("CARD", m.start(), m.end(), True))
        for m in _IBAN.finditer(text):
            if _iban_like(m.group()):
                found.append(("IBAN", m.start(), m.end(), True))
    for m in _CAPITALISED_PAIR.finditer(text):
        found.append(("NAME_LIKE", m.start(), m.end(), False))
    return found


def walk_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(json path, string) for every string inside nested dicts/lists (keys included)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(str(key), f"{path}.<key>")
            yield from walk_strings(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{index}]")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**5:
        yield path, str(value)


def _scan_values(values: Iterable[tuple[str, str]], report: AuditReport) -> None:
    for location, text in values:
        report.values_scanned += 1
        report.findings.extend(scan_text(text, location))


def scan_person_fields(value: Any, location: str, surrogate: bool = False) -> list[Finding]:
    """A blocking finding for every name-like value under a person key in ``value`` (a
    record, or a string holding a JSON document)."""
    from pipelines.pii.audit_fields import name_like, person_field_values

    return [
        Finding("PERSON_FIELD", f"{location}{path}", 0, len(text), True)
        for path, text in person_field_values(value)
        if name_like(text, surrogate)
    ]


def _arrow_values(table: Any, source: str) -> Iterator[tuple[str, str]]:
    """Strings from every column whose type holds strings, nested ones included."""
    import pyarrow as pa

    def holds_strings(dtype: Any) -> bool:
        if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
            return True
        if getattr(pa.types, "is_string_view", lambda _t: False)(dtype):
            return True
        if pa.types.is_struct(dtype):
            return any(holds_strings(dtype.field(i).type) for i in range(dtype.num_fields))
        if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
            return holds_strings(dtype.value_type)
        return bool(pa.types.is_map(dtype))

    for name in table.column_names:
        column = table.column(name)
        if not holds_strings(column.type):
            continue
        for row, value in enumerate(column.to_pylist()):
            if value is None:
                continue
            yield from (
                (f"{source}:{name}[{row}]{path}", text) for path, text in walk_strings(value, "")
            )


AUDITED_SUFFIXES = (".jsonl", ".json", ".parquet", ".md", ".txt", ".csv")


def audit_files(root: str) -> AuditReport:
    """Scan jsonl/json/parquet/md (and txt/csv) files under an export directory: residues
    in every string, and name-like values under person keys of every record."""
    report = AuditReport()
    base = Path(root)
    for dirpath, _dirs, files in os.walk(base):
        surrogate = _surrogate_export(Path(dirpath))
        for name in sorted(files):
            path = Path(dirpath) / name
            if path.suffix not in AUDITED_SUFFIXES:
                continue
            rel = str(path.relative_to(base))
            _scan_values(_file_values(path, rel), report)
            for location, record in _file_records(path, rel):
                report.findings.extend(scan_person_fields(record, location, surrogate))
            report.sources.append(rel)
    return report


def _surrogate_export(directory: Path) -> bool:
    """Whether an export version was written with surrogates (its metadata says so)."""
    meta = directory / "metadata.json"
    if not meta.is_file():
        return False
    try:
        options = json.loads(meta.read_text(encoding="utf-8")).get("options") or {}
    except (ValueError, AttributeError):
        return False
    return isinstance(options, dict) and options.get("mask") == "surrogate"


def _file_records(path: Path, rel: str) -> Iterator[tuple[str, Any]]:
    """The structured records of a data file: JSONL lines and Parquet rows."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        for row, record in enumerate(pq.read_table(path).to_pylist()):
            yield f"{rel}[{row}]", record
    elif path.suffix == ".jsonl":
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line_no, line in enumerate(handle, start=1):
                try:
                    yield f"{rel}:{line_no}", json.loads(line)
                except ValueError:
                    continue


def _file_values(path: Path, rel: str) -> Iterator[tuple[str, str]]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        yield from _arrow_values(pq.read_table(path), rel)
        return
    if path.suffix == ".json":
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            yield rel, path.read_text(encoding="utf-8", errors="replace")
            return
        yield from ((f"{rel}{p}", t) for p, t in walk_strings(document, ""))
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line_no, line in enumerate(handle, start=1):
            if path.suffix == ".jsonl":
                try:
                    record = json.loads(line)
                except ValueError:
                    yield f"{rel}:{line_no}", line
                    continue
                yield from ((f"{rel}:{line_no}{p}", t) for p, t in walk_strings(record, ""))
            else:
                yield f"{rel}:{line_no}", line
