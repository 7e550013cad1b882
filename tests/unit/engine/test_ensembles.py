"""dltheory.engine.ensembles: the member grid, the initialization, and the batched forward pass."""

import numpy as np
import pytest
import torch

from dltheory.engine.ensembles import (
    Member,
    MLPEnsemble,
    conv_ensemble,
    group_by_depth,
    init_member,
    layer_shapes,
    mean_field_ensemble,
    member_grid,
)


def test_member_grid_is_every_combination_grouped_by_depth():
    members = member_grid([2.0, 1.0], [0.05], [3, 1], [0, 1])
    assert len(members) == 8
    groups = group_by_depth(members)
    assert list(groups) == [1, 3]
    assert [(m.sigma_w2, m.seed) for m in groups[1]] == [(1.0, 0), (1.0, 1), (2.0, 0), (2.0, 1)]


def test_layer_shapes_count_depth_hidden_layers_and_a_readout():
    assert layer_shapes(1, 5, 7, 3) == [(5, 7), (7, 3)]
    assert layer_shapes(3, 5, 7, 3) == [(5, 7), (7, 7), (7, 7), (7, 3)]


def test_init_has_the_mean_field_variances():
    params = init_member(Member(depth=2, sigma_w2=2.5, sigma_b2=0.3, seed=0), n_in=400, width=300, n_out=200)
    for w, b in params:
        assert np.var(w) * w.shape[0] == pytest.approx(2.5, rel=0.03)
    assert np.var(np.concatenate([b for _, b in params])) == pytest.approx(0.3, rel=0.1)


def test_init_shares_normals_across_variances_of_one_seed():
    """Common random numbers: σ_w² and σ_b² only rescale the same draws; another seed draws anew."""
    a = init_member(Member(2, 1.0, 0.05, seed=3), 4, 6, 2)
    b = init_member(Member(2, 4.0, 0.20, seed=3), 4, 6, 2)
    c = init_member(Member(2, 1.0, 0.05, seed=4), 4, 6, 2)
    for (wa, ba), (wb, bb) in zip(a, b):
        np.testing.assert_allclose(wb, 2.0 * wa)
        np.testing.assert_allclose(bb, 2.0 * ba)
    assert not np.allclose(a[0][0], c[0][0])


def test_init_shares_hidden_layers_and_readout_across_depths_of_one_seed():
    """Each layer is its own (seed, layer) stream: a deeper network of one seed starts with the same
    hidden layers as a shallower one, and every depth shares one readout."""
    shallow = init_member(Member(2, 1.5, 0.05, seed=7), 4, 6, 3)
    deep = init_member(Member(4, 1.5, 0.05, seed=7), 4, 6, 3)
    for l in range(2):
        np.testing.assert_array_equal(shallow[l][0], deep[l][0])
        np.testing.assert_array_equal(shallow[l][1], deep[l][1])
    np.testing.assert_array_equal(shallow[-1][0], deep[-1][0])
    assert not np.allclose(deep[2][0], deep[3][0])  # and every layer draws anew


def test_init_is_drawn_in_the_training_dtype():
    w32, w64 = (
        init_member(Member(1, 1.0, 0.05, 0), 3, 5, 2, torch.float32)[0][0],
        init_member(Member(1, 1.0, 0.05, 0), 3, 5, 2, torch.float64)[0][0],
    )
    assert w32.dtype == np.float32 and w64.dtype == np.float64


def test_layers_are_views_of_one_buffer_and_so_are_their_gradients():
    members = member_grid([1.0, 2.0], [0.05], [3], [0])
    model = mean_field_ensemble(members, 5, 4, 2, dtype=torch.float64)
    x = torch.randn(2, 6, 5, dtype=torch.float64)
    model(x).square().sum().backward()
    reference = torch.autograd.grad(model(x).square().sum(), [*model.weights, *model.biases])
    flat_grads = torch.cat([g.flatten(1) for pair in zip(reference[:4], reference[4:]) for g in pair], 1)
    torch.testing.assert_close(model.flat.grad, flat_grads, rtol=0, atol=0)  # layer by layer, W then b
    with torch.no_grad():
        model.flat[1] = 0.0
    assert not model.weights[2][1].any() and model.weights[2][0].any()


def test_batched_forward_equals_each_member_alone():
    members = member_grid([0.8, 3.0], [0.0, 0.1], [3], [0, 1])
    model = mean_field_ensemble(members, n_in=5, width=8, n_out=4, dtype=torch.float64)
    x = np.random.default_rng(1).standard_normal((len(members), 6, 5))
    out = model(torch.as_tensor(x)).detach().numpy()
    for e, member in enumerate(members):
        h = x[e]
        params = init_member(member, 5, 8, 4, torch.float64)
        for w, b in params[:-1]:
            h = np.tanh(h @ w + b)
        np.testing.assert_allclose(out[e], h @ params[-1][0] + params[-1][1], rtol=1e-12, atol=1e-12)


