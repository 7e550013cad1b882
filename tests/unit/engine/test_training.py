"""dltheory.engine.training: minibatch order, optimizers, per-member losses, checkpoint keys."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dltheory.core.progress import Progress
from dltheory.engine.ensembles import MLPEnsemble, mean_field_ensemble, member_grid
from dltheory.engine.training import (
    EnsembleTrainer,
    batch_indices,
    checkpoint_key,
    cross_entropy,
    make_optimizer,
    mean_squared_error,
    seed_batches,
)


def test_batches_cover_each_epoch_once_and_depend_only_on_seed_and_step():
    n, batch = 50, 8
    epoch = np.concatenate([batch_indices(3, step, n, batch) for step in range(6)])  # 6 = 50 // 8 steps per epoch
    assert len(np.unique(epoch)) == 48
    np.testing.assert_array_equal(batch_indices(3, 7, n, batch), batch_indices(3, 7, n, batch))
    assert not np.array_equal(batch_indices(3, 6, n, batch), batch_indices(3, 0, n, batch))  # next epoch reshuffles
    assert not np.array_equal(batch_indices(4, 0, n, batch), batch_indices(3, 0, n, batch))
    with pytest.raises(ValueError, match="exceeds"):
        batch_indices(0, 0, 5, 8)


def test_seed_batches_stack_each_members_own_batches():
    stacked = seed_batches([3, 4, 3], 7, 50, 8)
    assert stacked.shape == (3, 8)
    for row, seed in zip(stacked, (3, 4, 3)):
        np.testing.assert_array_equal(row, batch_indices(seed, 7, 50, 8))


def test_make_optimizer_is_plain_sgd_or_rmsprop_and_refuses_others():
    params = [torch.nn.Parameter(torch.zeros(2))]
    sgd, rms = make_optimizer("sgd", 0.1, params), make_optimizer("rmsprop", 0.1, params)
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["momentum"] == 0
    assert isinstance(rms, torch.optim.RMSprop) and rms.defaults["alpha"] == 0.99 and rms.defaults["eps"] == 1e-8
    with pytest.raises(ValueError, match="adam"):
        make_optimizer("adam", 0.1, params)


def test_per_member_losses_equal_each_members_own_torch_loss():
    rng = torch.Generator().manual_seed(0)
    logits, labels = torch.randn(3, 5, 4, generator=rng, dtype=torch.float64), torch.randint(0, 4, (3, 5), generator=rng)
    targets = torch.randn(3, 5, 4, generator=rng, dtype=torch.float64)
    ce, mse = cross_entropy(logits, labels), mean_squared_error(logits, targets)
    assert ce.shape == mse.shape == (3,)
    for e in range(3):
        torch.testing.assert_close(ce[e], F.cross_entropy(logits[e], labels[e]), rtol=1e-12, atol=0)
        torch.testing.assert_close(mse[e], torch.nn.MSELoss()(logits[e], targets[e]), rtol=1e-12, atol=0)


def test_checkpoint_key_changes_with_the_description_and_with_any_byte_of_the_arrays():
    a = np.arange(6.0)
    key = checkpoint_key({"lr": 0.1}, [a])
    assert key == checkpoint_key({"lr": 0.1}, [a.copy()]) and len(key) == 64
    assert key != checkpoint_key({"lr": 0.2}, [a])
    b = a.copy()
    b[3] = np.nextafter(b[3], np.inf)  # one bit of one number
    assert key != checkpoint_key({"lr": 0.1}, [b])


def test_only_non_finite_members_are_frozen_even_when_a_gradient_sum_overflows():
    """The one-sum-per-member check is exact: a member whose finite gradients sum past float32's
    range keeps training; NaN in a gradient or an infinite loss freezes that member alone, and a
    frozen member's gradients are zeroed."""
    model = MLPEnsemble([(3, 2), (2, 1)], 4, "tanh", torch.float32)
    trainer = EnsembleTrainer(model, "sgd", 0.1, mean_squared_error)
    grad = model.flat.grad
    grad.fill_(1.0)
    grad[0, :2] = 3e38  # finite, but their float32 sum is inf
    grad[1, 3] = float("nan")
    trainer._freeze_non_finite(torch.tensor([1.0, 1.0, float("inf"), 1.0]))
    assert trainer.alive.tolist() == [True, False, False, True]
    assert not grad[1:3].any() and grad[3].eq(1.0).all() and grad[0, 0] == 3e38
    grad.fill_(float("nan"))
    grad[[0, 3]] = 1.0  # a later step: the frozen members' NaN gradients are zeroed, nobody else is frozen
    trainer._freeze_non_finite(torch.tensor([1.0, float("nan"), float("nan"), 1.0]))
    assert trainer.alive.tolist() == [True, False, False, True] and not grad[1:3].any()


def test_the_compiled_path_trains_exactly_as_eager():
    """The torch.compile path (here the aot_eager backend, which needs no compiler: the same traced
    forward and backward graphs, run op by op) gives the eager engine's parameters bit for bit."""
    members = member_grid([1.0, 2.5], [0.05], [4], [0, 1])
    x, y = torch.randn(64, 12, generator=torch.Generator().manual_seed(0)), torch.arange(64) % 3
    trained = []
    for backend in (None, "aot_eager"):
        model = mean_field_ensemble(members, 12, 8, 3)
        trainer = EnsembleTrainer(model, "rmsprop", 0.01, cross_entropy, compile_backend=backend)
        trainer.train(5, lambda step: (x[:16].expand(4, -1, -1), y[:16].expand(4, -1)), Progress(0, lambda _: None, 1e9), "t")
        trained.append(model.flat.detach().clone())
    assert not torch.equal(trained[0], mean_field_ensemble(members, 12, 8, 3).flat)  # it trained
    torch.testing.assert_close(trained[1], trained[0], rtol=0, atol=0)


def test_the_compiled_path_compiles_every_depth_group():
    """Each trainer compiles anew: a grid of more depth groups than dynamo's recompile limit (8)
    still runs compiled in every group (an exceeded limit raises here instead of going eager)."""
    x, y = torch.randn(16, 5, generator=torch.Generator().manual_seed(1)), torch.arange(16) % 2
    with torch._dynamo.config.patch(fail_on_recompile_limit_hit=True):
        for depth in range(1, 11):
            model = mean_field_ensemble(member_grid([1.5], [0.05], [depth], [0]), 5, 4, 2)
            trainer = EnsembleTrainer(model, "sgd", 0.1, cross_entropy, compile_backend="aot_eager")
            trainer.train(2, lambda step: (x[None], y[None]), Progress(0, lambda _: None, 1e9), "t")
