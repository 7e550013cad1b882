"""dltheory.science.max_margin against known answers: the max-margin direction of the paper's support
vectors, the summed logistic loss's gradient against finite differences, monotone descent below
the smoothness bound, GD's direction converging to the QP's, the five optimizers against
PyTorch's, and the limit w̃ of w(t) − ŵ ln t against a long GD run."""

import numpy as np
import pytest
import torch

from dltheory.science.max_margin import (
    OPTIMIZERS,
    NotSeparable,
    angle_gap,
    direction_distance,
    log_loss_from_margins,
    logistic_gradient,
    logistic_loss,
    margin_gap,
    max_margin,
    mirrored_dataset,
    residual_limit,
    sigma_max,
    smoothness_step_bound,
    step_grid,
    step_size,
    train,
)

PAPER_SV = [(0.5, 1.5), (1.5, 0.5)]


def paper_support_vectors():
    sv = np.array(PAPER_SV)
    return np.vstack([sv, -sv]), np.array([1.0, 1.0, -1.0, -1.0])


def test_max_margin_of_the_papers_four_support_vectors_is_half_half():
    X, y = paper_support_vectors()
    w_hat = max_margin(X, y)
    np.testing.assert_allclose(w_hat, [0.5, 0.5], atol=1e-12)
    assert 1 / np.linalg.norm(w_hat) == pytest.approx(np.sqrt(2))  # the paper's margin √2


def test_max_margin_matches_a_near_hard_margin_svm():
    """scikit-learn's SVC with a huge C, on data symmetric under x -> -x (so its intercept is 0)."""
    from sklearn.svm import SVC

    X, y = mirrored_dataset([(1.0, 0.2), (0.3, 1.0)], 6, (1.5, 2.0), 1.5, seed=3)
    svc = SVC(kernel="linear", C=1e8, tol=1e-10).fit(np.vstack([X, -X]), np.concatenate([y, -y]))
    np.testing.assert_allclose(max_margin(X, y), svc.coef_[0], rtol=1e-5)
    assert abs(svc.intercept_[0]) < 1e-6


def test_extra_points_leave_the_support_vectors_max_margin_unchanged():
    X, y = mirrored_dataset([(1.0, 0.2), (0.3, 1.0)], 6, (1.5, 2.0), 1.5, seed=0)
    sv_X, sv_y = X[:4], y[:4]
    np.testing.assert_allclose(max_margin(X, y), np.linalg.solve(np.array([[1.0, 0.2], [0.3, 1.0]]), [1.0, 1.0]), atol=1e-12)
    margins = (y[:, None] * X) @ max_margin(sv_X, sv_y)
    assert np.all(margins[4:] >= 1.5 - 1e-12) and np.all(margins[4:] <= 2.0 + 1e-12)
    assert len(y) == 16 and (y == 1).sum() == 8


def test_non_separable_data_is_refused():
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(NotSeparable):
        max_margin(X, np.array([1.0, 1.0, -1.0]))
    with pytest.raises(NotSeparable):
        mirrored_dataset([(1.0, 0.0), (-1.0, 0.0)], 2, (1.5, 2.0), 1.0, 0)


