"""Profile answers over HTTP are the analytics' answers computed afresh (the API keeps each
edition's facts and provenance rows per store file and passes them on), and JSON is written the
same with or without NaN in the answer."""

from __future__ import annotations

import datetime
import json

from corridors.analytics.lenses import get_lens
from corridors.analytics.profiles import corridor_profile, country_profile
from corridors.api.respond import _plain, to_json


def _reference_json(data) -> bytes:
    """JSON as the API wrote it before: every value through _plain, then json.dumps."""
    return json.dumps(_plain(data), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_to_json_same_bytes_with_and_without_nan():
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, 6)
    plain = {"a": 0.1 + 0.2, "b": None, "c": [1, (2, 3)], "d": when, "e": datetime.date(2020, 1, 1),
             "f": "Côte d'Ivoire", "g": -0.0, "h": 1e300}
    assert to_json(plain) == _reference_json(plain)
    assert json.loads(to_json(plain))["d"] == "2026-01-02T03:04:05.000006+00:00"  # UTC, RFC 3339
    with_nan = {**plain, "nan": float("nan"), "inf": [float("inf"), {"x": -float("inf")}]}
    assert to_json(with_nan) == _reference_json(with_nan)
    assert json.loads(to_json(with_nan))["inf"] == [None, {"x": None}]


def _without_sources(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "sources"}


def _fresh(record: dict) -> dict:
    return json.loads(to_json({k: v for k, v in record.items() if k != "sources"}))


def test_country_profile_body_is_a_fresh_answer(client, store_con):
    for code, year, lens in (("KEN", 2020, "wb-lmic"), ("IND", 2000, "un-developing")):
        body = client.get(f"/api/v1/countries/{code}/profile",
                          params={"year": year, "lens": lens, "top": 300}).json()
        fresh = country_profile(store_con, code, year=year, lens=get_lens(lens), top=300)
        assert _without_sources(body) == _fresh(fresh.to_dict())
        assert {s["source_id"] for s in fresh.sources.to_dicts()} <= \
            {s["source_id"] for s in body["sources"]}


def test_corridor_profile_body_is_a_fresh_answer(client, store_con):
    for origin, destination, edition in (("IND", "ARE", None), ("BFA", "CIV", "ims2019"),
                                         ("SSD", "UGA", None)):
        params = {"edition": edition} if edition else {}
        body = client.get(f"/api/v1/corridors/{origin}/{destination}", params=params).json()
        fresh = corridor_profile(store_con, origin, destination, edition=edition)
        assert _without_sources(body) == _fresh(fresh.to_dict())
        assert body["shared_communities"] or (origin, destination) == ("IND", "ARE")


def test_to_json_writes_what_the_standard_library_writes_for_awkward_values():
    """orjson writes the answers; these values are where it could differ from ``json``."""
    east_africa = datetime.timezone(datetime.timedelta(hours=3))
    awkward = {2: "an integer key", None: "a null key", True: "a boolean key", 1.5: "a float key",
               "beyond 64 bits": 2**70, "lowest int64": -2**63, "subnormal": 5e-324,
               "aware time": datetime.datetime(2020, 1, 1, 12, 0, tzinfo=east_africa),
               "text": "a\x01b\u2028c\"\\/ 🌍 é", "tuples": ((1, 2), (3,)), "large": 1.5e16}
    assert to_json(awkward) == _reference_json(awkward)
    assert json.loads(to_json(awkward))["aware time"] == "2020-01-01T12:00:00+03:00"
    # the one difference: small numbers without an exponent (the same number)
    assert to_json({"share": 1e-05}) == b'{"share":0.00001}'
    assert json.loads(to_json({"share": 1e-05})) == json.loads(_reference_json({"share": 1e-05}))
