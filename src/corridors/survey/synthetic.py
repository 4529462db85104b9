"""Synthetic labour-force-survey microdata for benchmarks and demonstrations (never for statistics).

The design looks like a national LFS: strata (region x urban/rural), PSUs of about 40 persons drawn
within strata, design weights that vary by PSU, and persons with sex, age, education and
labour-force status. With ``households`` it is a two-stage sample: PSUs drawn from N_h areas of
their stratum (``fpc1``), then households (``ssu``, all their persons) from the M households of
the area (``fpc2``), and the weight is the product of the inverse sampling fractions.

The migrant part follows UN DESA's International Migrant Stock 2020 for the chosen country: the
foreign-born share (stock / population) and, for each sex, the countries of origin in proportion
to the bilateral stocks. Migrants cluster in some PSUs (a gamma-distributed PSU rate), as they do
in real samples, which is what makes design-based SEs matter.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

IMS_LONG = Path("un-desa/ims2020/derived/ims2020_bilateral_by_sex_long.csv")


@dataclass(frozen=True)
class Origins:
    """Foreign-born stock of one destination in one year, by sex and origin (persons)."""

    iso3: str
    year: int
    by_sex: dict[str, dict[str, float]]  # 'female' | 'male' -> origin ISO3 -> persons

    def total(self) -> float:
        return sum(sum(v.values()) for v in self.by_sex.values())


def ims_origins(mirror: Path, iso3: str, year: int = 2020) -> Origins:
    """Bilateral stocks into ``iso3`` from the IMS 2020 long file in the mirror."""
    path = Path(mirror) / IMS_LONG
    by_sex: dict[str, dict[str, float]] = {"female": {}, "male": {}}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["to"] == iso3 and int(row["t"]) == year and row["v"]:
                by_sex[row["sex"].lower()][row["from"]] = float(row["v"])
    if not any(by_sex.values()):
        raise ValueError(f"{path}: no rows for destination {iso3} in {year}")
    return Origins(iso3, year, by_sex)


def generate(persons: int, origins: Origins, population: float, path: Path, *,
             strata: int = 200, psu_size: int = 40, seed: int = 2020,
             chunk: int = 2_000_000, households: int | None = None) -> Path:
    """Write ``persons`` synthetic LFS records to a Parquet file and return its path.

    Columns: stratum, psu, region (1-20), urban (0/1), weight, sex (1 male, 2 female), age,
    education (1-4), birth_iso3 (home ISO3 for the native-born), status (1 employed,
    2 unemployed, 3 outside the labour force, 0 under 15), earnings (monthly, employed only).
    With ``households`` (persons per household, a divisor of ``psu_size``) also ssu (household,
    numbered across the file), fpc1 (areas in the stratum) and fpc2 (households in the area), and
    migrants cluster in households too (most persons share their household's draw).
    """
    rng = np.random.default_rng(seed)
    share = origins.total() / population
    female_share = sum(origins.by_sex["female"].values()) / origins.total()
    tables = {}
    for sex_name in ("female", "male"):
        codes = sorted(origins.by_sex[sex_name])
        weights = np.array([origins.by_sex[sex_name][c] for c in codes])
        tables[sex_name] = (np.array(codes), weights / weights.sum())
    psus = max(persons // psu_size, strata * 2)
    psu_stratum = np.sort(rng.integers(0, strata, psus))
    psu_stratum[: strata * 2] = np.repeat(np.arange(strata), 2)  # >= 2 PSUs in every stratum
    psu_stratum.sort()
    psu_weight = population / persons * rng.lognormal(0.0, 0.35, psus)
    if households:
        fpc1, fpc2, psu_weight = _two_stage(rng, persons, population, psus, psu_stratum, strata,
                                            psu_size, households)
        household_draw = rng.random(-(-persons // households))
    # migrants cluster: PSU rate ~ Gamma with mean = the national share
    psu_rate = np.clip(rng.gamma(0.6, share / 0.6, psus), 0, 0.9)
    writer = None
    path = Path(path)
    done = 0
    try:
        while done < persons:
            size = min(chunk, persons - done)
            psu = np.minimum((np.arange(done, done + size) // psu_size), psus - 1)
            draw = rng.random(size)
            if households:
                ssu = np.arange(done, done + size) // households
                draw = np.where(rng.random(size) < 0.7, household_draw[ssu], draw)
            migrant = draw < psu_rate[psu]
            female_p = np.where(migrant, female_share, 0.51)
            sex = np.where(rng.random(size) < female_p, 2, 1).astype(np.int8)
            age = np.where(migrant, rng.normal(38, 15, size), rng.gamma(2.2, 16, size))
            age = np.clip(age, 0, 99).astype(np.int16)
            birth = np.full(size, origins.iso3, dtype=object)
            for code, sex_name in ((2, "female"), (1, "male")):
                chosen = migrant & (sex == code)
                names, probs = tables[sex_name]
                birth[chosen] = rng.choice(names, int(chosen.sum()), p=probs)
            education = rng.choice(np.arange(1, 5, dtype=np.int8), size, p=[0.2, 0.35, 0.3, 0.15])
            lfp = np.where(sex == 1, 0.72, 0.52) + np.where(migrant, 0.08, 0.0)
            active = rng.random(size) < lfp
            unemployed = active & (rng.random(size) < np.where(migrant, 0.11, 0.08))
            status = np.where(age < 15, 0, np.where(~active, 3, np.where(unemployed, 2, 1)))
            stratum = psu_stratum[psu]
            # monthly earnings of the employed (rounded to 10, so values tie); migrants earn less
            earnings = np.round(rng.lognormal(np.where(migrant, 6.8, 6.9), 0.6, size), -1)
            columns = {
                "stratum": pa.array(stratum.astype(np.int32)),
                "psu": pa.array(psu.astype(np.int32)),
                "region": pa.array((stratum % 20 + 1).astype(np.int8)),
                "urban": pa.array((stratum // 20 % 2).astype(np.int8)),
                "weight": pa.array(psu_weight[psu]),
                "sex": pa.array(sex),
                "age": pa.array(age),
                "education": pa.array(education),
                "birth_iso3": pa.array(birth.astype(str)).dictionary_encode(),
                "status": pa.array(status.astype(np.int8)),
                "earnings": pa.array(earnings, mask=status != 1),
            }
            if households:
                columns.update(ssu=pa.array(ssu.astype(np.int32)), fpc1=pa.array(fpc1[psu]),
                               fpc2=pa.array(fpc2[psu]))
            table = pa.table(columns)
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema, compression="zstd")
            writer.write_table(table, row_group_size=500_000)
            done += size
    finally:
        if writer is not None:
            writer.close()
    return path


def _two_stage(rng: np.random.Generator, persons: int, population: float, psus: int,
               psu_stratum: np.ndarray, strata: int, psu_size: int,
               households: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per PSU: areas in its stratum (N_h), households in the area (M) and the weight
    N_h/n_h * M/m, so that the weights add up to about ``population``."""
    if psu_size % households:
        raise ValueError(f"households ({households}) must divide psu_size ({psu_size})")
    overall = min(persons / population, 1.0)  # sampling fraction of persons, split over 2 stages
    n_h = np.bincount(psu_stratum, minlength=strata)
    f1 = np.clip(np.sqrt(overall) * rng.lognormal(0.0, 0.3, strata), 1e-4, 1.0)
    big_n = np.maximum(np.ceil(n_h / f1), n_h)  # areas in each stratum
    # households sampled in each PSU (the last PSU also takes the persons left over)
    m = np.bincount(np.minimum(np.arange(-(-persons // households)) * households // psu_size,
                                psus - 1), minlength=psus).astype(float)
    f2 = np.clip(overall / (n_h / big_n)[psu_stratum] * rng.lognormal(0.0, 0.3, psus), 1e-4, 1.0)
    big_m = np.maximum(np.ceil(m / f2), m)  # households in each area
    fpc1 = big_n[psu_stratum].astype(float)
    return fpc1, big_m, fpc1 / n_h[psu_stratum] * big_m / m


MAPPING = """\
# Mapping for the synthetic LFS written by corridors.survey.synthetic.generate
survey: {{id: synthetic-lfs-{iso3}, title: Synthetic LFS ({iso3}), country: {iso3}, year: 2020}}
design: {{weight: weight, strata: stratum, psu: psu}}
variables:
  sex: {{column: sex, map: {{1: male, 2: female}}}}
  age: age
  birth_country: birth_iso3
  labour_status: {{column: status, map: {{0: null, 1: employed, 2: unemployed, 3: outside}}}}
  education: {{column: education, map: {{1: less than primary, 2: primary, 3: secondary,
                                       4: tertiary}}}}
  monthly_earnings: earnings
reliability: {{suppress: false}}
"""


TWO_STAGE = ("design: {weight: weight, strata: stratum, stages: [{psu: psu, fpc: fpc1}, "
             "{psu: ssu, fpc: fpc2}]}")


def write_mapping(path: Path, iso3: str, *, two_stage: bool = False) -> Path:
    """The mapping file that reads a generated file (``two_stage``: one made with households)."""
    text = MAPPING.format(iso3=iso3)
    if two_stage:
        text = text.replace("design: {weight: weight, strata: stratum, psu: psu}", TWO_STAGE)
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)
