"""Shattered gradients: the gradient of a deep feedforward network with respect to its input looks
like white noise, a resnet's keeps its structure. Balduzzi, Frean, Leary, Lewis, Ma & McWilliams,
"The Shattered Gradients Problem: If resnets are the answer, then what is the question?" (ICML
2017, arXiv 1702.08591), Figure 1, Theorems 1–3 and the looks-linear initialization.

Networks with one scalar input x and one scalar output y, width n (200), on P inputs of a uniform
grid (256 points in [−2, 2]) processed as **one batch**, He initialization (weights N(0, 2/fan-in),
the input layer N(0, 2) with a bias N(0, 1), readout N(0, 1/n), no other biases):

* ``feedforward``: a¹ = relu(x w + b), h^l = a^{l−1} W^l, a^l = relu(N(h^l));
* ``resnet``: a⁰ = x w + b, a^l = a^{l−1} + β relu(N(a^{l−1})) W^l;
* ``crelu``: h^l = a^{l−1} W^l with k = n/2 units (h¹ = x w + b), a^l = [relu(N(h^l)), relu(−N(h^l))]; with the
  **looks-linear** initialization W^l = [V; −V] (and readout [u; −u]) every layer computes
  relu(h)V − relu(−h)V = hV, so the network is linear at initialization;

and N is the normalization over the batch, per unit, of every layer after the input layer:
``none``, ``centre`` (subtract the batch mean) or ``batch_norm`` (subtract the mean, divide by the
batch s.d.; no affine part). y = a^L v.

**The derivative.** dy/dx is taken per grid point with the batch statistics (means and s.d.s)
computed on the grid and then **held fixed**: the derivative of each input's own output, as if the
statistics were constants. With live statistics, ``y.sum().backward()`` would return
Σ_j ∂y_j/∂x_i instead of ∂y_i/∂x_i (the cross terms through the batch mean were 65–90% of the
RMS in a prototype). Here it is forward mode: the tangent t^l = da^l/dx is carried beside a^l
(t^l = N'(t^{l−1}W^l) ∘ relu'(·)), one extra matrix product per layer, and a readout after every
layer gives dy/dx of the nets of every depth up to L (nested: the depth-l net is the first l
layers of the depth-L one, with the same readout vector).

**Correlations** are over initializations (an ensemble of E networks): the lag-1 correlation is the
Pearson correlation, across initializations, of dy/dx at neighbouring grid points, averaged over
the P − 1 neighbour pairs (:func:`lag1`). White noise gives 0, brown noise (its running sum) ~1.
With E initializations the noise floor is ~1/√E per pair.

**Theorems** (He init, where the activation patterns of two inputs are independent, i.e. agree on
half the units): each feedforward layer multiplies the correlation of the backpropagated gradients
δ^l = ∂y/∂a^l at the two inputs by 1/2 (Theorem 1: their covariance is 2^{−L} of the variance);
each β = 1 resnet block doubles the gradient variance (1 bit) and multiplies that correlation by
3/4 (Theorem 2). :func:`layer_transfer` measures both layer by layer.

**End to end, on pairs of random inputs.** On the scalar grid no pair of inputs has independent
patterns in every layer (the agreement of a pair moves from layer to layer), so the theorems'
end-to-end statements are measured on ``inputs`` = d > 1: P random inputs x_i ~ N(0, I_d), one
batch, input layer N(0, 2/d) without a bias. :func:`input_gradients` gives ∂y/∂x_i ∈ R^d
(reverse mode, statistics frozen), :func:`pair_moments` its covariance over the pairs and its
variance, :func:`pattern_agreement` how often two inputs' patterns agree. Theorem 1: the
covariance is 2^{−L} of the variance (mean-centred feedforward nets keep the agreement at 1/2 in
every layer). Theorem 3 (resnets with batch normalization and branch scale β): the variance grows
as β²(L − 1) + 1 and the correlation falls as 1/(β√L) (an order in β²L, not a constant).

**Autocorrelation** (the paper's Fig. 2): :func:`autocorrelation` generalizes the lag-1
correlation to every lag k (pairs (i, i + k)); white noise gives 0 at every k ≥ 1, brown noise
stays near 1, an AR(1) sequence of coefficient ρ gives ρ^k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

ARCHITECTURES = ("feedforward", "resnet", "crelu")
NORMALIZATIONS = ("none", "centre", "batch_norm")
BN_EPS = 1e-5


@dataclass(frozen=True)
class Net:
    """One architecture: ``depth`` layers (blocks) of ``width`` units; ``beta`` scales resnet
    branches; ``looks_linear`` mirrors CReLU weights; ``inputs``: the input's dimension d (1: the
    scalar grid; > 1: random vectors, for the theorems end to end)."""

    architecture: str
    depth: int
    width: int = 200
    normalization: str = "centre"
    beta: float = 1.0
    looks_linear: bool = False
    inputs: int = 1

    def __post_init__(self):
        if self.architecture not in ARCHITECTURES or self.normalization not in NORMALIZATIONS:
            raise ValueError(
                f"architecture {self.architecture!r} (allowed {ARCHITECTURES}), normalization {self.normalization!r} (allowed {NORMALIZATIONS})"
            )
        if self.architecture == "crelu" and self.width % 2:
            raise ValueError(f"a CReLU layer has width/2 units: width {self.width} must be even")
        if self.inputs < 1:
            raise ValueError(f"inputs {self.inputs}: the input's dimension must be >= 1")


class Weights:
    """The weights of one network per seed, drawn layer by layer on demand: layer l of every member
    comes from its own generator, seeded by (seed, l), so a layer can be drawn again identically
    and memory holds one layer at a time ([E, n, k]), not the whole stack (32 initializations of
    200 blocks of 200 × 200 weights would be 1 GB in float32).

    He initialization: the input layer N(0, 2/d) [E, d, k] (d = ``net.inputs``) with, for the
    scalar input only, a bias N(0, 1) [E, 1, k] (so that the first layer's kinks −b/w spread over
    the grid; random vector inputs need none, and a bias common to two inputs would correlate
    their first-layer pre-activations: 1/3, an agreement of 1 − arccos(1/3)/π ≈ 0.61 instead of
    1/2), layer l N(0, 2/n) [E, n, k], readout N(0, 1/n) [E, n]; k = n, or n/2 pre-activations
    for CReLU. Looks-linear CReLU: layer l is [V; −V] with V ~ N(0, 1/k) (h ↦ hV keeps the
    variance), readout [u; −u]."""

    def __init__(self, net: Net, seeds, dtype=torch.float64):
        self.net, self.seeds, self.dtype = net, [int(s) for s in seeds], dtype
        self.n = net.width
        self.k = net.width // 2 if net.architecture == "crelu" else net.width

    def _normal(self, slot: int, shape, std: float) -> torch.Tensor:
        """[E, *shape] of N(0, std²), member e from the generator of (seeds[e], slot)."""
        draws = []
        for seed in self.seeds:
            state = int(np.random.SeedSequence([seed, slot]).generate_state(1, np.uint64)[0] >> 1)
            draws.append(torch.randn(*shape, generator=torch.Generator().manual_seed(state), dtype=self.dtype))
        return torch.stack(draws) * std

    @property
    def mirrored(self) -> bool:
        return self.net.architecture == "crelu" and self.net.looks_linear

    def input(self) -> torch.Tensor:
        return self._normal(0, (self.net.inputs, self.k), np.sqrt(2.0 / self.net.inputs))

    def input_bias(self) -> torch.Tensor:
        if self.net.inputs > 1:
            return torch.zeros(len(self.seeds), 1, self.k, dtype=self.dtype)
        return self._normal(1, (1, self.k), 1.0)

    def readout(self) -> torch.Tensor:
        if self.mirrored:
            u = self._normal(2, (self.k,), 1 / np.sqrt(self.k))
            return torch.cat([u, -u], dim=1)
        return self._normal(2, (self.n,), 1 / np.sqrt(self.n))

    def layer(self, l: int) -> torch.Tensor:
        if self.mirrored:
            V = self._normal(l + 3, (self.k, self.k), 1 / np.sqrt(self.k))
            return torch.cat([V, -V], dim=1)  # [relu(h), relu(−h)] [V; −V] = hV
        return self._normal(l + 3, (self.n, self.k), np.sqrt(2.0 / self.n))


def _normalize(h: torch.Tensor, t: torch.Tensor, normalization: str, frozen=None):
    """N(h) over the batch axis (1) of h [E, P, k], its tangent with the statistics held fixed, and
    the statistics (mean, 1/σ) [E, 1, k] (0 and 1 where the normalization has none); ``frozen``:
    statistics to use instead of the batch's."""
    if frozen is not None:
        mean, scale = frozen
    else:
        mean, scale = torch.zeros_like(h[:, :1]), torch.ones_like(h[:, :1])
        if normalization != "none":
            mean = h.mean(dim=1, keepdim=True)
        if normalization == "batch_norm":
            scale = 1.0 / torch.sqrt((h - mean).pow(2).mean(dim=1, keepdim=True) + BN_EPS)
    return (h - mean) * scale, t * scale, (mean, scale)


