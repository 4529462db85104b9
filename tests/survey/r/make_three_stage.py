"""Write three_stage.csv: a constructed three-stage stratified sample (households in areas in
districts), with the cases R's survey package treats specially. Run once; the CSV is committed.

Stage 1: 6 district strata (``region``), n_h of N_h districts (``fpc1``); region F has one sampled
district (a lonely PSU), region E has every district sampled (certainty by its fpc).
Stage 2: areas within each district, in two area strata (``zone``: urban/rural), m of M areas
(``fpc2``); some zones have one sampled area out of several (lonely at stage 2), some one of one.
Stage 3: households (rows) within each area, k of K (``fpc3``). ``w`` is the product of the
inverse sampling fractions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def build(seed: int = 20261205) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    regions = {"A": (3, 12), "B": (3, 20), "C": (2, 9), "D": (4, 30), "E": (2, 2), "F": (1, 7)}
    rows = []
    district = 0
    for region, (n_h, big_n) in regions.items():
        level = rng.normal(50, 10)
        for _ in range(n_h):
            district += 1
            d_effect = rng.normal(0, 6)
            for zone in ("urban", "rural"):
                big_m = int(rng.integers(1, 12))
                m = 1 if big_m == 1 or (district % 4 == 0 and zone == "rural") else 2
                for area in range(m):
                    a_effect = rng.normal(0, 4)
                    big_k = int(rng.integers(15, 60))
                    k = int(rng.integers(2, 6))
                    for _hh in range(k):
                        female = int(rng.random() < 0.5)
                        y = level + d_effect + a_effect + 3 * female + rng.normal(0, 8)
                        rows.append({
                            "region": region, "district": district, "zone": zone,
                            "area": f"{district}-{zone[0]}{area + 1}",
                            "fpc1": big_n, "fpc2": big_m, "fpc3": big_k,
                            "w": round(big_n / n_h * big_m / m * big_k / k, 6),
                            "sex": "female" if female else "male",
                            "income": round(y, 3),
                            "poor": int(y < 45),
                            "size": int(rng.integers(1, 7)),
                        })
    return pd.DataFrame(rows)


if __name__ == "__main__":
    frame = build()
    frame.to_csv(HERE / "three_stage.csv", index=False)
    print(len(frame), "rows")
