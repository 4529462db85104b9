"""Who ratified what: the status of each country on each tracked instrument, and how complete the
list behind that status is.

Sources, merged per instrument and country:

- ``reference/ilo_ratifications.csv`` (C097, C143, C181, C189) and ``reference/un_treaty_parties.csv``
  (ICRMW, the Palermo trafficking and smuggling protocols): curated rows, each citing its page;
- ``un-treaties/hr_status_*.csv`` in the mirror: the status of every UN member state (year of
  ratification or accession, signatory, no action) on the ICRMW and the core UN human-rights
  treaties (ICERD, ICCPR, ICESCR, CEDAW, CAT, CRC, CRPD, CPED), as of 2022 (:data:`HR_STATUS`);
- ratification tables the user imported (:func:`import_table`), kept in ``<user_dir>/ratifications``.

The lists are INCOMPLETE (``reference/coverage.csv``). A country absent from an incomplete list is
``unknown``, never ``not ratified``; a list counts as complete when the countries it knows reach the
total its authoritative source states (or when an import was declared complete). Every view carries
the list's coverage, e.g. ``"39 of 54 known"``.

Statuses: ``in force``, ``not in force`` (ratified, not yet in force), ``denounced``, ``signed``,
``not ratified``, ``unknown``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import corridors.codes as codes
import corridors.links as links
from corridors.errors import InputError, Problem
from corridors.governance.instruments import instruments, normalise_id
from corridors.governance.reference import reference_file, un_treaties_dir
from corridors.links import is_web_address
from corridors.settings import settings
from corridors.store import provenance

STATUSES = ("in force", "not in force", "denounced", "signed", "not ratified", "unknown")
RATIFIED = frozenset({"in force", "not in force", "denounced"})
_STAGE = {"in force": 3, "not in force": 3, "denounced": 3, "signed": 2, "not ratified": 1,
          "unknown": 0}

HOW_TO_COMPLETE = (
    "Complete it with `corridors ratifications import FILE --instrument ID` (a table copied from "
    "NORMLEX or the UN Treaty Collection, or the template in docs/governance.md)"
)

#: The UN-treaties status tables: instrument -> (file, UN Treaty Collection chapter IV number).
HR_STATUS = {
    "ICRMW": ("hr_status_icmw.csv", "IV-13"), "ICERD": ("hr_status_icerd.csv", "IV-2"),
    "ICCPR": ("hr_status_iccpr.csv", "IV-4"), "ICESCR": ("hr_status_icescr.csv", "IV-3"),
    "CEDAW": ("hr_status_cedaw.csv", "IV-8"), "CAT": ("hr_status_cat.csv", "IV-9"),
    "CRC": ("hr_status_crc.csv", "IV-11"), "CRPD": ("hr_status_crpd.csv", "IV-15"),
    "CPED": ("hr_status_cped.csv", "IV-16"),
}
UN_MEMBER_STATES = 193
#: ISO2 codes in the UN-treaties status tables that are no longer assigned.
_OBSOLETE_ISO2 = {"TP": "TLS"}  # East Timor -> Timor-Leste
#: Participants of UN treaties that are not states (skipped on import, reported).
_NON_STATES = {"european union", "european community"}


@dataclass
class Record:
    """One statement by one source: country X has status S on instrument I."""

    instrument: str
    iso3: str
    status: str
    date: str | None = None  # ratification/accession date, ISO (YYYY-MM-DD) when known
    year: int | None = None  # year of ratification/accession (from the date or stated alone)
    latest_year: int | None = None  # when only a bound is known: ratified in or before this year
    signature_date: str | None = None
    action: str | None = None
    note: str | None = None
    source: str = ""  # file the statement comes from
    source_url: str | None = None
    row: int | None = None
    inferred: bool = False  # status not stated by the source, derived by a documented rule
    origin: str = "reference"  # reference | un-treaties | import
    imported_at: str | None = None


@dataclass
class Coverage:
    """How complete the list for one instrument is."""

    instrument: str
    known: int  # countries with a ratification on record
    expected: int | None  # total the authoritative source states
    expected_source: str | None = None
    complete: bool = False
    missing: str | None = None
    signatories_known: int = 0

    @property
    def text(self) -> str:
        if self.known == 0 and not self.complete:
            return "no ratification list loaded (0 known)"
        if self.expected is not None:
            text = f"{self.known} of {self.expected} known"
        else:
            text = f"{self.known} known"
            if self.expected_source:
                text += f"; total not stated ({self.expected_source})"
        return text + (" (complete)" if self.complete else "")

    def as_dict(self) -> dict:
        data = asdict(self)
        data["coverage"] = self.text
        data["how_to_complete"] = None if self.complete else HOW_TO_COMPLETE
        return data


@dataclass
class Ratifications:
    """Every loaded statement, merged into one status per (instrument, country)."""

    records: dict[tuple[str, str], list[Record]] = field(default_factory=dict)
    coverage: dict[str, Coverage] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    #: each (country, instrument as asked)'s status, worked out once: a scorecard asks 70 of
    #: them; emptied when a record is added or the lists' coverage is worked out again
    _statuses: dict[tuple[str, str], dict] = field(default_factory=dict, init=False, repr=False,
                                                   compare=False)

    def add(self, record: Record) -> None:
        self.records.setdefault((record.instrument, record.iso3), []).append(record)
        self._statuses.clear()

    # -- views -------------------------------------------------------------------------------
    def status(self, iso3: str, instrument_id: str) -> dict:
        """The status of one country on one instrument, with the record behind it and the
        coverage of the list (a copy: the caller may change it)."""
        return dict(self._status(iso3, instrument_id))

    def _status(self, iso3: str, instrument_id: str) -> dict:
        found = self._statuses.get((iso3, instrument_id))
        if found is None:
            found = self._statuses[(iso3, instrument_id)] = self._work_out(iso3, instrument_id)
        return found

    def _work_out(self, iso3: str, instrument_id: str) -> dict:
        key = normalise_id(instrument_id)
        if key not in instruments():
            raise InputError.one("instrument", "one of " + ", ".join(instruments()),
                                 value=instrument_id)
        meta = instruments()[key]
        cov = self.coverage[key]
        chosen, year = self._choose(self.records.get((key, iso3), []))
        if chosen is None:
            status = "not ratified" if cov.complete else "unknown"
            basis = (
                "absent from a complete list" if cov.complete
                else "no list loaded" if cov.known == 0 else "absent from an incomplete list"
            )
            record: dict = {}
        else:
            status = chosen.status
            basis = "listed (status inferred)" if chosen.inferred else "listed"
            record = {
                "date": chosen.date, "signature_date": chosen.signature_date,
                "action": chosen.action, "note": chosen.note, "source": chosen.source,
                "source_url": chosen.source_url,
            }
        return {
            "instrument": key,
            "title": meta.title,
            "group": meta.group,
            "migrant_specific": meta.migrant_specific,
            "fundamental": meta.fundamental,
            "status": status,
            "year": year,
            "date": record.get("date"),
            "signature_date": record.get("signature_date"),
            "action": record.get("action"),
            "latest_year": None if chosen is None or year is not None else min(
                (r.latest_year for r in self.records.get((key, iso3), [])
                 if r.latest_year is not None), default=None),
            "basis": basis,
            "coverage": cov.text,
            "list_complete": cov.complete,
            "note": record.get("note"),
            "source": record.get("source"),
            "source_url": record.get("source_url"),
        }

    def country(self, iso3: str, only: Iterable[str] | None = None) -> list[dict]:
        """One status per tracked instrument (or per instrument in ``only``)."""
        ids = [normalise_id(i) for i in only] if only else list(instruments())
        return [self.status(iso3, i) for i in ids]

    def ratified_by(self, iso3: str, instrument_id: str, year: int) -> float | None:
        """1 if the country had ratified by the end of ``year``, 0 if not, None if unknown.

        A ratification known only by a bound (entry into force in year B, or "before B") counts 1
        from B on and unknown before; one without any date counts as ratified (flagged
        ``basis: listed`` with no year); a denunciation (no dates on record) counts 0.
        """
        row = self._status(iso3, instrument_id)
        status = row["status"]
        if status == "unknown":
            return None
        if status in ("in force", "not in force"):
            if row["year"] is not None:
                return 0.0 if row["year"] > year else 1.0
            bound = row.get("latest_year")
            if bound is not None and year < bound:
                return None  # ratified in or before `bound`: not known for earlier years
            return 1.0
        return 0.0

    def parties(self, instrument_id: str) -> list[str]:
        """ISO3 of every country with a ratification on record for the instrument."""
        key = normalise_id(instrument_id)
        out = []
        for (inst, iso3), records in self.records.items():
            if inst == key:
                chosen, _ = self._choose(records)
                if chosen is not None and chosen.status in RATIFIED:
                    out.append(iso3)
        return sorted(out)

    def coverage_table(self) -> list[dict]:
        rows = []
        for key, meta in instruments().items():
            cov = self.coverage[key]
            rows.append({"instrument": key, "title": meta.title, **cov.as_dict()})
        return rows

    # -- merging -------------------------------------------------------------------------------
    @staticmethod
    def _choose(records: list[Record]) -> tuple[Record | None, int | None]:
        """The record that decides the status, and the best known year of ratification.

        Imports win (latest import first). Otherwise the furthest stage wins (a ratification
        beats a signature, which beats 'no action'), then curated reference rows beat the
        UN-treaties table, then stated statuses beat inferred ones.
        """
        if not records:
            return None, None
        imports = [r for r in records if r.origin == "import"]
        if imports:
            chosen = sorted(imports, key=lambda r: (r.imported_at or "", r.row or 0))[-1]
        else:
            priority = {"reference": 2, "un-treaties": 1}
            chosen = max(records, key=lambda r: (_STAGE[r.status], priority.get(r.origin, 0),
                                                 not r.inferred, r.date is not None))
        year = chosen.year
        if year is None and chosen.status in RATIFIED:
            years = [r.year for r in records if r.year is not None and r.status in RATIFIED]
            year = min(years) if years else None
        return chosen, year

    def _finish(self, totals: dict[str, tuple[int | None, str | None, str | None]],
                complete_flags: set[str]) -> None:
        for key in instruments():
            known = len(self.parties(key))
            signed = sum(
                1 for (inst, _), recs in self.records.items()
                if inst == key and (chosen := self._choose(recs)[0]) is not None and chosen.status == "signed"
            )
            expected, expected_source, missing = totals.get(key, (None, None, None))
            complete = key in complete_flags or (expected is not None and known >= expected)
            self.coverage[key] = Coverage(key, known, expected, expected_source, complete,
                                          None if complete else missing, signed)
        self._statuses.clear()


# -- loading -----------------------------------------------------------------------------------
def _year_of(text: str | None) -> int | None:
    if not text:
        return None
    match = re.match(r"^(\d{4})", text)
    return int(match.group(1)) if match else None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _ilo_status(raw: str, note: str) -> tuple[str, bool]:
    text = raw.strip().lower()
    if text.startswith("in force"):
        return "in force", False
    if text.startswith("not in force"):
        return "not in force", False
    if text.startswith("denounced"):
        return "denounced", False
    if "registration not shown" in note.lower():
        return "unknown", True  # ratified by a national legislature, not shown as registered
    # Listed as a ratifying state without status: ILO Conventions enter into force for a member
    # twelve months after registration; no denunciation is stated.
    return "in force", True


_IN_FORCE_FOR_PARTY = re.compile(r"entry into force for this party = (\d{4})")
_BEFORE = re.compile(r"before (\d{4})")


def _load_ilo(result: Ratifications, path: Path) -> None:
    for row_no, row in enumerate(_rows(path), start=2):
        status, inferred = _ilo_status(row["status"], row["note"])
        when = row["ratification_date"].strip() or None
        bound = _IN_FORCE_FOR_PARTY.search(row["note"] or "")
        result.add(Record(
            latest_year=int(bound.group(1)) if bound and not when else None,
            instrument=normalise_id(row["instrument"]), iso3=row["iso3"].strip(), status=status,
            date=when if when and len(when) == 10 else None, year=_year_of(when),
            action="ratification", note=row["note"] or None, source=path.name,
            source_url=row["source_url"] or None, row=row_no, inferred=inferred,
        ))


def _load_un_parties(result: Ratifications, path: Path) -> None:
    for row_no, row in enumerate(_rows(path), start=2):
        raw = row["status"].strip().lower()
        status = {"party": "in force", "signatory": "signed"}.get(raw, "unknown")
        when = row["ratification_date"].strip() or None
        bound = _BEFORE.search(row["action"] or "")
        result.add(Record(
            latest_year=int(bound.group(1)) if bound and not when else None,
            instrument=normalise_id(row["instrument"]), iso3=row["iso3"].strip(), status=status,
            date=when, year=_year_of(when), signature_date=row["signature_date"].strip() or None,
            action=row["action"] or None, note=row["note"] or None, source=path.name,
            source_url=row["source_url"] or None, row=row_no,
        ))


def _load_hr_status(result: Ratifications, path: Path, instrument: str = "ICRMW") -> None:
    """A UN human-rights treaty status table (every UN member state) for one instrument."""
    chapter = HR_STATUS[instrument][1]
    mapping = {"state party": "in force", "signatory state": "signed", "no action": "not ratified"}
    problems = []
    for row_no, row in enumerate(_rows(path), start=2):
        iso2 = row["iso2"].strip()
        iso3 = _OBSOLETE_ISO2.get(iso2) or codes.iso3_for_iso2(iso2) or codes.iso3_for_name(
            row["member"])
        status = mapping.get(row["status"].strip().lower())
        if iso3 is None or status is None:
            problems.append(Problem(path.name, row=row_no, value=iso3 and row["status"] or iso2,
                                    expected="a known ISO2 code and status"))
            continue
        year = row["year ratification or accession"].strip()
        result.add(Record(
            instrument=instrument, iso3=iso3, status=status, year=int(year) if year else None,
            note=(row["note"] or None), source=f"un-treaties/{path.name}",
            source_url=f"https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={chapter}"
                       "&chapter=4&clang=_en",
            row=row_no, origin="un-treaties",
        ))
    if problems:
        raise InputError(problems)


def _load_totals(path: Path) -> tuple[dict[str, tuple[int | None, str | None, str | None]], set]:
    totals = {}
    complete = set()
    for row in _rows(path):
        key = normalise_id(row["instrument"])
        expected = row["expected_total"].strip()
        totals[key] = (int(expected) if expected else None, row["expected_source"] or None,
                       row["what_is_missing"] or None)
        if row["complete"].strip().lower() == "yes":
            complete.add(key)
    return totals, complete


def user_imports_dir(user_dir: Path | None = None) -> Path:
    return Path(user_dir or settings().user_dir) / "ratifications"


def load(reference: Path | str | None = None, *, mirror: Path | str | None = None,
         user_dir: Path | str | None = None, include_imports: bool = True) -> Ratifications:
    """Load every ratification statement and compute each list's coverage.

    ``reference``: the curated folder (default: CORRIDORS_REFERENCE, else the copy shipped in the
    package); ``mirror``: the mirror (for
    ``un-treaties/hr_status_*.csv``); ``user_dir``: where imports are kept.
    """
    result = Ratifications()
    ilo = reference_file("ilo_ratifications.csv", reference)
    un = reference_file("un_treaty_parties.csv", reference)
    totals, complete = _load_totals(reference_file("coverage.csv", reference))
    _load_ilo(result, ilo)
    _load_un_parties(result, un)
    result.sources += [str(ilo), str(un)]
    folder = un_treaties_dir(mirror if mirror is not None else (
        Path(reference).parent / "sources" if reference is not None else None))
    for instrument, (file, _) in HR_STATUS.items():
        if folder is not None and (folder / file).is_file():
            _load_hr_status(result, folder / file, instrument)
            result.sources.append(str(folder / file))
            states = sum(1 for (inst, _), _recs in result.records.items() if inst == instrument)
            if instrument not in totals and states >= UN_MEMBER_STATES:
                # a status (party, signatory or no action) for every UN member state: complete
                # for the member states as of 2022
                totals[instrument] = (None, f"UN Treaty Collection, status of the "
                                      f"{UN_MEMBER_STATES} UN member states as of 2022 "
                                      f"(un-treaties/{file})", None)
                complete.add(instrument)
    if include_imports:
        imports = user_imports_dir(Path(user_dir) if user_dir else None)
        if imports.is_dir():
            for path in sorted(imports.glob("*.csv")):
                records, declared = read_saved(path)
                for record in records:
                    result.add(record)
                complete |= declared
                result.sources.append(str(path))
    result._finish(totals, complete)
    return result


# -- import ------------------------------------------------------------------------------------
TEMPLATE_COLUMNS = ("instrument", "country", "iso3", "date", "signature_date", "action", "status",
                    "note", "source_url")
_SAVED_EXTRA = ("imported_from", "imported_at", "list_complete")

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_UNTC_ACTIONS = {"a": "accession", "d": "succession", "A": "acceptance", "AA": "approval",
                 "": "ratification"}


def _parse_date(text: str) -> date:
    """ISO ``2005-03-02``, ``02 Mar 2005`` / ``2 March 2005`` (NORMLEX, UNTC), ``02/03/2005``
    (day first). Raises ValueError with what was wrong."""
    value = text.strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    match = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})", value)
    if match and match[2].lower() in _MONTHS:
        return date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value)
    if match:
        return date(int(match[3]), int(match[2]), int(match[1]))
    raise ValueError("not a date")


def _split(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return [c.strip() for c in re.split(r"\s{2,}", line.strip())]
    return [c.strip() for c in next(csv.reader([line], delimiter=delimiter))]


def _sniff(lines: list[str]) -> str | None:
    header = lines[0]
    for delimiter in ("\t", ";", ","):
        if delimiter in header:
            return delimiter
    return None


@dataclass
class _Parsed:
    row: int
    instrument: str | None
    country: str
    iso3_text: str
    date_text: str
    signature_text: str
    action: str | None
    status_text: str
    note: str
    source_url: str


def _parse_text(path: Path, text: str, instrument: str | None) -> tuple[str, list[_Parsed]]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError.one(str(path), "a table with a header row", row=1, value="(empty file)")
    delimiter = _sniff(lines)
    header = [h.strip().lower() for h in _split(lines[0], delimiter)]
    out: list[_Parsed] = []

    def cell(cells: list[str], *names: str) -> str:
        for name in names:
            for index, head in enumerate(header):
                if head.startswith(name) and index < len(cells):
                    return cells[index]
        return ""

    if "participant" in header:
        kind = "untc"
    elif "instrument" in header and ("iso3" in header or "country" in header):
        kind = "template"
    elif any(h.startswith("country") for h in header) and any("date" in h for h in header):
        kind = "normlex"
    else:
        raise InputError.one(
            str(path), "a header naming the columns: the template (instrument,country,iso3,date,"
            "status,...), a NORMLEX copy (Country, Date, Status, Note) or a UN Treaty Collection "
            "copy (Participant, Signature, Ratification...)", row=1, value=lines[0][:120])
    for row_no, line in enumerate(lines[1:], start=2):
        cells = _split(line, delimiter)
        if kind == "template":
            out.append(_Parsed(row_no, cell(cells, "instrument") or instrument,
                               cell(cells, "country"), cell(cells, "iso3"), cell(cells, "date"),
                               cell(cells, "signature"), cell(cells, "action") or None,
                               cell(cells, "status"), cell(cells, "note"),
                               cell(cells, "source_url")))
        elif kind == "normlex":
            out.append(_Parsed(row_no, instrument, cell(cells, "country"), "",
                               cell(cells, "ratification date", "date"), "", "ratification",
                               cell(cells, "status"), cell(cells, "note"), ""))
        else:
            ratification = cell(cells, "ratification", "accession")
            match = re.fullmatch(r"(.*?\d{4})\s*(AA|a|d|A)?", ratification.strip())
            action = _UNTC_ACTIONS.get(match[2] or "", "ratification") if match else None
            when = match[1] if match else ratification
            out.append(_Parsed(row_no, instrument, cell(cells, "participant"), "", when,
                               cell(cells, "signature"),
                               action if ratification else "signature",
                               "party" if ratification else ("signed" if cell(cells, "signature")
                                                             else ""), "", ""))
    return kind, out


_STATUS_WORDS = {
    "in force": "in force", "party": "in force", "ratified": "in force",
    "not in force": "not in force", "not yet in force": "not in force",
    "denounced": "denounced", "signed": "signed", "signatory": "signed",
    "signature": "signed", "not ratified": "not ratified", "no action": "not ratified",
}


def _status_of(text: str) -> str | None:
    value = text.strip().lower()
    if value in _STATUS_WORDS:
        return _STATUS_WORDS[value]
    for prefix in ("not in force", "in force", "denounced", "automatic denunciation"):
        if value.startswith(prefix):
            return "denounced" if "denunciation" in prefix else _STATUS_WORDS.get(prefix, prefix)
    return None


def read_table(path: Path | str, instrument: str | None = None, *,
               today: date | None = None) -> tuple[str, list[Record]]:
    """Read and validate a ratification table (template CSV, or text/CSV copied from NORMLEX or
    the UN Treaty Collection). Returns the layout found and one Record per row.

    Every problem is collected and raised together as one InputError naming file, row, value and
    what was expected: unknown instrument or country, impossible date (not a calendar date, before
    the instrument was adopted, in the future, signature after ratification), unknown status,
    duplicate rows and conflicting statuses for the same country.
    """
    path = Path(path)
    name = str(path)
    today = today or date.today()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")
    kind, parsed = _parse_text(path, text, instrument)
    problems: list[Problem] = []
    records: list[Record] = []
    seen: dict[tuple[str, str], Record] = {}
    for item in parsed:
        bad = len(problems)
        inst_key = normalise_id(item.instrument) if item.instrument else None
        if inst_key is None or inst_key not in instruments():
            problems.append(Problem(name, row=item.row, value=item.instrument or "",
                                    expected="an instrument id: " + ", ".join(instruments())
                                    + (" (pass --instrument for NORMLEX/UNTC copies)"
                                       if kind != "template" else "")))
            continue
        if item.country.strip().lower() in _NON_STATES:
            continue
        iso3 = None
        if item.iso3_text:
            iso3 = item.iso3_text.strip().upper()
            if iso3 not in codes.countries():
                problems.append(Problem(name, row=item.row, value=item.iso3_text,
                                        expected="an ISO3 code of a country"))
                continue
            if item.country and codes.code_for(item.country) not in (None, iso3):
                problems.append(Problem(name, row=item.row, value=item.country,
                                        expected=f"the country of ISO3 {iso3}"))
        else:
            iso3 = codes.code_for(item.country) if item.country else None
            if iso3 is None:
                problems.append(Problem(
                    name, row=item.row, value=item.country,
                    expected="a country name or code known to corridors (add the spelling to "
                    "codes/aliases_ilo_normlex.csv or use the ISO3 column)"))
                continue
        if item.source_url and not is_web_address(item.source_url):
            problems.append(Problem(name, row=item.row, value=item.source_url,
                                    expected=f"a source_url that is {links.EXPECTED}"))
        status = _status_of(item.status_text)
        if status is None:
            problems.append(Problem(name, row=item.row, value=item.status_text,
                                    expected="a status: in force, not in force, denounced, "
                                    "signed, not ratified"))
        adopted = instruments()[inst_key].year
        when: date | None = None
        year: int | None = None
        for label, text_value in (("ratification", item.date_text),
                                  ("signature", item.signature_text)):
            if not text_value:
                continue
            try:
                if re.fullmatch(r"\d{4}", text_value.strip()):
                    parsed_date = None
                    parsed_year = int(text_value)
                else:
                    parsed_date = _parse_date(text_value)
                    parsed_year = parsed_date.year
            except ValueError:
                problems.append(Problem(name, row=item.row, value=text_value,
                                        expected=f"a real {label} date (YYYY-MM-DD, 02 Mar 2005)"))
                continue
            if parsed_year < adopted or (parsed_date or date(parsed_year, 1, 1)) > today:
                problems.append(Problem(
                    name, row=item.row, value=text_value,
                    expected=f"a {label} date between {adopted} (adoption of {inst_key}) and "
                    f"today"))
                continue
            if label == "ratification":
                when, year = parsed_date, parsed_year
            elif when is not None and parsed_date is not None and parsed_date > when:
                problems.append(Problem(name, row=item.row, value=text_value,
                                        expected="a signature date before the ratification date"))
        if status in RATIFIED and not item.date_text and kind == "normlex":
            problems.append(Problem(name, row=item.row, value="", expected="a ratification date"))
        if status is None or len(problems) > bad:  # a missing status is one of the problems
            continue
        record = Record(
            instrument=inst_key, iso3=iso3, status=status, date=when.isoformat() if when else None,
            year=year, signature_date=(_parse_date(item.signature_text).isoformat()
                                       if item.signature_text and len(item.signature_text) > 4
                                       else None),
            action=item.action, note=item.note or None, source=path.name,
            source_url=item.source_url or None, row=item.row, origin="import",
        )
        previous = seen.get((inst_key, iso3))
        if previous is not None:
            same = (previous.status, previous.date, previous.year) == (status, record.date, year)
            what = ("no duplicate rows: same country and instrument as row "
                    f"{previous.row}") if same else (
                f"one status per country: row {previous.row} says {previous.status!r}"
                f"{' ' + previous.date if previous.date else ''}, this row says {status!r}"
                f"{' ' + record.date if record.date else ''}")
            problems.append(Problem(name, row=item.row, value=item.country or iso3,
                                    expected=what))
            continue
        seen[(inst_key, iso3)] = record
        records.append(record)
    if problems:
        raise InputError(problems, hint="Nothing was imported; fix the rows above and re-run.")
    if not records:
        raise InputError.one(name, "at least one ratification row", row=2, value="(no rows)")
    return kind, records


def import_table(path: Path | str, instrument: str | None = None, *, complete: bool = False,
                 user_dir: Path | str | None = None, today: date | None = None) -> dict:
    """Validate a ratification table and save it (template layout) under
    ``<user_dir>/ratifications/``. ``complete=True`` declares the table the full list of
    ratifications of its instrument(s): countries absent from it then read ``not ratified``."""
    path = Path(path)
    kind, records = read_table(path, instrument, today=today)
    folder = user_imports_dir(Path(user_dir) if user_dir else None)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', path.stem)}.csv"
    stamp = datetime.now().isoformat(timespec="seconds")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS + _SAVED_EXTRA)
    for r in records:
        writer.writerow([r.instrument, codes.countries()[r.iso3].name, r.iso3,
                         r.date or (r.year or ""), r.signature_date or "", r.action or "",
                         r.status, r.note or "", r.source_url or "", path.name, stamp,
                         "yes" if complete else ""])
    tmp = target.with_suffix(".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(target)
    row = provenance.record_import(target, path, kind="ratifications",
                                   title="Ratification table imported by the user")
    return {"file": str(path), "layout": kind, "rows": len(records), "saved_to": str(target),
            "instruments": sorted({r.instrument for r in records}), "complete": complete,
            "sha256": row["sha256"]}


def read_saved(path: Path) -> tuple[list[Record], set[str]]:
    """An import saved by :func:`import_table` (validated again on read)."""
    _, records = read_table(path)
    declared: set[str] = set()
    stamps: dict[int | None, tuple[str | None, str | None]] = {}  # by row (a record's row may be None)
    with path.open(encoding="utf-8", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            stamps[row_no] = (row.get("imported_at"), row.get("imported_from"))
            if (row.get("list_complete") or "").lower() == "yes":
                declared.add(normalise_id(row["instrument"]))
    for record in records:
        stamp, origin_file = stamps.get(record.row, (None, None))
        record.imported_at = stamp
        record.source = f"import of {origin_file or path.name}"
    return records, declared


def template_csv() -> str:
    """The header and two example rows of the import template."""
    return (
        ",".join(TEMPLATE_COLUMNS) + "\n"
        "C143,Kenya,KEN,1979,,ratification,in force,,"
        "https://normlex.ilo.org\n"
        "ICRMW,Armenia,ARM,,2013-09-26,signature,signed,,https://treaties.un.org\n"
    )
