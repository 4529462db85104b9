"""Bilateral labour agreements (BLAs), MoUs, labour-migration programmes and multilateral
social-security agreements: a registry validated against a schema, each provision coded against a
checklist drawn from ILO research on BLAs, with an alignment score whose formula treats unknown
honestly.

Checklist (10 provisions), each ``yes`` / ``no`` / ``unknown``:

==============================  ===============================================================
``reference_to_ils``            refers to international labour standards / migrants' rights
``equality_of_treatment``       equality of treatment with nationals (wages, conditions, OSH)
``social_security_portability`` social-security coverage and portability of benefits
``recruitment_costs_employer``  recruitment costs borne by employers, not workers
``model_employment_contract``   a model or standard employment contract
``gender_provisions``           gender-specific provisions (e.g. women domestic workers)
``complaint_mechanism``         complaint and dispute-settlement mechanism
``joint_monitoring_committee``  joint committee that monitors implementation
``skills_recognition``          recognition of skills and qualifications
``return_reintegration``        return and reintegration
==============================  ===============================================================

Alignment score (``docs/governance.md``): with Y provisions coded yes, N coded no, U unknown
(Y + N + U = 10) and K = Y + N known:

- ``score = Y / K`` (share of the KNOWN provisions that align; none when K = 0),
- ``coverage = K / 10`` (how much of the checklist is known),
- ``score_min = Y / 10`` (every unknown counted as no) and ``score_max = (Y + U) / 10`` (every
  unknown counted as yes): the true score lies in between.

Records come from the committed seed (``agreements.yaml``) and from user files
(``<user_dir>/agreements/*.yaml`` or ``*.csv``); each carries its source and provenance (file and
SHA-256 of the file it was read from).
"""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.links import web_address
from corridors.settings import settings
from corridors.yamlfile import load_yaml

PROVISIONS: dict[str, str] = {
    "reference_to_ils": "reference to international labour standards",
    "equality_of_treatment": "equality of treatment",
    "social_security_portability": "social-security portability",
    "recruitment_costs_employer": "recruitment costs borne by employers",
    "model_employment_contract": "model employment contract",
    "gender_provisions": "gender-specific provisions",
    "complaint_mechanism": "complaint and dispute mechanism",
    "joint_monitoring_committee": "joint monitoring committee",
    "skills_recognition": "skills recognition",
    "return_reintegration": "return and reintegration",
}
KINDS = ("BLA", "MoU", "programme", "multilateral social security agreement",
         "trade union agreement")
SEED_FILE = "agreements.yaml"

Value = Literal["yes", "no", "unknown"]