def _layer(net: Net, a, t, W, first: bool, x: torch.Tensor, w_in: torch.Tensor, b_in: torch.Tensor, frozen=None):
    """One layer or block: (a, t) -> (a, t, (mask, (mean, 1/σ))), what backpropagation and a rerun
    with frozen statistics need. The input layer h¹ = x w + b (x [E, P, d]) is not normalized:
    centring it over a symmetric grid would remove b and put every first-layer kink at x = 0."""
    if first:
        (h, th), stats = _input_layer(x, w_in, b_in), (torch.zeros_like(b_in), torch.ones_like(b_in))
    elif net.architecture == "resnet":
        h, th, stats = _normalize(a, t, net.normalization, frozen)
        mask = h > 0
        return a + net.beta * torch.bmm(torch.relu(h), W), t + net.beta * torch.bmm(th * mask, W), (mask, stats)
    else:
        h, th, stats = _normalize(torch.bmm(a, W), torch.bmm(t, W), net.normalization, frozen)
    mask = h > 0
    if net.architecture == "crelu":
        return torch.cat([torch.relu(h), torch.relu(-h)], -1), torch.cat([th * mask, -th * ~mask], -1), (mask, stats)
    return torch.relu(h), th * mask, (mask, stats)


def _input_layer(x: torch.Tensor, w_in: torch.Tensor, b_in: torch.Tensor):
    """h = x w + b [E, P, k] of the inputs x [E, P, d] and its tangent along (1, …, 1): dh/dx for
    the scalar input."""
    return torch.bmm(x, w_in) + b_in, w_in.sum(dim=1, keepdim=True).expand(-1, x.shape[1], -1)


