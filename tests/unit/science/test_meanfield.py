"""dltheory.science.meanfield: reference values (docs/phase_diagram.md), identities, limits, and the quad reference."""

import numpy as np
import pytest

from dltheory.science import meanfield, reference


def test_reference_values_tanh():
    # Known answer (docs/phase_diagram.md): critical σ_w² = 1.7610 at σ_b² = 0.05 with q* ≈ 0.570.
    sigma_w2, q = meanfield.critical_line(0.05)
    assert sigma_w2 == pytest.approx(1.7610, abs=1e-4)
    assert q == pytest.approx(0.570, abs=1e-3)
    scales = meanfield.depth_scales(np.array([1.5, 3.0]), 0.05)
    assert scales.xi_c[0] == pytest.approx(15.8, abs=0.05)
    assert scales.xi_c[1] == pytest.approx(9.05, abs=0.01)
    assert scales.c_star[1] == pytest.approx(0.299, abs=1e-3)
    assert scales.c_star[0] == 1.0  # ordered phase


def test_fixed_points_are_fixed():
    sw, sb = np.meshgrid([0.8, 1.5, 2.5, 4.0], [0.0, 0.05, 0.3], indexing="ij")
    s = meanfield.depth_scales(sw, sb)
    assert s.q_star.shape == sw.shape
    np.testing.assert_allclose(meanfield.q_map(s.q_star, sw, sb), s.q_star, atol=1e-13)
    q, c = meanfield.propagate(s.q_star, s.c_star, sw, sb, depth=3)
    np.testing.assert_allclose(q[-1], s.q_star, atol=1e-12)
    np.testing.assert_allclose(c[-1][sb > 0], s.c_star[sb > 0], atol=1e-10)


def test_chi_c_is_the_slope_of_the_c_map_at_c_star():
    act = meanfield.get_activation("tanh")
    sw = np.array([2.0, 2.5, 3.0, 4.0])
    s = meanfield.depth_scales(sw, 0.05)
    assert np.all(s.c_star < 1)

    def c_map(c):
        return (sw * act.pair_moments(s.q_star, c)[0] + 0.05) / s.q_star

    h = 1e-5
    slope = (c_map(s.c_star + h) - c_map(s.c_star - h)) / (2 * h)
    np.testing.assert_allclose(s.chi_c, slope, rtol=1e-7)


def test_ordered_phase_uses_chi_1():
    s = meanfield.depth_scales(np.array([1.0, 1.3]), 0.05)
    np.testing.assert_array_equal(s.c_star, 1.0)
    np.testing.assert_allclose(s.xi_c, -1 / np.log(s.chi_1))


@pytest.mark.parametrize("sigma_w2, sigma_b2", [(1.5, 0.05), (3.0, 0.05), (2.5, 0.2), (4.0, 0.3)])
def test_agrees_with_quad_reference(sigma_w2, sigma_b2):
    s = meanfield.depth_scales(sigma_w2, sigma_b2)
    assert s.q_star == pytest.approx(reference.q_star(sigma_w2, sigma_b2), abs=1e-10)
    assert s.chi_1 == pytest.approx(reference.chi_1(sigma_w2, sigma_b2), abs=1e-10)
    assert s.c_star == pytest.approx(reference.c_star(sigma_w2, sigma_b2), abs=1e-8)
    assert s.xi_c == pytest.approx(reference.xi_c(sigma_w2, sigma_b2), rel=1e-8)


@pytest.mark.parametrize("sigma_b2", [0.01, 0.05, 0.3])
def test_critical_line_agrees_with_quad_reference(sigma_b2):
    assert meanfield.critical_line(sigma_b2)[0] == pytest.approx(reference.critical_sigma_w2(sigma_b2), abs=1e-8)


def test_critical_line_tends_to_one_as_bias_vanishes():
    sigma_b2 = np.array([1e-3, 1e-6, 1e-9, 1e-12])
    sigma_w2, _ = meanfield.critical_line(sigma_b2)
    gap = sigma_w2 - 1.0
    assert np.all(np.diff(gap) < 0) and gap[-1] < 1e-3
    # Near the origin σ_b² ≈ (σ_w² − 1)³/6 (docs/phase_diagram.md).
    np.testing.assert_allclose(gap[1:], np.cbrt(6 * sigma_b2[1:]), rtol=0.02)
    assert meanfield.critical_line(0.0)[0] == pytest.approx(1.0, abs=1e-14)
    # Points of the line are critical: χ_1 = 1 there.
    sw, sb = meanfield.critical_line(np.array([0.01, 0.1, 0.3]))[0], np.array([0.01, 0.1, 0.3])
    np.testing.assert_allclose(meanfield.depth_scales(sw, sb).chi_1, 1.0, atol=1e-9)


def test_relu_critical_point_and_closed_forms():
    sigma_w2, q = meanfield.critical_line(np.array([0.0, 0.05]), "relu")
    assert sigma_w2[0] == 2.0 and q[0] == 0.0
    assert np.isnan(sigma_w2[1])  # no critical line above σ_b² = 0
    s = meanfield.depth_scales(np.array([1.0, 1.5, 3.0]), 0.05, "relu")
    np.testing.assert_allclose(s.chi_1, [0.5, 0.75, 1.5])
    np.testing.assert_allclose(s.q_star[:2], 0.05 / (1 - np.array([1.0, 1.5]) / 2))
    assert np.isinf(s.q_star[2])  # chaotic ReLU: no finite q*
    # Closed-form arc-cosine moments agree with brute-force quadrature of the same φ.
    relu, generic = meanfield.ReLU(), meanfield.Activation(4001)
    generic.phi_and_dphi = relu.phi_and_dphi
    q, c = np.array([0.3, 1.0, 2.0]), np.array([-0.5, 0.2, 0.9])
    for closed, brute in zip(relu.pair_moments(q, c), generic.pair_moments(q, c)):
        np.testing.assert_allclose(closed, brute, atol=2e-3)


def test_unknown_activation_is_an_error():
    with pytest.raises(ValueError, match="unknown activation 'sigmoid'"):
        meanfield.get_activation("sigmoid")
