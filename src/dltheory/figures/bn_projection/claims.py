"""bn_projection's analysis and claims: the BatchNorm identities, exact at eps = 0, and their
consequences in trained networks.

Every number is deterministic (fixed draws, float64): each claim is one value against its
tolerance, pass or fail. The identities are exact; the tolerances are ours, set by float64
rounding (about 1e-16 per operation, times the sums' lengths)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import below
from dltheory.figures.bn_projection import SOURCE, SOURCE_APPENDIX

LABELS = {
    "bn_relu_eps0": "Linear → BN → ReLU, BN at eps = 0",
    "bn_relu_default_eps": "Linear → BN → ReLU, BN at PyTorch's eps",
    "relu_bn_eps0": "Linear → ReLU → BN, BN at eps = 0",
    "relu_bn_default_eps": "Linear → ReLU → BN, BN at PyTorch's eps",
    "no_bn": "Linear → ReLU, no BN",
}


RESOLVED = 1e-9  # an increment below this × ‖θ‖² is within the rounding of ‖θ‖²


def resolved(predicted: np.ndarray, norm_before: np.ndarray) -> np.ndarray:
    """Where a predicted increment η²‖∇θ‖² is above ``RESOLVED`` × ‖θ‖²: below it the increment of
    the stored weights measures their rounding, not the identity. [T, H] -> bool [T, H]."""
    return predicted > RESOLVED * norm_before**2


def increment_errors(increment: np.ndarray, predicted: np.ndarray, norm_before: np.ndarray) -> tuple[float, float]:
    """How far the row norms' increments are from η²‖∇‖² (3): the largest relative error over the
    :func:`resolved` rows and steps, and the total relative error Σ|Δ − η²‖∇‖²| / Σ η²‖∇‖².
    increment, predicted [T, H]; norm_before [T, H] (‖θ‖ before each step)."""
    error = np.abs(increment - predicted)
    mask = resolved(predicted, norm_before)
    largest = float((error[mask] / predicted[mask]).max()) if mask.any() else np.nan
    return largest, float(error.sum() / predicted.sum())


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    """``summary``: per network, the increments' errors, the largest bias gradient relative to
    the weight gradient (Σ_j |∂b_j| / Σ_j ‖∂w_j‖, per step), the row norms' growth and the
    accuracies."""
    run, rows = artifacts["rows"], []
    for key in run["networks"]:
        norms = run[f"{key}_weight_norm"]
        largest, total = increment_errors(run[f"{key}_increment"], run[f"{key}_predicted"], norms[:-1])
        ratio = run[f"{key}_bias_gradient"].sum(1) / run[f"{key}_weight_gradient"].sum(1)
        rows.append(
            {
                "network": key,
                "increment_error_max": largest,
                "increment_error_total": total,
                "bias_gradient_ratio_max": float(ratio.max()),
                "norm_start": float(norms[0].mean()),
                "norm_end": float(norms[-1].mean()),
                "rows_shrunk": int((norms[-1] < norms[0]).sum()),
                "train_accuracy": float(run[f"{key}_train_accuracy"]),
                "test_accuracy": float(run[f"{key}_test_accuracy"]),
            }
        )
    return {"summary": pd.DataFrame(rows)}


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """(1) equals autograd within ``max_relative_error`` everywhere; at eps = 0 P is a projection
    (‖P² − P‖_F ≤ ``max_residual``, rank N − 2 in every node) and the gradient is zero-mean and
    orthogonal to x̂ (≤ ``max_residual``, relative); in the trained networks with BN at eps = 0,
    the bias gradient before BN vanishes (≤ ``max_residual`` of the weight gradient) and the
    rows' norms grow by η²‖∇‖² (total relative error ≤ ``max_increment_error``: a single row whose
    increment is near the rounding of its norm would measure rounding, not the identity). Observations: (2) against the measured
    eps effects, and the networks at PyTorch's eps and without BN."""
    table, summary = artifacts["identities"], artifacts["summary"].set_index("network")
    exact, largest_eps = table[table.eps == 0], table[table.eps == table.eps.max()]
    rank_n_minus_2 = bool(((exact.rank_min == exact.batch_size - 2) & (exact.rank_max == exact.batch_size - 2)).all())
    tol, residual, increment = bars["max_relative_error"], bars["max_residual"], bars["max_increment_error"]
    cells = f"{len(table)} cells: N ∈ {sorted(set(table.batch_size))}, eps ∈ {sorted(set(table.eps))}"
    out = [
        claim(
            f"the gradient at BatchNorm's input is g_f = (γ/s)(I − 11ᵀ/N − x̂x̂ᵀ/N) g: the closed form against PyTorch's autograd, float64 ({cells})",
            source=SOURCE,
            expected=f"largest relative error ≤ {tol:g} (ours: float64 rounding)",
            measured=f"{table.relative_error.max():.2e}",
            value=table.relative_error.max(),
            bar=below(tol),
        ),
        claim(
            f"at eps = 0 P is the orthogonal projection off span{{1, x̂}}: ‖P² − P‖_F, and its rank is N − 2 in every node (N ∈ {sorted(set(exact.batch_size))})",
            source=SOURCE,
            expected=f"≤ {residual:g} (ours), rank N − 2",
            measured=f"{exact.idempotence_defect.max():.2e}; rank N − 2 in every node: {rank_n_minus_2}",
            value=exact.idempotence_defect.max() if rank_n_minus_2 else np.inf,  # a wrong rank fails the claim
            bar=below(residual),
        ),
        claim(
            "at eps = 0 the gradient reaching the node is zero-mean and orthogonal to its normalized activation: "
            "max |1ᵀg_f|/(√N‖g_f‖) and |x̂ᵀg_f|/(‖x̂‖‖g_f‖)",
            source=SOURCE,
            expected=f"≤ {residual:g} (ours)",
            measured=f"{exact.mean_residual.max():.2e} and {exact.orthogonality_residual.max():.2e}",
            value=max(exact.mean_residual.max(), exact.orthogonality_residual.max()),
            bar=below(residual),
        ),
        observation(
            "with eps > 0, P is no projection: ‖P² − P‖_F against r(1 − r), r = σ²/(σ² + eps); x̂ᵀg_f against (γ/s)(1 − r)x̂ᵀg; 1ᵀg_f stays 0",
            source="our derivation from the closed form (docs/bn_projection.md)",
            expected="‖P² − P‖_F = r(1 − r); x̂ᵀg_f = (γ/s)(1 − r) x̂ᵀg; 1ᵀg_f = 0 for every eps",
            measured=f"largest |‖P² − P‖_F − r(1 − r)| {table.idempotence_formula_error.max():.1e}; at eps = {table.eps.max():g}: "
            f"‖P² − P‖_F up to {largest_eps.idempotence_defect.max():.2e}, x̂ᵀg_f up to "
            f"{largest_eps.orthogonality_residual.max():.2e} (predicted {largest_eps.orthogonality_predicted.max():.2e}); 1ᵀg_f at most {table.mean_residual.max():.1e}",
            value=table.idempotence_formula_error.max(),
        ),
    ]
    bn_relu = summary.loc["bn_relu_eps0"]
    out.append(
        claim(
            "a Linear layer feeding BatchNorm gets a zero bias gradient: max over SGD steps of Σ_j |∂L/∂b_j| / Σ_j ‖∂L/∂w_j‖ "
            "(Linear → BN → ReLU, BN at eps = 0)",
            source=SOURCE_APPENDIX,
            expected=f"≤ {residual:g} (ours)",
            measured=f"{bn_relu.bias_gradient_ratio_max:.2e} (without BN: {summary.loc['no_bn'].bias_gradient_ratio_max:.2f})",
            value=bn_relu.bias_gradient_ratio_max,
            bar=below(residual),
        )
    )
    for key in ("bn_relu_eps0", "relu_bn_eps0"):
        r = summary.loc[key]
        out.append(
            claim(
                f"each row's norm grows by exactly η²‖∇‖² per SGD step: Σ|‖θ_j(t+1)‖² − ‖θ_j(t)‖² − η²‖∇θ_j‖²| / Σ η²‖∇θ_j‖² "
                f"over rows and steps (θ_j = (w_j, b_j), {LABELS[key]})",
                source=SOURCE_APPENDIX,
                expected=f"≤ {increment:g} (ours)",
                measured=f"{r.increment_error_total:.2e} (largest single relative error {r.increment_error_max:.1e}); mean row norm "
                f"{r.norm_start:.3f} → {r.norm_end:.3f}, {int(r.rows_shrunk)} rows shrank",
                value=r.increment_error_total,
                bar=below(increment),
            )
        )
    out.append(
        observation(
            "the row-norm increments against η²‖∇‖² when the identities do not hold: BN at PyTorch's eps, and no BN",
            source=SOURCE_APPENDIX,
            expected="no claim: w·∇w ≠ 0 there",
            measured="; ".join(
                f"{LABELS[key]}: total relative error {summary.loc[key].increment_error_total:.2g}, "
                f"{int(summary.loc[key].rows_shrunk)} rows shrank"
                for key in ("bn_relu_default_eps", "relu_bn_default_eps", "no_bn")
            ),
            value=float(summary.loc["no_bn"].increment_error_total),
        )
    )
    out.append(
        observation(
            "the networks learn: train and test accuracy after SGD (context for the identities, not a claim)",
            source="this figure's networks",
            expected="no claim",
            measured="; ".join(f"{LABELS[key]}: {r.train_accuracy:.3f} / {r.test_accuracy:.3f}" for key, r in summary.iterrows()),
            value=float(summary.test_accuracy.min()),
        )
    )
    return out