@torch.no_grad()
def forward(weights: Weights, x: torch.Tensor, keep: bool = False, statistics=None):
    """Run the batch x [P] (scalar inputs) or [P, d] through every member. Returns dy/dx of the
    net truncated after each layer [L, E, P] (statistics frozen, see the module docstring; for
    d > 1 the derivative along (1, …, 1), the gradient itself is :func:`input_gradients`'), the
    outputs y [L, E, P], and with ``keep`` the per-layer (mask, (mean, 1/σ)). ``statistics``: the
    per-layer (mean, 1/σ) of an earlier batch (its records' second items) to use instead of this
    batch's."""
    net = weights.net
    w_in, b_in, v = weights.input(), weights.input_bias(), weights.readout()[:, :, None]  # [E, d, k], [E, 1, k], [E, n, 1]
    xs = x.to(w_in).reshape(1, x.shape[0], -1).expand(len(weights.seeds), -1, -1)  # [E, P, d]
    if net.architecture == "resnet":  # a⁰ = x w + b, then the blocks
        a, t = _input_layer(xs, w_in, b_in)
    else:
        a = t = None
    # The results [L, E, P] are allocated before the loop: small tensors appended layer by layer
    # would sit between the freed [E, P, k] temporaries of each layer and keep the allocator from
    # reusing that memory (a 200-block resnet then held 1.2 GB per thread; now 0.3 GB in all).
    grads = xs.new_empty(net.depth, *xs.shape[:2])
    outputs, records = torch.empty_like(grads), []
    for l in range(net.depth):
        first = l == 0 and net.architecture != "resnet"
        frozen = None if statistics is None else statistics[l]
        a, t, record = _layer(net, a, t, None if first else weights.layer(l), first, xs, w_in, b_in, frozen)
        grads[l] = torch.bmm(t, v)[..., 0]
        outputs[l] = torch.bmm(a, v)[..., 0]
        if keep:
            records.append(record)
    return grads, outputs, records


