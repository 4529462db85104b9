"""One home for settings and paths.

Every setting can come from the environment (prefix ``CORRIDORS_``) and most can be overridden on the
command line. Nothing else in the package reads the environment or builds a path to a data file.

Plain standard library on purpose: every command reads the settings before it does anything, so
reading them must cost nothing (a settings library would add a tenth of a second to each command).
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from corridors.errors import CorridorsError

ENGINES = ("duckdb", "spark")


def _default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("corridors", appauthor=False))


def _path(value: object) -> Path | None:
    if value in (None, ""):
        return None
    return Path(str(value)).expanduser()


def _number(name: str, value: object, kind: type) -> float | int:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise CorridorsError(f"setting {name}: {value!r} is not a {kind.__name__}; "
                             f"set CORRIDORS_{name.upper()} to a number") from None


@dataclass(frozen=True)
class Settings:
    """Where corridors keeps its files and how it runs.

    - ``home``: ``CORRIDORS_HOME``; holds the download cache and the store.
    - ``mirror``: ``CORRIDORS_MIRROR``; a folder laid out like the publishers' sites
      (``un-desa/ims2020/...``), used by ``pull`` instead of the internet.
    - ``reference``: ``CORRIDORS_REFERENCE``; a folder of curated reference facts (ratification
      lists, community membership) that replaces the copy shipped inside the package.
    - ``engine``: ``CORRIDORS_ENGINE``; the engine for survey microdata (``duckdb`` or ``spark``).
    - ``spark_master``: ``CORRIDORS_SPARK_MASTER``; where the Spark engine runs: ``local[N]``,
      ``spark://host:port`` (a standalone cluster), ``sc://host:port`` (a Spark Connect server),
      ``yarn`` or ``k8s://...``. Unset: the master ``spark-submit`` was given, else ``local[2]``.
    - ``cache_mb``: ``CORRIDORS_CACHE_MB``; megabytes of answers ``corridors serve`` keeps in memory
      (default 128; 0 turns the response cache off).
    - ``serve_threads``: ``CORRIDORS_SERVE_THREADS``; requests ``corridors serve`` works on at once
      (default 8). Answers are mostly Python work that takes turns on one lock: more threads than
      this only wait longer for their turn (at 20 clients on 2 cores, 40 threads gave a first-call
      p95 of 88-102 ms where 4-8 gave 50-68 ms).
    """

    home: Path = field(default_factory=_default_home)
    mirror: Path | None = None
    reference: Path | None = None
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str | None = None
    download_timeout: float = 60.0
    download_retries: int = 3
    cache_mb: float = 128.0
    serve_threads: int = 8

    def __post_init__(self) -> None:
        fix = object.__setattr__
        fix(self, "home", _path(self.home) or _default_home())
        fix(self, "mirror", _path(self.mirror))
        fix(self, "reference", _path(self.reference))
        engine = str(self.engine).lower()
        if engine not in ENGINES:
            raise CorridorsError(f"setting engine: {self.engine!r} is not an engine; set "
                                 f"CORRIDORS_ENGINE to one of {', '.join(ENGINES)}")
        fix(self, "engine", engine)
        if self.spark_master in (None, ""):
            fix(self, "spark_master", None)
        else:
            spark_master_kind(str(self.spark_master))
            fix(self, "spark_master", str(self.spark_master).strip())
        fix(self, "download_timeout", _number("download_timeout", self.download_timeout, float))
        fix(self, "download_retries", _number("download_retries", self.download_retries, int))
        cache_mb = _number("cache_mb", self.cache_mb, float)
        if not 0 <= cache_mb <= 65536:
            raise CorridorsError(f"setting cache_mb: {cache_mb:g} is out of range; set "
                                 "CORRIDORS_CACHE_MB to megabytes between 0 and 65536")
        fix(self, "cache_mb", cache_mb)
        threads = _number("serve_threads", self.serve_threads, int)
        if not 1 <= threads <= 1024:
            raise CorridorsError(f"setting serve_threads: {threads} is out of range; set "
                                 "CORRIDORS_SERVE_THREADS to a number of threads between 1 and "
                                 "1024")
        fix(self, "serve_threads", threads)

    @classmethod
    def from_environment(cls) -> Settings:
        """Settings from the ``CORRIDORS_*`` environment variables (case-insensitive names)."""
        env = {k.upper(): v for k, v in os.environ.items() if k.upper().startswith("CORRIDORS_")}
        # raw strings: __post_init__ turns each into its field's type (or names the bad setting)
        given: dict[str, Any] = {f.name: env[f"CORRIDORS_{f.name.upper()}"] for f in dataclasses.fields(cls)
                 if f"CORRIDORS_{f.name.upper()}" in env}
        return cls(**given)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)

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

    def additions_stamp(self) -> tuple:
        """:func:`additions_stamp` of these settings' user and reference folders."""
        return additions_stamp(self.user_dir, self.reference_dir)


def additions_stamp(user_dir: Path | None, reference_dir: Path | None = None) -> tuple:
    """Changes whenever the user adds, changes or removes one of their own facts (a file anywhere
    under ``user_dir``: imported ratifications, agreements, practices, lenses) or the reference
    folder gains or loses a file: every file and folder with its modification time, in order.
    The one rule for "the user's facts changed": what a server keeps in memory (the response
    cache, the governance facts) is dropped when it changes."""
    found: list[tuple[str, int]] = []
    if reference_dir is not None and os.path.isdir(reference_dir):
        found.append((str(reference_dir), os.stat(reference_dir).st_mtime_ns))
    if user_dir is not None and os.path.isdir(user_dir):
        for root, dirs, files in os.walk(user_dir):
            dirs.sort()
            for name in [".", *sorted(files)]:
                path = os.path.join(root, name)
                try:
                    found.append((path, os.stat(path).st_mtime_ns))
                except FileNotFoundError:  # removed while we looked: the next look sees it
                    continue
    return tuple(found)


_MASTERS = (
    ("local", re.compile(r"local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?")),
    ("standalone", re.compile(r"spark://[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*")),
    ("connect", re.compile(r"sc://[\w.-]+(:\d{1,5})?/?(;[^;=\s]+=[^;\s]*)*")),
    ("yarn", re.compile(r"yarn")),
    ("kubernetes", re.compile(r"k8s://\S+")),
)


def spark_master_kind(master: str) -> str:
    """``local``, ``standalone``, ``connect``, ``yarn`` or ``kubernetes``; for anything else one
    message that lists the accepted forms."""
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
    return Settings.from_environment()


def override(**changes: object) -> Settings:
    """Replace the process-wide settings (used by ``--mirror``/``--home`` options and tests)."""
    current = get_settings().replace(**{k: v for k, v in changes.items() if v is not None})
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
