"""One home for settings and paths.

Every setting can come from the environment (prefix ``CORRIDORS_``) and most can be overridden on the
command line. Nothing else in the package reads the environment or builds a path to a data file.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from corridors.errors import CorridorsError


def _default_home() -> Path:
    return Path(user_data_dir("corridors", appauthor=False))


class Settings(BaseSettings):
    """Where corridors keeps its files and how it runs.

    - ``home``: ``CORRIDORS_HOME``; holds the download cache and the store.
    - ``mirror``: ``CORRIDORS_MIRROR``; a folder laid out like the publishers' sites
      (``un-desa/ims2020/...``), used by ``pull`` instead of the internet.
    - ``reference``: ``CORRIDORS_REFERENCE``; a folder of curated reference facts (ratification
      lists, community membership) that replaces the copy shipped inside the package.
    - ``engine``: ``CORRIDORS_ENGINE``; the engine for survey microdata (``duckdb`` or ``spark``).
    - ``cache_mb``: ``CORRIDORS_CACHE_MB``; megabytes of answers ``corridors serve`` keeps in memory
      (default 128; 0 turns the response cache off).
    - ``spark_master``: ``CORRIDORS_SPARK_MASTER``; where the Spark engine runs: ``local[N]``,
      ``spark://host:port`` (a standalone cluster), ``sc://host:port`` (a Spark Connect server),
      ``yarn`` or ``k8s://...``. Unset: the master ``spark-submit`` was given, else ``local[2]``.
    """

    model_config = SettingsConfigDict(env_prefix="CORRIDORS_", extra="ignore")

    home: Path = Field(default_factory=_default_home)
    mirror: Path | None = None
    reference: Path | None = None
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str | None = None
    download_timeout: float = 60.0
    download_retries: int = 3
    cache_mb: float = Field(default=128.0, ge=0, le=65536)

    @field_validator("home", "mirror", "reference", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        if value in (None, ""):
            return None
        return Path(str(value)).expanduser()

    @field_validator("spark_master", mode="before")
    @classmethod
    def _master(cls, value: object) -> object:
        if value in (None, ""):
            return None
        spark_master_kind(str(value))
        return str(value).strip()

    @property
    def spark_submitted(self) -> bool:
        """True inside a Python application started by ``spark-submit`` (or the ``pyspark`` shell):
        its JVM already runs with the master it was given."""
        return "PYSPARK_GATEWAY_PORT" in os.environ

    @property
    def cache_dir(self) -> Path:
        """Raw publisher files, one folder per source id, each with a provenance sidecar."""
        return self.home / "cache"

    @property
    def store_path(self) -> Path:
        """The DuckDB store every interface reads."""
        return self.home / "corridors.duckdb"

    @property
    def reference_dir(self) -> Path:
        """Curated reference facts: the user's folder (``CORRIDORS_REFERENCE``) when set, else the
        copy shipped inside the package (``corridors/reference/``)."""
        if self.reference is not None:
            return self.reference
        from corridors.reference import folder

        return folder()

    @property
    def user_dir(self) -> Path:
        """User-supplied additions (ratification imports, agreements, practices, lenses)."""
        return self.home / "user"


_MASTERS = (
    ("local", re.compile(r"local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?")),
    ("standalone", re.compile(r"spark://[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*")),
    ("connect", re.compile(r"sc://[\w.-]+(:\d{1,5})?/?(;[^;=\s]+=[^;\s]*)*")),
    ("yarn", re.compile(r"yarn")),
    ("kubernetes", re.compile(r"k8s://\S+")),
)


def spark_master_kind(master: str) -> str:
    """``local``, ``standalone``, ``connect``, ``yarn`` or ``kubernetes``; for anything else one
    message that lists the accepted forms (a CorridorsError, which pydantic passes through)."""
    text = master.strip()
    for kind, pattern in _MASTERS:
        if pattern.fullmatch(text):
            return kind
    raise CorridorsError(
        f"Spark master {master!r} (--spark-master or CORRIDORS_SPARK_MASTER) is not one of local, "
        "local[N], local[*], spark://HOST:PORT (standalone cluster), sc://HOST:PORT (Spark Connect), "
        "yarn or k8s://URL; e.g. CORRIDORS_SPARK_MASTER=spark://10.0.0.5:7077")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def override(**changes: object) -> Settings:
    """Replace the process-wide settings (used by ``--mirror``/``--home`` options and tests)."""
    if changes.get("spark_master"):
        changes["spark_master"] = Settings._master(changes["spark_master"])
    current = get_settings().model_copy(update={k: v for k, v in changes.items() if v is not None})
    get_settings.cache_clear()
    _OVERRIDE.clear()
    _OVERRIDE.append(current)
    return current


_OVERRIDE: list[Settings] = []


def settings() -> Settings:
    """The settings in force: the last override, else the environment."""
    return _OVERRIDE[-1] if _OVERRIDE else get_settings()


def reset() -> None:
    _OVERRIDE.clear()
    get_settings.cache_clear()


def use(replacement: Settings) -> Settings:
    """Put a complete Settings object in force (tests, embedding applications)."""
    _OVERRIDE.clear()
    _OVERRIDE.append(replacement)
    return replacement
