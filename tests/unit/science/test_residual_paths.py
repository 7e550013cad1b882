"""residual_paths against independent references: the full backward pass (the sum of the path
gradients over all subsets), a network built without a block, scipy's binomial law."""

import itertools

import numpy as np
import pytest
import torch
from scipy.stats import binom

from dltheory.science import residual_paths as rp


def tiny_net(residual=True) -> rp.ResNet:
    """2 blocks per stage (6 in all, two downsampling), float64, BN with non-trivial statistics."""
    torch.manual_seed(0)
    net = rp.ResNet(1, 2, [2, 3, 4], 3, residual).double()
    net.train()
    with torch.no_grad():
        net(torch.randn(16, 1, 8, 8, dtype=torch.float64))  # running statistics away from 0 / 1
    return net.eval()


def test_path_gradients_summed_over_all_subsets_equal_the_full_gradient():
    net = tiny_net()
    x, y = torch.randn(3, 1, 8, 8, dtype=torch.float64, requires_grad=True), torch.tensor([0, 1, 2])
    (full,) = torch.autograd.grad(torch.nn.functional.cross_entropy(net(x), y, reduction="sum"), x)
    n = len(net.blocks)
    subsets = np.array(list(itertools.product([False, True], repeat=n)))  # all 2^n
    paths = rp.path_gradients(net, x.detach(), y, subsets)
    torch.testing.assert_close(paths.sum(0), full, rtol=1e-10, atol=1e-12)
    # the path through no residual branch is the skips' gradient alone: nonzero, and not the whole
    assert 0 < paths[0].norm() < full.norm() * 10


def test_deleting_a_block_equals_the_net_built_without_it():
    net = tiny_net()
    x = torch.randn(4, 1, 8, 8, dtype=torch.float64)
    for i, block in enumerate(net.blocks):
        if block.downsampling:
            continue
        without = tiny_net()
        without.load_state_dict(net.state_dict())
        without.blocks = torch.nn.ModuleList(b for j, b in enumerate(without.blocks) if j != i)
        with torch.no_grad():
            torch.testing.assert_close(net(x, deleted={i}), without(x))


def test_skip_of_a_downsampling_block_subsamples_and_pads_with_zeros():
    block = rp.Block(2, 4, 2, residual=True)
    x = torch.arange(2 * 4 * 4, dtype=torch.float32).reshape(1, 2, 4, 4)
    y = block.skip(x)
    assert y.shape == (1, 4, 2, 2)
    torch.testing.assert_close(y[:, :2], x[:, :, ::2, ::2])
    assert (y[:, 2:] == 0).all()


def test_layout_downsamples_at_the_first_block_of_stages_two_and_three():
    layout = rp.block_layout(3, [8, 16, 32])
    assert [i for i, (_, _, s) in enumerate(layout) if s == 2] == [3, 6]
    assert layout[3] == (8, 16, 2) and layout[8] == (32, 32, 1)


def test_swaps_reorder_only_equal_shaped_blocks():
    net = rp.ResNet(1, 3, [2, 3, 4], 3)
    pairs = rp.swappable_pairs(net)
    assert (0, 1) in pairs and (4, 5) in pairs and all(3 not in p and 6 not in p for p in pairs)
    rng = np.random.default_rng(0)
    assert rp.swapped_order(9, pairs, 0, rng) == list(range(9))
    order = rp.swapped_order(9, pairs, 5, rng)
    assert sorted(order) == list(range(9)) and order[3] == 3 and order[6] == 6


def test_subsets_have_k_blocks():
    mask = rp.sample_subsets(10, 4, 50, np.random.default_rng(1))
    assert mask.shape == (50, 10) and (mask.sum(1) == 4).all()


@pytest.mark.parametrize("n", [1, 6, 54])
def test_path_lengths_are_binomial(n):
    np.testing.assert_allclose(rp.path_length_pmf(n), binom.pmf(np.arange(n + 1), n, 0.5), rtol=1e-12)


def test_paper_range_holds_more_than_95_percent_of_paths():
    assert rp.path_length_pmf(54)[19:36].sum() > 0.95


def test_shortest_interval():
    assert rp.shortest_interval(np.array([0, 1, 8, 1, 0.0]), 0.8) == (2, 2)
    assert rp.shortest_interval(np.array([0, 1, 8, 1, 0.0]), 0.85) == (1, 2)
    assert rp.shortest_interval(np.ones(4), 1.0) == (0, 3)


def test_augment_is_a_shifted_or_flipped_crop():
    x = torch.arange(2 * 3 * 5 * 5, dtype=torch.float32).reshape(2, 3, 5, 5)
    out = rp.augment(x, torch.Generator().manual_seed(0), pad=0)  # no padding: only flips
    for image, original in zip(out, x):
        assert torch.equal(image, original) or torch.equal(image, original.flip(-1))
