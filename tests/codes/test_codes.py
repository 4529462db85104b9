"""corridors.codes.codes_for: the one rule for a list of countries as users write them."""

from __future__ import annotations

import pytest

from corridors import codes


def test_codes_for_reads_a_list_and_names_the_first_unknown_country():
    assert codes.codes_for(["kor", 404, "Côte d'Ivoire", "BR"]) == ["KOR", "KEN", "CIV", "BRA"]
    with pytest.raises(ValueError, match=r"unknown country 'Narnia' \(use ISO3 codes, e\.g\. KOR\)"):
        codes.codes_for(["KEN", "Narnia", "Atlantis"], example="KOR")
    with pytest.raises(ValueError, match=r"\(use ISO3 codes\)$"):
        codes.codes_for(["Atlantis"])
