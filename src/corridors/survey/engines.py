"""Where the estimator's SQL runs: DuckDB (embedded, the default) or Apache Spark (local or cluster).

The estimator writes ONE SQL text per table of estimates (see ``estimator.py``); an engine only
(1) exposes the microdata as a view called ``microdata``, (2) quotes names and strings in its
dialect and (3) runs a query and returns the (small) result as a pandas frame. Everything heavy is
in the SQL, and the SQL aggregates person records to PSU-level sums first, so Spark distributes it.
"""

from __future__ import annotations

import re
import socket
import tempfile
import warnings
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from corridors.errors import CorridorsError, InputError
from corridors.settings import settings, spark_master_kind

from .microdata import Microdata

VIEW = "microdata"
_CSV_TYPES = ("BIGINT", "DOUBLE", "TIME", "DATE", "TIMESTAMP", "VARCHAR")
_NUMERIC = ("int", "double", "float", "decimal", "real", "long", "short", "byte", "bigint",
            "smallint", "tinyint", "hugeint", "ubigint", "uinteger", "usmallint", "utinyint")


class Engine(Protocol):
    name: str

    def quote(self, identifier: str) -> str: ...

    def literal(self, text: str) -> str: ...

    def load(self, data: Microdata) -> dict[str, str]:
        """Expose ``data`` as the view ``microdata``; return column -> 'numeric' | 'string'."""
        ...

    def keep(self, condition: str) -> None:
        """Drop rows where ``condition`` (engine SQL) is not true, before anything else."""
        ...

    def query(self, sql: str) -> pd.DataFrame: ...

    def materialize(self, name: str, sql: str) -> None:
        """Keep a (small) query result as the table ``name`` for later queries."""
        ...

    def kinds(self, sql: str) -> dict[str, str]:
        """Column -> 'numeric' | 'string' of a query's result (without running it)."""
        ...


def _kind(type_name: str) -> str:
    lower = type_name.lower()
    return "numeric" if lower.startswith(_NUMERIC) else "string"


