"""The international instruments the observatory tracks: ILO Conventions on migrant workers,
social security, recruitment and domestic work, the ILO fundamental Conventions, the UN 1990
Migrant Workers Convention and the 2000 Palermo protocols.

The list is a data file committed with the package (``instruments.yaml``), one record per
instrument: id, body, title, year of adoption, subject, scorecard group, migrant-specific flag and
fundamental flag.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from corridors.errors import InputError

DATA_FILE = "instruments.yaml"


class Instrument(BaseModel):
    """One Convention, Protocol or treaty."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^(C\d{3}|P\d{3}|[A-Z_]+)$")
    body: Literal["ILO", "UN"]
    title: str
    year: int = Field(ge=1919, le=2100)
    subject: str
    group: Literal[
        "migrant workers", "fundamental", "social security", "recruitment and domestic work",
        "trafficking and smuggling", "core human rights",
    ]
    migrant_specific: bool
    fundamental: bool


@lru_cache(maxsize=1)
def instruments() -> dict[str, Instrument]:
    """Every tracked instrument keyed by id, in the order of the data file."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    records = yaml.safe_load(text)
    table: dict[str, Instrument] = {}
    for index, record in enumerate(records, start=1):
        try:
            item = Instrument.model_validate(record)
        except Exception as error:  # pydantic.ValidationError
            raise InputError.one(DATA_FILE, "an instrument record", row=index,
                                 value=str(error).splitlines()[0]) from error
        table[item.id] = item
    return table


def instrument(code: str) -> Instrument:
    """One instrument by id; accepts ``C97``, ``c097``, ``icrmw``, ``trafficking``."""
    key = normalise_id(code)
    if key not in instruments():
        raise InputError.one("instrument", f"one of {', '.join(instruments())}", value=code)
    return instruments()[key]


_SYNONYMS = {
    "ICMW": "ICRMW", "CMW": "ICRMW", "MWC": "ICRMW",
    "TIP": "TIP_PROTOCOL", "TRAFFICKING": "TIP_PROTOCOL",
    "SOM": "SOM_PROTOCOL", "SMUGGLING": "SOM_PROTOCOL",
}


def normalise_id(code: str) -> str:
    """``C97`` -> ``C097``, ``p29`` -> ``P029``; other ids upper-cased (with a few synonyms)."""
    text = str(code).strip().upper().replace(" ", "").replace("-", "_")
    if len(text) >= 2 and text[0] in "CP" and text[1:].isdigit():
        return f"{text[0]}{int(text[1:]):03d}"
    return _SYNONYMS.get(text, text)


def migrant_specific() -> list[str]:
    return [i.id for i in instruments().values() if i.migrant_specific]


def fundamental() -> list[str]:
    return [i.id for i in instruments().values() if i.fundamental]
