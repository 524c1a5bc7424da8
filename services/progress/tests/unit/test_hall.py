"""The Hall model against values computed by independent routes: the steady state solved
algebraically on the Forbes curve (no ODE), and the Lancet 2011 rules of thumb."""

from __future__ import annotations

import math

import pytest

from progress.domain import hall

REFERENCE = hall.Person(sex="male", age=40, height_m=1.75, weight_kg=90.0)


def steady_state_weight(b: hall.Baseline, d_ei: float) -> float:
    """Equilibrium of the model by algebra: glycogen at sqrt(CI/k_G), ECF displaced by the
    carbohydrate term, AT = beta_AT dEI, and F, L on the Forbes curve L = L0 + 10.4 ln(F/F0);
    the fat mass that balances intake and expenditure is found by bisection."""
    carbs = hall.CARB_FRACTION * (b.intake + d_ei)
    gly = math.sqrt(carbs / b.k_glycogen)
    ecf = b.ecf - hall.XI_CI * (1 - carbs / b.carb_intake) / hall.XI_NA

    def weight(fat: float) -> float:
        lean = b.lean + hall.FORBES_C_KG * math.log(fat / b.fat)
        return fat + lean + hall.GLYCOGEN_WATER_FACTOR * gly + ecf

    def surplus(fat: float) -> float:
        lean = b.lean + hall.FORBES_C_KG * math.log(fat / b.fat)
        ee = (
            b.k
            + hall.GAMMA_F * fat
            + hall.GAMMA_L * lean
            + b.delta * weight(fat)
            + (hall.BETA_TEF + hall.BETA_AT) * d_ei
        )
        return b.intake + d_ei - ee

    lo, hi = 1.0, 200.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if surplus(mid) > 0:
            lo = mid
        else:
            hi = mid
    return weight((lo + hi) / 2)


def test_constants_match_the_paper_in_kcal() -> None:
    assert pytest.approx(9440.7, abs=0.1) == hall.RHO_F
    assert pytest.approx(1816.4, abs=0.1) == hall.RHO_L
    assert pytest.approx(4206.5, abs=0.1) == hall.RHO_G
    assert pytest.approx(3.107, abs=0.001) == hall.GAMMA_F
    assert pytest.approx(21.989, abs=0.001) == hall.GAMMA_L
    assert pytest.approx(179.25, abs=0.01) == hall.ETA_F
    assert pytest.approx(229.45, abs=0.01) == hall.ETA_L


def test_mifflin_and_jackson_reference_values() -> None:
    # Mifflin 1990: 10 W + 6.25 H(cm) - 5 A + 5 -> 90 kg, 175 cm, 40 y man ~ 1,799 kcal.
    assert hall.mifflin_rmr("male", weight_kg=90, height_m=1.75, age=40) == pytest.approx(1801.05)
    # Jackson 2002 at BMI 25, 40 y: men 0.14*40 + 37.31 ln 25 - 103.94 = 21.76 %.
    assert hall.jackson_fat_pct("male", age=40, bmi=25) == pytest.approx(21.76, abs=0.01)
    assert hall.jackson_fat_pct("female", age=40, bmi=25) == pytest.approx(32.22, abs=0.01)


def test_baseline_is_in_balance() -> None:
    b = hall.baseline(REFERENCE, pal=1.6)
    traj = hall.simulate(b, intake_change=0, days=365)
    assert traj.weight[0] == pytest.approx(90.0)
    assert max(abs(w - 90.0) for w in traj.weight) < 1e-9


@pytest.mark.parametrize("d_ei", [-500.0, -240.0, 240.0])
def test_long_run_converges_to_the_algebraic_steady_state(d_ei: float) -> None:
    b = hall.baseline(REFERENCE, pal=1.6)
    ten_years = hall.simulate(b, intake_change=d_ei, days=3650).weight[-1]
    assert ten_years == pytest.approx(steady_state_weight(b, d_ei), abs=0.05)


def test_lancet_rule_of_thumb_24_kcal_per_kg_half_in_a_year() -> None:
    """Hall 2011: each 24 kcal/day (100 kJ) change -> ~1 kg eventual change, half of it reached
    in about one year and 95 % in about three years (for an average overweight adult)."""
    b = hall.baseline(REFERENCE, pal=1.6)
    d_ei = -240.0
    eventual = steady_state_weight(b, d_ei) - REFERENCE.weight_kg
    assert -d_ei / -eventual == pytest.approx(24, rel=0.15)
    w = hall.simulate(b, intake_change=d_ei, days=1095).weight
    one_year = (w[365] - w[0]) / eventual
    three_years = (w[1095] - w[0]) / eventual
    assert 0.45 <= one_year <= 0.7
    assert three_years == pytest.approx(0.95, abs=0.03)


def test_glycogen_and_fluid_give_the_fast_early_drop() -> None:
    """A cut in (carbohydrate-containing) intake empties glycogen with its water and lowers ECF
    within days: the first week loses more than the tissue energy alone explains."""
    b = hall.baseline(REFERENCE, pal=1.6)
    traj = hall.simulate(b, intake_change=-500, days=7)
    tissue = (traj.fat[0] - traj.fat[7]) + (traj.lean[0] - traj.lean[7])
    total = traj.weight[0] - traj.weight[7]
    assert total - tissue > 0.3  # glycogen water + ECF: about 0.45 kg for this cut


def test_more_fat_means_less_lean_lost() -> None:
    lean_share = []
    for fat_pct in (15.0, 40.0):
        person = hall.Person("female", 35, 1.65, 80.0, fat_pct=fat_pct)
        traj = hall.simulate(hall.baseline(person, pal=1.5), intake_change=-500, days=180)
        lean_share.append((traj.lean[0] - traj.lean[-1]) / (traj.weight[0] - traj.weight[-1]))
    assert lean_share[0] > lean_share[1]


def test_measured_maintenance_sets_the_baseline() -> None:
    b = hall.baseline(REFERENCE, pal=1.6, intake=2600.0)
    assert b.intake == 2600.0
    assert b.pal == pytest.approx(2600.0 / b.rmr)
    assert hall.simulate(b, intake_change=0, days=30).weight[-1] == pytest.approx(90.0)