class DuckDBEngine:
    """DuckDB in this process. ``con`` may be given (e.g. a test's connection); else in-memory."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None) -> None:
        self.con = con or duckdb.connect()
        self._arrow = None

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def literal(self, text: str) -> str:
        return "'" + str(text).replace("'", "''") + "'"

    def load(self, data: Microdata) -> dict[str, str]:
        path = self.literal(str(data.path))
        if data.format == "csv":
            nulls = "[" + ", ".join(self.literal(v) for v in data.null_values) + "]"
            delim = f", delim = {self.literal(data.delimiter)}" if data.delimiter else ""
            # no BOOLEAN sniffing: DuckDB would read Yes/No as true/false; Spark keeps the text
            types = ", ".join(self.literal(t) for t in _CSV_TYPES)
            source = (f"read_csv({path}, header = true, nullstr = {nulls}{delim}, "
                      f"auto_type_candidates = [{types}])")
        elif data.format == "parquet":
            target = str(data.path / "*.parquet") if data.path.is_dir() else str(data.path)
            source = f"read_parquet({self.literal(target)})"
        else:
            self._arrow = data.read_statistical()
            self.con.register("_corridors_statistical", self._arrow)
            source = "_corridors_statistical"
        if data.format == "csv":
            # parse a CSV once (types sniffed once); Parquet is scanned in place
            table = "_corridors_csv"
            try:
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {source}")
            except duckdb.Error as error:
                raise InputError.one(str(data.path), "a readable CSV file",
                                     hint=str(error).splitlines()[0]) from error
            self._booleans(table)
            source = table
        self._source = source
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {VIEW} AS SELECT * FROM {source}")
            described = self.con.execute(f"DESCRIBE {VIEW}").fetchall()
        except duckdb.Error as error:
            raise InputError.one(str(data.path), f"a readable {data.format} file",
                                 hint=str(error).splitlines()[0]) from error
        return {row[0]: _kind(row[1]) for row in described}

    def _booleans(self, table: str) -> None:
        """Columns holding only true/false (any case) become BOOLEAN, as Spark's CSV reader
        infers them; every other text (Yes/No, T/F, 1/0) stays as the file has it."""
        text = [row[0] for row in self.con.execute(f"DESCRIBE {table}").fetchall()
                if row[1] == "VARCHAR"]
        if not text:
            return
        tests = ", ".join(f"COUNT({self.quote(c)}) > 0 AND COUNT({self.quote(c)}) = COUNT(CASE WHEN "
                          f"lower({self.quote(c)}) IN ('true', 'false') THEN 1 END)" for c in text)
        flags = self.con.execute(f"SELECT {tests} FROM {table}").fetchone()
        for column, boolean in zip(text, flags or (), strict=True):
            if boolean:
                self.con.execute(f"ALTER TABLE {table} ALTER {self.quote(column)} TYPE BOOLEAN "
                                 f"USING lower({self.quote(column)}) = 'true'")

    def keep(self, condition: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {VIEW} AS SELECT * FROM {self._source} "
                         f"WHERE COALESCE(({condition}), FALSE)")

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def materialize(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def kinds(self, sql: str) -> dict[str, str]:
        relation = self.con.sql(sql)
        return {name: _kind(str(kind)) for name, kind in zip(relation.columns, relation.types,
                                                            strict=True)}


class SparkEngine:
    """Apache Spark through PySpark: ``session``, else the one ``spark_session()`` finds or starts
    on the configured master (local, a standalone cluster, Spark Connect, spark-submit's)."""

    name = "spark"

    def __init__(self, session=None) -> None:
        self.spark = session or spark_session()
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._kept: dict = {}  # name -> cached DataFrame of materialize()

    def quote(self, identifier: str) -> str:
        return "`" + identifier.replace("`", "``") + "`"

    def literal(self, text: str) -> str:
        return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"

    def load(self, data: Microdata) -> dict[str, str]:
        reader = self.spark.read
        path = str(data.path)
        if data.format == "csv":
            nulls = [v for v in data.null_values if v]
            reader = reader.option("header", "true").option("inferSchema", "true")
            if nulls:
                reader = reader.option("nullValue", nulls[0])
            if data.delimiter:
                reader = reader.option("sep", data.delimiter)
            frame = reader.csv(path)
        elif data.format == "parquet":
            frame = reader.parquet(path)
        else:
            import pyarrow.parquet as pq

            self._tmp = tempfile.TemporaryDirectory(prefix="corridors-spark-")
            target = Path(self._tmp.name) / "microdata.parquet"
            pq.write_table(data.read_statistical(), target)
            frame = reader.parquet(str(target))
        frame = frame.cache()  # several queries read it: parse once, spill to disk if large
        frame.createOrReplaceTempView(VIEW)
        self._frame = frame
        return {name: _kind(kind) for name, kind in frame.dtypes}

    def keep(self, condition: str) -> None:
        self._frame.where(f"COALESCE(({condition}), FALSE)").createOrReplaceTempView(VIEW)

    def query(self, sql: str) -> pd.DataFrame:
        frame = self.spark.sql(sql)
        rows = frame.collect()
        return pd.DataFrame([tuple(r) for r in rows], columns=frame.columns)

    def materialize(self, name: str, sql: str) -> None:
        frame = self.spark.sql(sql).cache()  # computed once, on first use
        previous = self._kept.pop(name, None)
        if previous is not None:
            previous.unpersist()
        frame.createOrReplaceTempView(name)
        self._kept[name] = frame

    def kinds(self, sql: str) -> dict[str, str]:
        return {name: _kind(kind) for name, kind in self.spark.sql(sql).dtypes}


_SESSIONS: dict[str, object] = {}
_SQL_CONF = {"spark.sql.ansi.enabled": "false"}  # a division by zero gives NULL, as in DuckDB
_LOCAL_CONF = {"spark.sql.shuffle.partitions": "4"}  # PSU sums are small: few tasks on one machine
_OUR_CONF = {  # for a session corridors starts itself; spark-submit's --conf keep precedence
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "2g",
    "spark.log.level": "ERROR",  # from the start: no JVM warnings on the user's terminal
}


def spark_session(master: str | None = None, **conf: str):
    """The Spark session the survey engine runs on, started once per process and master.

    The master is ``master``, else the setting (``--spark-master``, ``CORRIDORS_SPARK_MASTER``),
    else what ``spark-submit`` (or the ``pyspark`` shell, or a session already active in this
    process) was given, else ``local[2]``. ``sc://`` URLs open a Spark Connect client session. A
    session started by someone else is never reconfigured: corridors takes a new session on its
    Spark context (own SQL settings and views). ``conf`` adds Spark settings to a session started
    here (e.g. ``spark.executor.memory``).
    """
    master = master or settings().spark_master
    kind = spark_master_kind(master) if master else None
    key = master or ""
    if key in _SESSIONS:
        return _SESSIONS[key]
    # results come back as rows (collect), never through pandas: PySpark's warning about pandas
    # versions does not concern the estimator and would only confuse a user
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                            category=FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise CorridorsError(
            "the Spark engine needs PySpark: pip install 'corridors[spark]' (and Java 17)."
        ) from error
    if master and kind in ("standalone", "connect"):  # kind is None without a master
        _answers(master)
    if master and kind == "connect":
        session = _connect_session(master, conf)
    else:
        active = SparkSession.getActiveSession()
        if active is not None or settings().spark_submitted:
            session = (active or SparkSession.builder.getOrCreate()).newSession()
            _same_master(session.sparkContext.master, master)
        else:
            builder = SparkSession.builder.master(master or "local[2]").appName("corridors-survey")
            local = _LOCAL_CONF if kind in (None, "local") else {}  # a cluster: Spark's default
            for name, value in {**local, **_OUR_CONF, **conf}.items():
                builder = builder.config(name, value)
            session = _start(builder.config("spark.ui.enabled", "false"), master or "local[2]")
        for name, value in _SQL_CONF.items():
            session.conf.set(name, value)
    _SESSIONS[key] = session
    return session


def _answers(master: str, timeout: float = 10.0) -> None:
    """Stop at once, in one line, when nothing listens at a spark:// or sc:// address (Spark
    itself retries for a minute or more and then reports a Java stack)."""
    hosts = re.sub(r"^(spark|sc)://", "", master).split("/")[0].split(",")
    failures = []
    for host in hosts:
        name, _, port = host.partition(":")
        try:
            socket.create_connection((name, int(port or 15002)), timeout=timeout).close()
            return
        except OSError as error:
            failures.append(f"{host}: {error.strerror or error}")
    raise CorridorsError(f"no Spark {'Connect server' if master.startswith('sc:') else 'master'} "
                         f"answers at {master} ({'; '.join(failures)}): start it, or check the "
                         "host, the port and the firewall")


def _start(builder, master: str):
    """``builder.getOrCreate()``, with a failure to reach the master said in one line."""
    try:
        return builder.getOrCreate()
    except Exception as error:  # py4j / pyspark errors: the JVM's first line says what failed
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CorridorsError(f"could not start Spark on {master}: {first}. Check that the master "
                             "is running and reachable (its web UI lists its workers).") from error


def _same_master(running: str | None, wanted: str | None) -> None:
    if wanted and running != wanted:
        raise CorridorsError(
            f"this process already runs Spark on {running} (spark-submit --master, or a session "
            f"already started), but the Spark master setting asks for {wanted}: unset "
            "CORRIDORS_SPARK_MASTER / drop --spark-master to use the running one")


def _connect_session(url: str, conf: dict[str, str]):
    try:
        from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError as error:
        raise CorridorsError(
            f"the Spark master {url} is a Spark Connect server, which needs the Connect client: "
            "pip install 'pyspark[connect]' (grpcio, grpcio-status, googleapis-common-protos, "
            "zstandard)") from error
    try:
        session = ConnectSession.builder.remote(url).getOrCreate()
        for name, value in {**_SQL_CONF, **conf}.items():
            session.conf.set(name, value)
        session.range(1).collect()  # reach the server now, not in the middle of an estimate
    except Exception as error:  # grpc errors carry pages of detail: keep the first line
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CorridorsError(f"could not reach the Spark Connect server {url}: {first}. Start it "
                             "with $SPARK_HOME/sbin/start-connect-server.sh (see docs/survey.md)"
                             ) from error
    return session


def engine_for(name: str | None = None, **options) -> Engine:
    """The engine named on the command line, else the one in settings (``CORRIDORS_ENGINE``)."""
    chosen = (name or settings().engine).lower()
    if chosen == "duckdb":
        return DuckDBEngine(options.get("con"))
    if chosen == "spark":
        return SparkEngine(options.get("session"))
    raise CorridorsError(f"unknown engine {name!r}: choose duckdb or spark")