def _yes_no(value: object) -> object:
    """YAML reads bare yes/no as booleans: turn them back into the coded words."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "unknown"
    return str(value).strip().lower() if isinstance(value, str) else value


class Coded(BaseModel):
    """One provision: its value and the sentence of the source that states it."""

    model_config = ConfigDict(extra="forbid")
    value: Value = "unknown"
    evidence: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _norm(cls, value: object) -> object:
        return _yes_no(value)

    @model_validator(mode="after")
    def _evidence_for_known(self) -> Coded:
        if self.value != "unknown" and not (self.evidence and self.evidence.strip()):
            raise ValueError("a yes/no provision needs the evidence (quote of the source)")
        return self


class Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    coded_from: str
    coded_by: str
    coded_on: date
    file: str | None = None
    sha256: str | None = None


class Agreement(BaseModel):
    """One agreement in the registry."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=3)
    kind: Literal["BLA", "MoU", "programme", "multilateral social security agreement",
                  "trade union agreement"]
    parties: list[str] = Field(default_factory=list)
    parties_note: str | None = None
    community: str | None = Field(default=None, pattern=r"^[A-Z][A-Z-]+$")
    year_signed: int | None = Field(default=None, ge=1900)
    sectors: list[str] = Field(default_factory=list)
    workers_covered: str | None = None
    operational: Literal["yes", "no", "partial", "unknown"] = "unknown"
    operational_evidence: str | None = None
    provisions: dict[str, Coded] = Field(default_factory=dict)
    source: str = Field(min_length=3)
    source_url: str | None = None
    note: str | None = None
    provenance: Provenance

    @field_validator("operational", mode="before")
    @classmethod
    def _op(cls, value: object) -> object:
        return _yes_no(value)

    @field_validator("parties", mode="before")
    @classmethod
    def _codes(cls, value: object) -> object:
        if isinstance(value, str):
            value = [v for v in value.replace(",", ";").split(";") if v.strip()]
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            return value  # pydantic's own check names the list it expected
        return codes.codes_for(value, example="KOR")

    @field_validator("provisions", mode="before")
    @classmethod
    def _checklist(cls, value: object) -> object:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("provisions must map checklist items to yes/no/unknown")
        unknown = [k for k in value if k not in PROVISIONS]
        if unknown:
            raise ValueError(f"unknown provision {unknown[0]!r}; expected one of "
                             + ", ".join(PROVISIONS))
        return {k: (v if isinstance(v, dict) else {"value": v}) for k, v in value.items()}

    @field_validator("source_url")
    @classmethod
    def _source_url(cls, value: str | None) -> str | None:
        return web_address(value)

    @field_validator("year_signed")
    @classmethod
    def _not_future(cls, value: int | None) -> int | None:
        if value is not None and value > date.today().year:
            raise ValueError(f"year {value} is in the future")
        return value

    @model_validator(mode="after")
    def _who(self) -> Agreement:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("a party is listed twice")
        if len(self.parties) < 2 and not self.community and not self.parties_note:
            raise ValueError("an agreement needs two or more parties, a community, or a "
                             "parties_note saying why they are not listed")
        return self

    # -- checklist and score ----------------------------------------------------------------
    def value(self, provision: str) -> str:
        coded = self.provisions.get(provision)
        return coded.value if coded else "unknown"

    def checklist(self) -> list[dict]:
        return [{"provision": key, "label": label, "value": self.value(key),
                 "evidence": self.provisions[key].evidence if key in self.provisions else None}
                for key, label in PROVISIONS.items()]

    def score(self) -> dict:
        return alignment([self.value(k) for k in PROVISIONS])

    def summary(self) -> dict:
        s = self.score()
        return {"id": self.id, "title": self.title, "kind": self.kind,
                "parties": self.parties or ([self.community] if self.community else []),
                "year_signed": self.year_signed, "operational": self.operational,
                "score": s["score"], "coverage": s["coverage"], "score_min": s["score_min"],
                "score_max": s["score_max"], "score_text": s["text"], "source": self.source}


def alignment(values: list[str]) -> dict:
    """The documented alignment score of a coded checklist (see the module docstring)."""
    total = len(values)
    yes = sum(v == "yes" for v in values)
    no = sum(v == "no" for v in values)
    unknown = total - yes - no
    known = yes + no
    score = yes / known if known else None
    text = (f"{yes} of {known} known provisions align ({known} of {total} known)" if known
            else f"no provision known (0 of {total})")
    return {"yes": yes, "no": no, "unknown": unknown, "known": known, "total": total,
            "score": score, "coverage": known / total if total else 0.0,
            "score_min": yes / total if total else 0.0,
            "score_max": (yes + unknown) / total if total else 0.0, "text": text}


# -- loading -----------------------------------------------------------------------------------
def _problems(file: str, row: int, record: dict, error: ValidationError) -> list[Problem]:
    out = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        value: object = record
        for part in item["loc"]:
            value = value.get(part) if isinstance(value, dict) else None
        out.append(Problem(file, place=f"agreement {record.get('id')!r}" if isinstance(record, dict) else None,
                           row=row, value=value if value is not None else where,
                           expected=f"{where}: {item['msg']}"))
    return out