def autocorrelation(g: np.ndarray, lags) -> np.ndarray:
    """The autocorrelation function of dy/dx along the grid (the paper's Fig. 2 statistic), over
    initializations: for each lag k, the mean over the pairs (i, i + k) of the Pearson correlation
    across initializations of g[:, i] and g[:, i + k] (pairs with no variance left out).
    g [E, P] (E initializations, P grid points), lags in 0 … P − 1 -> [len(lags)]."""
    c = np.asarray(g, dtype=float)
    c = c - c.mean(0)
    points, out = c.shape[1], []
    for k in lags:
        first, second = c[:, : points - k], c[:, k:]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (first * second).sum(0) / np.sqrt((first**2).sum(0) * (second**2).sum(0))
        out.append(np.nanmean(r))
    return np.array(out, dtype=float)


def lag1(g: np.ndarray) -> float:
    """The lag-1 correlation: :func:`autocorrelation` at k = 1 (neighbour pairs), g [E, P]."""
    return float(autocorrelation(g, [1])[0])


def noise_references(E: int, P: int, seed: int) -> dict[str, np.ndarray]:
    """White noise (iid N(0, 1)) and brown noise (its running sum over the grid), [E, P] each."""
    white = np.random.default_rng(seed).normal(size=(E, P))
    return {"white": white, "brown": white.cumsum(axis=1)}


def _backprop(net: Net, delta: torch.Tensor, W: torch.Tensor, record) -> torch.Tensor:
    """δ^{l−1} = ∂y/∂a^{l−1} from δ^l [E, Q, n] through one layer or block, its statistics frozen:
    W its weights [E, n, k] (the feedforward input layer's [E, d, k]), ``record`` its (mask
    [E, Q, k], (mean, 1/σ) [E, 1, k]) from :func:`forward`. Feedforward, a^l = relu(N(a^{l−1} W)):
    δ^{l−1} = ((δ^l ∘ mask) ∘ 1/σ) Wᵀ; resnet, a^l = a^{l−1} + β relu(N(a^{l−1})) W:
    δ^{l−1} = δ^l + β ((δ^l Wᵀ) ∘ mask) ∘ 1/σ."""
    mask, (_, scale) = record
    if net.architecture == "resnet":
        return delta + net.beta * torch.bmm(delta, W.transpose(1, 2)) * mask * scale
    return torch.bmm(delta * mask * scale, W.transpose(1, 2))