def test_gradient_of_the_summed_loss_matches_finite_differences():
    X, y = mirrored_dataset(PAPER_SV, 6, (1.5, 2.0), 1.5, seed=0)
    rng = np.random.default_rng(0)
    for w in rng.normal(size=(5, 2)):
        h = 1e-6
        numeric = [(logistic_loss(w + h * e, X, y) - logistic_loss(w - h * e, X, y)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(logistic_gradient(w, X, y), numeric, rtol=1e-7, atol=1e-9)


def test_loss_is_a_sum_not_a_mean():
    X, y = paper_support_vectors()
    assert logistic_loss(np.zeros(2), X, y) == pytest.approx(4 * np.log(2))


def test_log_loss_is_exact_for_moderate_margins_and_finite_when_the_loss_underflows():
    margins = np.array([[0.5, 3.0, 20.0], [800.0, 801.0, 900.0]])
    assert log_loss_from_margins(margins[0]) == pytest.approx(np.log(np.log1p(np.exp(-margins[0])).sum()), rel=1e-13)
    assert np.log1p(np.exp(-margins[1])).sum() == 0.0  # the loss itself underflows
    assert log_loss_from_margins(margins[1]) == pytest.approx(-800 + np.log1p(np.exp(-1.0) + np.exp(-100.0)), rel=1e-13)


def test_gd_loss_decreases_monotonically_below_the_smoothness_bound():
    X, y = mirrored_dataset(PAPER_SV, 6, (1.5, 2.0), 1.5, seed=0)
    eta = 0.99 * smoothness_step_bound(X)
    assert smoothness_step_bound(X) == pytest.approx(8 / np.linalg.svd(X, compute_uv=False)[0] ** 2)
    w, losses = np.zeros(2), []
    for _ in range(3000):
        w = w - eta * logistic_gradient(w, X, y)
        losses.append(logistic_loss(w, X, y))
    assert np.all(np.diff(losses) < 0)


def test_gd_direction_converges_to_the_qp_direction_on_a_tiny_problem():
    """Two points, not symmetric: the gap shrinks decade after decade, towards the QP's ŵ."""
    X, y = np.array([[1.0, 0.2], [0.3, 1.0]]), np.array([1.0, 1.0])
    record = step_grid(10**5, 1)
    run = train([y[:, None] * X], [1 / sigma_max(X)], record)
    distance = direction_distance(run.w[0, 0], max_margin(X, y))
    assert np.all(np.diff(distance[2:]) < 0) and distance[-1] < 0.02


def test_batched_optimizers_match_pytorch_and_padding_changes_nothing():
    """GD, the three forms of momentum and Adam of train() against torch.optim on autograd's
    gradient: torch's SGD momentum (v ← γv + g, w ← w − ηv) is the heavy ball v' = −ηv; with
    dampening 1 − γ it is the running average; on the mean loss, heavy ball on the mean. A dataset
    trained beside a larger one (so padded with x = 0) follows the same path as alone. (torch's
    dampening leaves the first step undamped, so the running average is written out by hand.)"""
    small = mirrored_dataset(PAPER_SV, 2, (1.5, 2.0), 1.5, seed=0)
    large = mirrored_dataset([(1.0, 0.2), (0.3, 1.0)], 6, (1.5, 2.0), 1.5, seed=0)
    Xys = [y[:, None] * X for X, y in (small, large)]
    etas = [0.1, 0.05]
    record = np.array([1, 7, 50, 300])
    run = train(Xys, etas, record, momentum=0.9, adam_betas=(0.9, 0.999), adam_eps=1e-8)
    assert OPTIMIZERS == ("gd", "momentum", "momentum_average", "momentum_mean", "adam")
    for k, (Xy, eta) in enumerate(zip(Xys, etas)):
        data = torch.tensor(Xy, dtype=torch.float64)
        for j, (make, reduce) in enumerate(
            [
                (lambda p: torch.optim.SGD([p], lr=eta), torch.sum),
                (lambda p: torch.optim.SGD([p], lr=eta, momentum=0.9), torch.sum),
                (lambda p: RunningAverage([p], eta, 0.9), torch.sum),
                (lambda p: torch.optim.SGD([p], lr=eta, momentum=0.9), torch.mean),
                (lambda p: torch.optim.Adam([p], lr=eta, betas=(0.9, 0.999), eps=1e-8), torch.sum),
            ]
        ):
            w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
            opt, path = make(w), []
            for t in range(1, record[-1] + 1):
                opt.zero_grad()
                reduce(torch.nn.functional.softplus(-(data @ w))).backward()
                opt.step()
                if t in record:
                    path.append(w.detach().numpy().copy())
            np.testing.assert_allclose(run.w[k, j], path, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(run.log_loss[k], np.log(np.logaddexp(0, -(run.w[k] @ Xy.T)).sum(-1)), rtol=1e-12)
    alone = train(Xys[:1], etas[:1], record)
    np.testing.assert_array_equal(alone.w[0], run.w[0])


class RunningAverage(torch.optim.Optimizer):
    """v ← γv + (1 − γ)g, w ← w − ηv, from v = 0."""

    def __init__(self, params, lr, momentum):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                v = self.state[p].setdefault("v", torch.zeros_like(p))
                v.mul_(group["momentum"]).add_(p.grad, alpha=1 - group["momentum"])
                p.sub_(group["lr"] * v)


def test_scaled_dataset_is_the_same_points_stretched_with_its_own_max_margin():
    """The paper's ADAM data: x₂ × 20, the same points stretched; its ŵ (against a near-hard-margin
    SVM) is not the unscaled ŵ / scale: stretching moves the max-margin direction."""
    from sklearn.svm import SVC

    X, y = mirrored_dataset(PAPER_SV, 6, (1.5, 2.0), 1.5, seed=0)
    Xs, ys = mirrored_dataset(PAPER_SV, 6, (1.5, 2.0), 1.5, seed=0, scale=(1, 20))
    np.testing.assert_array_equal(Xs, X * [1, 20])
    np.testing.assert_array_equal(ys, y)
    svc = SVC(kernel="linear", C=1e8, tol=1e-10).fit(np.vstack([Xs, -Xs]), np.concatenate([ys, -ys]))
    np.testing.assert_allclose(max_margin(Xs, ys), svc.coef_[0], rtol=1e-5)
    assert angle_gap(max_margin(Xs, ys), np.array([0.5, 0.5 / 20])) > 0.1


def test_step_size_settings():
    X, _ = mirrored_dataset(PAPER_SV, 6, (1.5, 2.0), 1.5, seed=0)
    smax = np.linalg.svd(X, compute_uv=False)[0]
    assert step_size("inverse_sigma_max", X) == pytest.approx(1 / smax)
    assert step_size("half_step_bound", X) == pytest.approx(4 / smax**2)
    assert step_size(0.25, X) == 0.25


def test_residual_limit_is_where_w_minus_w_hat_ln_t_goes():
    """Theorem 3: ρ(t) = w(t) − ŵ ln t → w̃, η exp(−xₙᵀw̃) = αₙ on the support vectors; a GD run of
    10⁵ steps (4 support vectors only: no slow non-support terms) lands within 1e-3 of w̃."""
    sv = np.array([(1.0, 0.2), (0.3, 1.0)])
    X, y = np.vstack([sv, -sv]), np.array([1.0, 1.0, -1.0, -1.0])
    w_hat, eta = max_margin(X, y), 1 / sigma_max(X)
    w_tilde = residual_limit(X, y, w_hat, eta)
    # the condition itself: η e^{−xᵀw̃} are the dual coefficients α of ŵ = Σ α y x (pairs share theirs)
    alpha = eta * np.exp(-(y[:, None] * X) @ w_tilde)
    np.testing.assert_allclose((alpha[:, None] * y[:, None] * X).sum(0), w_hat, rtol=1e-12)
    run = train([y[:, None] * X], [eta], np.array([10**5]))
    np.testing.assert_allclose(run.w[0, 0, -1] - w_hat * np.log(10**5), w_tilde, atol=1e-3)


def test_gaps_of_known_directions():
    w_hat = np.array([0.5, 0.5])
    Xy = np.array([[0.5, 1.5], [1.5, 0.5]])
    assert angle_gap(np.array([3.0, 3.0]), w_hat) == pytest.approx(0, abs=1e-15)
    assert angle_gap(np.array([1.0, 0.0]), w_hat) == pytest.approx(1 - np.cos(np.pi / 4))
    assert direction_distance(np.array([1.0, 0.0]), w_hat) == pytest.approx(np.sqrt(2 * (1 - np.cos(np.pi / 4))))
    assert margin_gap(np.array([2.0, 2.0]), Xy, w_hat) == pytest.approx(0, abs=1e-15)
    # w = (1, 0): geometric margin min(0.5, 1.5) = 0.5 against the max margin √2
    assert margin_gap(np.array([1.0, 0.0]), Xy, w_hat) == pytest.approx(1 - 0.5 / np.sqrt(2))


def test_step_grid_is_log_spaced_and_ends_at_the_last_step():
    grid = step_grid(10**6, 20)
    assert grid[0] == 1 and grid[-1] == 10**6 and np.all(np.diff(grid) > 0)
    assert 100 <= len(grid) <= 121


def test_the_literal_heavy_ball_freezes_in_80_bit_floats_too():
    """The paper's data, heavy ball γ = 0.9 on the summed loss at η = 1/σ_max: train() overshoots to
    ‖w‖ ≈ 20 by t = 100 and its angle gap then stays at 3.2e-3. An independent long-double loop
    (64-bit mantissa) follows the same path: the freeze is the dynamics, not rounding."""
    X, y = mirrored_dataset(PAPER_SV, 6, (1.5, 2.0), 1.5, seed=0)
    w_hat, eta = max_margin(X, y), 1 / sigma_max(X)
    record = np.array([100, 3000])
    run = train([y[:, None] * X], [eta], record).w[0, OPTIMIZERS.index("momentum")]
    Xy, w, v, path = (y[:, None] * X).astype(np.longdouble), np.zeros(2, np.longdouble), np.zeros(2, np.longdouble), []
    for t in range(1, record[-1] + 1):
        v = np.longdouble(0.9) * v + np.longdouble(eta) * (1 / (1 + np.exp(Xy @ w))) @ Xy
        w = w + v
        if t in record:
            path.append(w.copy())
    np.testing.assert_allclose(run, np.array(path, dtype=float), rtol=1e-10)
    gaps = angle_gap(run, w_hat)
    assert np.linalg.norm(run[0]) > 19 and gaps[0] == pytest.approx(3.21e-3, rel=0.01) and gaps[1] == pytest.approx(gaps[0], rel=1e-5)
