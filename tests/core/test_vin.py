"""VIN (车辆识别代号): 17 characters of the VIN alphabet, ISO 3779 check digit at position 9."""
from __future__ import annotations

import pytest

from portal.claims.vin import VinError, check_digit, validate_vin, with_check_digit

pytestmark = pytest.mark.no_db


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042788", "11111111111111111", "1HGCM82633A004352"])
def test_known_good_vins(vin):
    assert validate_vin(vin) == vin


def test_check_digit_x_for_remainder_ten():
    assert check_digit("1M8GDM9AXKP042788") == "X"


def test_lowercase_and_spaces_are_normalized():
    assert validate_vin(" 1m8gdm9axkp042788 ") == "1M8GDM9AXKP042788"


@pytest.mark.parametrize("vin, reason", [
    ("1M8GDM9AXKP04278", "17"),             # 16 characters
    ("1M8GDM9AXKP0427881", "17"),           # 18 characters
    ("1M8GDM9AXKP04278O", "alphabet"),      # O is not in the VIN alphabet
    ("IM8GDM9AXKP042788", "alphabet"),      # I
    ("1M8GDM9AXKQ042788", "alphabet"),      # Q
    ("1M8GDM9A1KP042788", "check"),         # wrong check digit
    ("", "17"),
])
def test_bad_vins(vin, reason):
    with pytest.raises(VinError) as exc:
        validate_vin(vin)
    assert {"17": "17 characters", "alphabet": "I, O and Q", "check": "check digit"}[reason] in str(exc.value)


def test_with_check_digit_makes_a_valid_vin():
    for stem in ("LSVAM4187N2183294", "LFV2A21K8P3047716", "WP1AB2920PLA31548"):
        vin = with_check_digit(stem)
        assert validate_vin(vin) == vin and vin[:8] == stem[:8] and vin[9:] == stem[9:]
