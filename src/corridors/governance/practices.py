"""The good-practice catalogue: what worked where, searchable by words and filtered by country,
level, theme and GCM objective.

Fields follow the GFMD Policy and Practice Database and the ILO good-practice database on labour
migration: title, countries, partners, level (national / bilateral / regional / inter-regional),
themes, GCM objectives (1-23), SDG targets, summary, source, link; ``communities`` lists regional
communities a practice belongs to (a country matches the practice when it is a member).

Search is a small BM25 ranking over the title (weight 3), themes (2), partners, summary and the
names of the countries and communities (1). DuckDB's ``fts`` extension is not bundled with the
wheel and cannot be installed offline, so corridors carries its own scorer (the catalogue holds
tens to thousands of records: a few milliseconds).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.links import web_address
from corridors.settings import settings
from corridors.yamlfile import read_yaml

SEED_FILE = "practices.yaml"
LEVELS = ("national", "bilateral", "regional", "inter-regional")
THEMES = (
    "data and statistics", "social protection", "social dialogue", "regional cooperation",
    "fair recruitment", "equality of treatment", "labour law", "skills recognition",
    "return and reintegration", "institutions and services", "trade unions", "migration policy",
    "regular pathways", "capacity building", "protection of migrant workers",
)

#: The 23 objectives of the Global Compact for Safe, Orderly and Regular Migration (2018).
GCM_OBJECTIVES = {
    1: "Collect and utilize accurate and disaggregated data as a basis for evidence-based "
       "policies",
    2: "Minimize the adverse drivers and structural factors that compel people to leave their "
       "country of origin",
    3: "Provide accurate and timely information at all stages of migration",
    4: "Ensure that all migrants have proof of legal identity and adequate documentation",
    5: "Enhance availability and flexibility of pathways for regular migration",
    6: "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work",
    7: "Address and reduce vulnerabilities in migration",
    8: "Save lives and establish coordinated international efforts on missing migrants",
    9: "Strengthen the transnational response to smuggling of migrants",
    10: "Prevent, combat and eradicate trafficking in persons in the context of international "
        "migration",
    11: "Manage borders in an integrated, secure and coordinated manner",
    12: "Strengthen certainty and predictability in migration procedures for appropriate "
        "screening, assessment and referral",
    13: "Use migration detention only as a measure of last resort and work towards alternatives",
    14: "Enhance consular protection, assistance and cooperation throughout the migration cycle",
    15: "Provide access to basic services for migrants",
    16: "Empower migrants and societies to realize full inclusion and social cohesion",
    17: "Eliminate all forms of discrimination and promote evidence-based public discourse to "
        "shape perceptions of migration",
    18: "Invest in skills development and facilitate mutual recognition of skills, "
        "qualifications and competences",
    19: "Create conditions for migrants and diasporas to fully contribute to sustainable "
        "development in all countries",
    20: "Promote faster, safer and cheaper transfer of remittances and foster financial "
        "inclusion of migrants",
    21: "Cooperate in facilitating safe and dignified return and readmission, as well as "
        "sustainable reintegration",
    22: "Establish mechanisms for the portability of social security entitlements and earned "
        "benefits",
    23: "Strengthen international cooperation and global partnerships for safe, orderly and "
        "regular migration",
}


class Practice(BaseModel):
    """One good practice."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=3)
    countries: list[str] = Field(default_factory=list)
    communities: list[str] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)
    level: Literal["national", "bilateral", "regional", "inter-regional"]
    themes: list[str] = Field(min_length=1)
    gcm_objectives: list[int] = Field(default_factory=list)
    sdg_targets: list[str] = Field(default_factory=list)
    summary: str = Field(min_length=10)
    source: str = Field(min_length=3)
    link: str | None = None

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, value: object) -> object:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            return value  # pydantic's own check names the list it expected
        return codes.codes_for(value)

    @field_validator("themes")
    @classmethod
    def _themes(cls, value: list[str]) -> list[str]:
        for theme in value:
            if theme not in THEMES:
                raise ValueError(f"unknown theme {theme!r}; expected one of {', '.join(THEMES)}")
        return value

    @field_validator("gcm_objectives")
    @classmethod
    def _gcm(cls, value: list[int]) -> list[int]:
        for number in value:
            if number not in GCM_OBJECTIVES:
                raise ValueError(f"GCM objective {number} does not exist (1-23)")
        return value

    @field_validator("sdg_targets", mode="before")
    @classmethod
    def _sdg(cls, value: object) -> object:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            return value  # pydantic's own check names the list it expected
        out = []
        for target in value:
            text = str(target).strip()
            if not re.fullmatch(r"(1[0-7]|[1-9])\.([1-9]\d?|[a-c])", text):
                raise ValueError(f"SDG target {target!r} is not of the form 10.7 or 10.c")
            out.append(text)
        return out

    @field_validator("link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        return web_address(value, "link")

    def record(self) -> dict:
        data = self.model_dump()
        data["country_names"] = [codes.countries()[c].name for c in self.countries]
        data["gcm_titles"] = [GCM_OBJECTIVES[n] for n in self.gcm_objectives]
        return data


def parse_records(records: object, file: str) -> list[Practice]:
    """Validate practice records; every problem is reported together."""
    if not isinstance(records, list):
        raise InputError.one(file, "a list of practice records", value=type(records).__name__)
    problems: list[Problem] = []
    out: list[Practice] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(records, start=1):
        try:
            item = Practice.model_validate(record)
        except ValidationError as error:
            for e in error.errors():
                where = ".".join(str(p) for p in e["loc"])
                value = record.get(e["loc"][0]) if isinstance(record, dict) and e["loc"] else None
                problems.append(Problem(file, row=index, value=value,
                                        expected=f"{where}: {e['msg']}"))
            continue
        if item.id in seen:
            problems.append(Problem(file, row=index, value=item.id,
                                    expected=f"a unique id (also record {seen[item.id]})"))
            continue
        seen[item.id] = index
        out.append(item)
    if problems:
        raise InputError(problems, hint="Fix the practice records above (see docs/governance.md).")
    return out


@lru_cache(maxsize=1)
def seed() -> tuple[Practice, ...]:
    """Every practice the background paper names (committed with the package)."""
    text = resources.files(__package__).joinpath(SEED_FILE).read_text(encoding="utf-8")
    return tuple(parse_records(yaml.safe_load(text), f"corridors/governance/{SEED_FILE}"))


def read_file(path: Path | str) -> list[Practice]:
    path = Path(path)
    try:
        records = read_yaml(path)
    except yaml.YAMLError as error:
        raise InputError.one(str(path), "valid YAML", value=str(error).splitlines()[0]) from error
    return parse_records(records, str(path))


def catalogue(user_dir: Path | str | None = None) -> list[Practice]:
    """The seed plus ``<user_dir>/practices/*.yaml`` (a user record with a seed id replaces it)."""
    table = {p.id: p for p in seed()}
    folder = Path(user_dir or settings().user_dir) / "practices"
    if folder.is_dir():
        for path in sorted(folder.glob("*.y*ml")):
            for item in read_file(path):
                table[item.id] = item
    return list(table.values())


# -- search ------------------------------------------------------------------------------------
_STOP = frozenset(
    "a an and are as at be by for from has have in into is it its of on or that the their this "
    "to was were which with".split())


def tokens(text: str) -> list[str]:
    """Lower-case words without accents, stop words dropped, plurals folded."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = []
    for word in re.findall(r"[a-z0-9]+", plain):
        if word in _STOP:
            continue
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


_WEIGHTS = (("title", 3), ("themes", 2), ("partners", 1), ("summary", 1), ("places", 1))


def _document(p: Practice) -> Counter:
    fields = {
        "title": p.title,
        "themes": " ".join(p.themes),
        "partners": " ".join(p.partners),
        "summary": p.summary,
        "places": " ".join([codes.countries()[c].name for c in p.countries] + p.communities
                           + p.countries),
    }
    bag: Counter = Counter()
    for name, weight in _WEIGHTS:
        for token in tokens(fields[name]):
            bag[token] += weight
    return bag


def bm25(query: str, practices: list[Practice], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """BM25 score of each practice for the query (0 when no query word occurs)."""
    words = tokens(query)
    docs = [_document(p) for p in practices]
    if not words or not docs:
        return [0.0] * len(practices)
    lengths = [sum(d.values()) for d in docs]
    average = sum(lengths) / len(lengths)
    n = len(docs)
    scores = []
    for doc, length in zip(docs, lengths, strict=True):
        score = 0.0
        for word in set(words):
            freq = doc.get(word, 0)
            if not freq:
                continue
            having = sum(1 for d in docs if word in d)
            idf = math.log(1 + (n - having + 0.5) / (having + 0.5))
            score += idf * freq * (k1 + 1) / (freq + k1 * (1 - b + b * length / average))
        scores.append(score)
    return scores


def _matches(p: Practice, country: str | None, level: str | None, theme: str | None,
             gcm: int | None, member_of: dict[str, set[str]] | None) -> bool:
    if level and p.level != level:
        return False
    if theme and theme not in p.themes:
        return False
    if gcm is not None and gcm not in p.gcm_objectives:
        return False
    if country:
        if country in p.countries:
            return True
        return member_of is not None and any(country in member_of.get(c, set()) for c in p.communities)
    return True


def search(query: str = "", *, country: str | None = None, level: str | None = None,
           theme: str | None = None, gcm: int | None = None,
           practices: list[Practice] | None = None,
           member_of: dict[str, set[str]] | None = None, limit: int | None = None) -> list[dict]:
    """Practices matching every facet given, ranked by BM25 relevance to ``query`` (all matching
    practices, by title, when the query is empty). ``country`` (any code or name) also matches
    practices of communities the country belongs to when ``member_of`` (community -> ISO3 set) is
    given."""
    practices = list(practices) if practices is not None else catalogue()
    iso3 = None
    if country:
        iso3 = codes.code_for(country)
        if iso3 is None:
            raise InputError.one("--country", "a country code or name", value=country)
    if level and level not in LEVELS:
        raise InputError.one("--level", "one of " + ", ".join(LEVELS), value=level)
    if theme and theme not in THEMES:
        raise InputError.one("--theme", "one of " + ", ".join(THEMES), value=theme)
    if gcm is not None and gcm not in GCM_OBJECTIVES:
        raise InputError.one("--gcm", "a GCM objective number 1-23", value=gcm)
    kept = [p for p in practices if _matches(p, iso3, level, theme, gcm, member_of)]
    scores = bm25(query, kept)
    rows = []
    for p, score in zip(kept, scores, strict=True):
        if query.strip() and score <= 0:
            continue
        row = p.record()
        row["score"] = round(score, 4)
        rows.append(row)
    if query.strip():
        rows.sort(key=lambda r: (-r["score"], r["title"]))
    else:
        rows.sort(key=lambda r: r["title"])
    return rows[:limit] if limit else rows


def facets(rows: list[dict]) -> dict[str, dict]:
    """Counts per country, level, theme and GCM objective in a result list."""
    out: dict[str, Counter] = {"country": Counter(), "level": Counter(), "theme": Counter(),
                               "gcm_objective": Counter()}
    for row in rows:
        out["country"].update(row["countries"])
        out["level"][row["level"]] += 1
        out["theme"].update(row["themes"])
        out["gcm_objective"].update(str(n) for n in row["gcm_objectives"])
    return {name: dict(counter.most_common()) for name, counter in out.items()}


def get(practice_id: str, practices: list[Practice] | None = None) -> Practice:
    for p in practices if practices is not None else catalogue():
        if p.id == practice_id:
            return p
    raise InputError.one("practice id", "the id of a practice (see `corridors practices search`)",
                         value=practice_id)