def test_members_do_not_mix():
    """A non-finite member leaves every other member's output and gradient unchanged."""
    members = member_grid([1.0, 2.0, 3.0], [0.05], [4], [0])
    x = torch.randn(3, 5, 6, dtype=torch.float64)

    def outputs_and_grads(poison: bool):
        model = mean_field_ensemble(members, 6, 8, 3, dtype=torch.float64)
        if poison:
            with torch.no_grad():
                model.weights[2][0, 0, 0] = float("nan")  # layer 2 (hidden-to-hidden), member 0
        out = model(x)
        out.sum().backward()
        grads = [p.grad[1:] for p in model.parameters()]
        return out.detach(), grads

    (clean, clean_grads), (poisoned, poisoned_grads) = outputs_and_grads(False), outputs_and_grads(True)
    assert torch.isnan(poisoned[0]).all() and not torch.isnan(clean[0]).any()
    torch.testing.assert_close(poisoned[1:], clean[1:], rtol=0, atol=0)
    for a, b in zip(poisoned_grads, clean_grads):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_an_ensemble_holds_one_depth():
    with pytest.raises(ValueError, match="one depth"):
        mean_field_ensemble(member_grid([1.0], [0.05], [2, 3], [0]), 4, 4, 2)
    with pytest.raises(ValueError, match="one shape"):
        MLPEnsemble.from_params([init_member(Member(2, 1.0, 0.05, 0), 4, 4, 2), init_member(Member(2, 1.0, 0.05, 0), 4, 5, 2)])


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_gpu_group_starts_from_the_cpu_groups_weights():
    """Normals are drawn on the CPU and scaled on the device: one IEEE product each, so equal bit for bit."""
    members = member_grid([1.0, 1.7, 3.2], [0.05], [5], [0, 3])
    cpu = mean_field_ensemble(members, 20, 16, 4)
    gpu = mean_field_ensemble(members, 20, 16, 4, device="cuda")
    torch.testing.assert_close(gpu.flat.cpu(), cpu.flat, rtol=0, atol=0)


def _conv_reference(model, e: int) -> torch.nn.Sequential:
    """Member e of a ConvEnsemble as a plain torch.nn network (an independent implementation)."""
    layers, c_in = [], model.image[0]
    for kernel, bias in zip(model.kernels, model.biases):
        conv = torch.nn.Conv2d(c_in, kernel.shape[1], model.kernel, stride=2, padding=model.kernel // 2, dtype=kernel.dtype)
        conv.weight.data, conv.bias.data = kernel[e].detach().clone(), bias[e].detach().clone()
        layers += [conv, torch.nn.ReLU()]
        c_in = kernel.shape[1]
    layers.append(torch.nn.Flatten())
    for l, (w, b) in enumerate(zip(model.weights, model.dense_biases)):
        dense = torch.nn.Linear(*w.shape[1:], dtype=w.dtype)
        dense.weight.data, dense.bias.data = w[e].detach().T.clone(), b[e, 0].detach().clone()
        layers += [dense] + ([torch.nn.ReLU()] if l < len(model.weights) - 1 else [])
    return torch.nn.Sequential(*layers)


def test_conv_ensemble_members_equal_separate_networks_in_value_and_gradient():
    image = (2, 9, 7)  # odd sides: each stride-2 block rounds up (9 -> 5 -> 3)
    members = [Member(1, 2.0, 0.1, s) for s in (0, 1, 2)]
    model = conv_ensemble(members, image, (3, 4), (6,), 10, 5, torch.float64)
    x = torch.randn(3, 8, int(np.prod(image)), dtype=torch.float64)
    out = model(x)
    out.square().sum().backward()
    for e in range(3):
        reference = _conv_reference(model, e)
        y = reference(x[e].reshape(8, *image))
        torch.testing.assert_close(out[e], y)
        y.square().sum().backward()
        grads = [p.grad for p in reference.parameters()]
        ours = [k.grad[e] for k in model.kernels], [b.grad[e] for b in model.biases]
        for g, o in zip(grads[0:4:2] + grads[1:4:2], ours[0] + ours[1]):
            torch.testing.assert_close(o, g)
        torch.testing.assert_close(model.weights[-1].grad[e], grads[-2].T)


def test_conv_ensemble_init_and_subset():
    members = [Member(1, 2.0, 0.0, s) for s in (5, 6, 5)]
    model = conv_ensemble(members, (1, 28, 28), (16, 32), (64,), 10)
    flat = model.flat.detach()
    assert torch.equal(flat[0], flat[2]) and not torch.equal(flat[0], flat[1])  # equal seeds, equal weights
    for kernel in model.kernels:  # He: Var = 2 / (c_in k²)
        fan_in = kernel.shape[2] * kernel.shape[3] * kernel.shape[4]
        assert kernel.detach().var().item() * fan_in == pytest.approx(2.0, rel=0.15)
    part = model.subset(torch.tensor([1, 2]))
    assert torch.equal(part.flat.detach(), flat[[1, 2]])
    x = torch.randn(3, 4, 784)
    torch.testing.assert_close(part(x[1:]), model(x)[1:])
    part(x[1:]).sum().backward()  # the smaller ensemble's views still write into its flat.grad
    assert part.flat.grad.abs().sum() > 0