@torch.no_grad()
def layer_transfer(weights: Weights, x: torch.Tensor, offsets, seed: int = 0) -> list[dict]:
    """The theorems' one-layer step, at every layer l of the depth-L net: backpropagate one common
    upstream gradient δ^l = u (u ~ N(0, I_n), one per initialization, the same for every input)
    through layer l alone, statistics frozen, and measure for inputs x_i and x_{i+k} (offset k):
    the pooled correlation of δ^{l−1}(x_i) and δ^{l−1}(x_{i+k}) (sums over units, pairs and
    initializations; since δ^l's correlation is 1, this is layer l's factor on the correlation),
    the agreement of the two inputs' activation patterns in layer l (1/2 when independent), and
    the variance gain log₂(E‖δ^{l−1}‖² / E‖u‖²).

    Theorem 1 (feedforward): the factor is P(both on)/P(on) = 1/2 for independent patterns.
    Theorem 2 (resnet, β = 1, no scaling): δ^{l−1} = u + (u W^lᵀ) ∘ mask: the variance doubles
    (1 bit) and the factor is (1 + 2·1/4)/(1 + 2·1/2) = 3/4. Rows: layer, offset, factor,
    agreement, log2_variance_gain. Feedforward and resnet only."""
    net = weights.net
    if net.architecture == "crelu":
        raise ValueError("layer_transfer: feedforward or resnet")
    _, _, records = forward(weights, x, keep=True)
    u = torch.randn(len(weights.seeds), 1, weights.n, generator=torch.Generator().manual_seed(seed), dtype=weights.dtype)
    rows = []
    for l in range(0 if net.architecture == "resnet" else 1, net.depth):
        mask = records[l][0]
        below = _backprop(net, u.expand(-1, len(x), -1), weights.layer(l), records[l])
        gain = float(np.log2(float(below.pow(2).sum(-1).mean() / u.pow(2).sum(-1).mean())))
        for k in offsets:
            d1, d2 = below[:, :-k], below[:, k:]
            rows.append(
                {
                    "layer": l,
                    "offset": int(k),
                    "factor": float((d1 * d2).sum() / torch.sqrt(d1.pow(2).sum() * d2.pow(2).sum())),
                    "agreement": float((mask[:, :-k] == mask[:, k:]).double().mean()),
                    "log2_variance_gain": gain,
                }
            )
    return rows