def parse_records(records: object, file: str, *, sha256: str | None = None,
                  rows: list[int] | None = None) -> list[Agreement]:
    """Validate raw records; every problem of every record is reported together."""
    problems: list[Problem] = []
    out: list[Agreement] = []
    seen: dict[str, int] = {}
    if not isinstance(records, list):
        raise InputError.one(file, "a list of agreement records", value=type(records).__name__)
    for index, record in enumerate(records, start=1):
        row = rows[index - 1] if rows else index
        if not isinstance(record, dict):
            problems.append(Problem(file, row=row, value=record, expected="an agreement record"))
            continue
        try:
            item = Agreement.model_validate(record)
        except ValidationError as error:
            problems += _problems(file, row, record, error)
            continue
        if item.id in seen:
            problems.append(Problem(file, row=row, value=item.id,
                                    expected=f"a unique id (also record {seen[item.id]})"))
            continue
        seen[item.id] = row
        item.provenance.file = file
        item.provenance.sha256 = sha256
        out.append(item)
    if problems:
        raise InputError(problems, hint="Fix the agreement records above (see docs/governance.md).")
    return out


def read_file(path: Path | str) -> list[Agreement]:
    """Agreements from a YAML list or a CSV (one row per agreement: ``parties`` and ``sectors``
    separated by ``;``, one column per checklist provision with yes/no/unknown, and
    ``coded_from``, ``coded_by``, ``coded_on`` provenance columns)."""
    path = Path(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            loaded = load_yaml(data.decode("utf-8"), str(path)) or []
        except yaml.YAMLError as error:
            raise InputError.one(str(path), "valid YAML", value=str(error).splitlines()[0]) \
                from error
        return parse_records(loaded, str(path), sha256=digest)
    if path.suffix.lower() == ".csv":
        text = data.decode("utf-8-sig")
        reader = csv.DictReader(text.splitlines())
        records: list[dict] = []
        rows: list[int] = []
        for row_no, row in enumerate(reader, start=2):
            record: dict = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()
                            if k is not None}
            provisions = {k: record.pop(k) for k in list(record) if k in PROVISIONS}
            evidence = {k[: -len("_evidence")]: record.pop(k) for k in list(record)
                        if k.endswith("_evidence") and k[: -len("_evidence")] in PROVISIONS}
            record["provisions"] = {
                k: {"value": v or "unknown", "evidence": evidence.get(k) or None}
                for k, v in provisions.items()
            }
            record["provenance"] = {k: record.pop(k, None)
                                    for k in ("coded_from", "coded_by", "coded_on")}
            record["sectors"] = [s for s in (record.get("sectors") or "").split(";") if s]
            for key in ("year_signed",):
                if record.get(key) in ("", None):
                    record[key] = None
            for key in list(record):
                if record[key] == "" and key not in ("parties",):
                    record[key] = None
            records.append(record)
            rows.append(row_no)
        return parse_records(records, str(path), sha256=digest, rows=rows)
    raise InputError.one(str(path), "a .yaml or .csv file of agreements", value=path.suffix)


def seed() -> list[Agreement]:
    """The agreements the background paper names (committed with the package)."""
    resource = resources.files(__package__).joinpath(SEED_FILE)
    data = resource.read_bytes()
    records = yaml.safe_load(data.decode("utf-8"))
    return parse_records(records, f"corridors/governance/{SEED_FILE}",
                         sha256=hashlib.sha256(data).hexdigest())


def user_agreements_dir(user_dir: Path | str | None = None) -> Path:
    return Path(user_dir or settings().user_dir) / "agreements"


def registry(user_dir: Path | str | None = None) -> list[Agreement]:
    """The seed plus every user file; a user record with a seed id replaces the seed record."""
    table = {a.id: a for a in seed()}
    folder = user_agreements_dir(user_dir)
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in (".yaml", ".yml", ".csv"):
                for item in read_file(path):
                    table[item.id] = item
    return list(table.values())


def between(agreements: list[Agreement], a: str, b: str, year: int | None = None,
            members_of: dict[str, set[str]] | None = None) -> list[Agreement]:
    """Agreements covering both countries: both listed as parties, or both members of the
    agreement's community (``members_of``: community code -> ISO3 set for the year). Agreements
    signed after ``year`` are left out; those without a year are kept."""
    out = []
    for item in agreements:
        if year is not None and item.year_signed is not None and item.year_signed > year:
            continue
        parties = set(item.parties)
        if not parties and item.community and members_of is not None:
            parties = members_of.get(item.community, set())
        if a in parties and b in parties:
            out.append(item)
    return out