@torch.no_grad()
def input_gradients(weights: Weights, records, depths) -> torch.Tensor:
    """∂y/∂x at every input of a batch, for the net truncated after each of ``depths`` (ascending,
    distinct, at most the net's depth), statistics frozen: reverse mode from the common readout v
    through the ``records`` of :func:`forward` (``keep=True``) of the same ``weights``. The
    backward passes of all depths go down together, so each layer's weights are drawn once.
    Returns [len(depths), E, P, d]. Feedforward and resnet only."""
    net, depths = weights.net, list(depths)
    if net.architecture == "crelu":
        raise ValueError("input_gradients: feedforward or resnet")
    if depths != sorted(set(depths)) or not 1 <= depths[0] <= depths[-1] <= len(records):
        raise ValueError(f"depths {depths}: ascending, distinct, in 1 .. {len(records)}")
    v = weights.readout()[:, None, :]  # [E, 1, n]
    points = records[0][0].shape[1]
    delta = v.new_empty(v.shape[0], 0, v.shape[2])  # [E, (depths started) × P, n], the deepest first
    for l in reversed(range(depths[-1])):
        if l + 1 in depths:  # the net of depth l + 1 starts its backward pass here
            delta = torch.cat([delta, v.expand(-1, points, -1)], dim=1)
        mask, stats = records[l]
        W = weights.input() if l == 0 and net.architecture != "resnet" else weights.layer(l)
        delta = _backprop(net, delta, W, (mask.repeat(1, delta.shape[1] // points, 1), stats))
    if net.architecture == "resnet":  # a⁰ = x w + b
        delta = torch.bmm(delta, weights.input().transpose(1, 2))
    grads = delta.view(delta.shape[0], len(depths), points, -1)  # [E, depths (deepest first), P, d]
    return grads.flip(1).transpose(0, 1)


def pair_moments(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The covariance and the variance of the input gradients, per initialization: g [E, P, d]
    (∂y/∂x at P inputs) -> covariance [E], the mean over the pairs i < j of ⟨g_i, g_j⟩, and
    variance [E], the mean over the inputs of ‖g_i‖². Over initializations E[g] = 0 (the readout's
    sign is symmetric), so summed over initializations these are the theorems' covariance and
    variance (summed over the d coordinates), and their ratio the correlation of the gradients at
    two inputs. Σ_{i<j} ⟨g_i, g_j⟩ = (‖Σ_i g_i‖² − Σ_i ‖g_i‖²)/2: no [P, P] matrix."""
    g = np.asarray(g, dtype=float)
    points = g.shape[1]
    squares = (g**2).sum(axis=(1, 2))
    total = (g.sum(axis=1) ** 2).sum(axis=1)
    return (total - squares) / (points * (points - 1)), squares / points


def pattern_agreement(mask: np.ndarray) -> np.ndarray:
    """How often two inputs' activation patterns agree: mask [E, P, k] (unit on at input i) -> [E],
    the mean over the pairs i < j and the units of 1[mask_i = mask_j] (1/2 when the patterns are
    independent with P(on) = 1/2). A unit on at m of the P inputs agrees on m(m − 1)/2 +
    (P − m)(P − m − 1)/2 of the P(P − 1)/2 pairs."""
    on = np.asarray(mask).sum(axis=1).astype(float)  # [E, k]
    points = np.asarray(mask).shape[1]
    return ((on * (on - 1) + (points - on) * (points - on - 1)) / (points * (points - 1))).mean(axis=1)


def pair_sweep(net: Net, seeds, points: int, depths, seed: int, dtype) -> list[dict]:
    """Theorems 1 and 3 end to end, on ``points`` random inputs x_i ~ N(0, I_d) (d = ``net.inputs``
    > 1, drawn from ``seed``, one batch): for every initialization and each of ``depths``, the
    :func:`pair_moments` of ∂y/∂x (:func:`input_gradients`) and the :func:`pattern_agreement` of
    the layer (block) at that depth. Rows: net, depth, seed, covariance, variance, agreement."""
    x = torch.randn(points, net.inputs, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    weights = Weights(net, seeds, dtype)
    _, _, records = forward(weights, x, keep=True)
    rows = []
    for depth, g in zip(depths, input_gradients(weights, records, depths)):
        covariance, variance = pair_moments(g.double().numpy())
        agreement = pattern_agreement(records[depth - 1][0].numpy())
        rows += [
            {"net": label(net), "depth": depth, "seed": s, "covariance": c, "variance": v, "agreement": a}
            for s, c, v, a in zip(weights.seeds, covariance, variance, agreement)
        ]
    return rows


def label(net: Net) -> str:
    """A short name of the architecture: feedforward_centre, resnet_batch_norm_beta0.1, crelu_looks_linear, …"""
    if net.architecture == "crelu":
        return f"crelu_{'looks_linear' if net.looks_linear else 'random'}"
    name = f"{net.architecture}_{net.normalization}"
    return f"{name}_beta{net.beta:g}" if net.architecture == "resnet" else name


def feedforward_nets(depth: int, width: int) -> list[Net]:
    """The nets of the feedforward measurement: feedforward mean-centred, batch-normalized and
    unnormalized, then CReLU looks-linear and random (``width`` units, ``depth`` layers)."""
    nets = [Net("feedforward", depth, width, normalization) for normalization in ("centre", "batch_norm", "none")]
    return nets + [Net("crelu", depth, width, "centre", looks_linear=ll) for ll in (True, False)]


def depth_sweep(net: Net, seeds, x: torch.Tensor, dtype) -> tuple[list[dict], torch.Tensor]:
    """Lag-1 correlation (:func:`lag1`) of dy/dx over initializations at every depth 1 … L of the
    nested nets, and the relative spread of dy/dx along the grid (s.d./mean |dy/dx|, the largest
    over initializations; 0 for a linear net). Returns the rows and the gradients [L, E, P]."""
    grads, _, _ = forward(Weights(net, seeds, dtype), x)
    g = grads.double().numpy()
    spread = g.std(axis=2) / np.abs(g).mean(axis=2)  # [L, E]
    common = {
        "net": label(net),
        "architecture": net.architecture,
        "normalization": net.normalization,
        "beta": net.beta,
        "looks_linear": net.looks_linear,
    }
    rows = [{**common, "depth": d + 1, "lag1": lag1(g[d]), "spread": float(spread[d].max())} for d in range(net.depth)]
    return rows, grads


def covariance(g: np.ndarray) -> np.ndarray:
    """Covariance over initializations of dy/dx at every pair of grid points, g [E, P] -> [P, P],
    normalized by the mean variance (so panels of different scales compare)."""
    c = np.cov(np.asarray(g, dtype=float), rowvar=False)
    return c / np.mean(np.diag(c))
