"""dltheory.engine.depth_training: depth_accuracy's grid trained batched against the one-network-at-a-time
reference, divergence, checkpoints and resume, progress lines."""

import numpy as np
import pandas as pd
import pytest
import torch

from dltheory.core.data import load_dataset
from dltheory.core.progress import Progress
from dltheory.engine.depth_training import COLUMNS, TrainSpec, _GroupTrainer, train_ensemble
from dltheory.engine.ensembles import member_grid
from dltheory.science.reference import train_sequential


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's digits (64 features), cut to 300 train / 100 test samples to stay fast."""
    return load_dataset("digits", seed=0, n_train=300, n_test=100)


GRID = member_grid([0.9, 1.8, 3.5], [0.05], [1, 3], [0, 1])  # 12 members, two depth groups
MEASURED = ["steps", "train_acc", "test_acc", "final_loss", "diverged"]


def quiet(message):
    pass


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.05), ("rmsprop", 0.003)])
def test_batched_training_equals_the_sequential_reference(digits, optimizer, lr):
    spec = TrainSpec(optimizer, lr, steps=25, batch_size=32, width=16, dtype="float64")
    batched = train_ensemble(GRID, digits, spec, log=quiet)
    sequential = train_sequential(GRID, digits, spec)
    assert list(batched.columns) == COLUMNS
    pd.testing.assert_frame_equal(batched.drop(columns=MEASURED), sequential.drop(columns=MEASURED))
    np.testing.assert_array_equal(batched.steps, 25)
    np.testing.assert_allclose(batched.final_loss, sequential.final_loss, rtol=1e-9)
    np.testing.assert_array_equal(batched.train_acc, sequential.train_acc)
    np.testing.assert_array_equal(batched.test_acc, sequential.test_acc)
    assert batched.train_acc.max() > 0.5  # it learned something: the comparison is not between two chance levels


def test_one_job_per_depth_gives_bitwise_the_table_of_one_job_for_all_depths(digits):
    # depth_accuracy shards a panel by depth: each depth group is an independent batched ensemble
    # (its own initializations and seeded batches), so the shards' rows are the unsharded run's, bit for bit.
    spec = TrainSpec("sgd", 0.05, steps=15, batch_size=32, width=16, dtype="float32")
    whole = train_ensemble(GRID, digits, spec, log=quiet)
    shards = [train_ensemble([m for m in GRID if m.depth == depth], digits, spec, log=quiet) for depth in (1, 3)]
    pd.testing.assert_frame_equal(pd.concat(shards, ignore_index=True), whole, check_exact=True)


def test_a_diverging_member_is_frozen_and_flagged_without_touching_the_others(digits):
    spec = TrainSpec("sgd", 0.05, steps=10, batch_size=32, width=16, dtype="float64")
    group = [m for m in GRID if m.depth == 3]
    trainer = _GroupTrainer(group, digits, spec, torch.float64, "cpu", checkpoint=None, checkpoint_every=0)
    with torch.no_grad():
        trainer.model.weights[-1][2, 0, 0] = float("inf")  # member 2 blows up at its first step
    x, y = torch.as_tensor(digits.x_train, dtype=torch.float64), torch.as_tensor(digits.y_train)
    xt, yt = torch.as_tensor(digits.x_test, dtype=torch.float64), torch.as_tensor(digits.y_test)
    trainer.train(x, y, _silent_progress(), "test")
    result = trainer.finish(x, y, xt, yt)
    assert result.diverged.tolist() == [False, False, True, False, False, False]
    assert result.steps.tolist() == [10, 10, 0, 10, 10, 10]
    assert torch.isinf(trainer.model.weights[-1][2, 0, 0])  # frozen as it stood
    others = [m for i, m in enumerate(group) if i != 2]
    alone = train_sequential(others, digits, spec)
    np.testing.assert_allclose(result.drop(index=2).final_loss, alone.final_loss, rtol=1e-9)


def test_divergence_is_recorded_alike_by_both_implementations(digits):
    spec = TrainSpec("sgd", float("inf"), steps=5, batch_size=32, width=8, dtype="float64")
    members = member_grid([1.0], [0.05], [2], [0, 1])
    batched, sequential = train_ensemble(members, digits, spec, log=quiet), train_sequential(members, digits, spec)
    assert batched.diverged.all() and sequential.diverged.all()
    np.testing.assert_array_equal(batched.steps, sequential.steps)
    np.testing.assert_array_equal(batched.train_acc, sequential.train_acc)


def _silent_progress():
    return Progress(0, quiet, every_s=1e9)


class Killed(Exception):
    pass


def test_a_killed_run_resumes_from_its_checkpoint_and_matches_an_uninterrupted_run(digits, tmp_path):
    spec = TrainSpec("rmsprop", 0.003, steps=12, batch_size=32, width=16)
    uninterrupted = train_ensemble(GRID, digits, spec, log=quiet)

    def dies_at_depth_3_step_8(message):
        if message.startswith("depth 3") and "step 8/" in message:
            raise Killed

    with pytest.raises(Killed):
        train_ensemble(GRID, digits, spec, checkpoint_dir=tmp_path, checkpoint_every=5, log=dies_at_depth_3_step_8, progress_every_s=0)
    lines = []
    resumed = train_ensemble(GRID, digits, spec, checkpoint_dir=tmp_path, checkpoint_every=5, log=lines.append, progress_every_s=0)
    assert any(line.startswith("depth 1") and "finished earlier" in line for line in lines)
    assert any(line.startswith("depth 3") and "resumed from checkpoint" in line and "at step 5" in line for line in lines)
    assert not any("step 5/" in line or "step 1/" in line for line in lines if line.startswith("depth 3"))
    pd.testing.assert_frame_equal(resumed, uninterrupted)


def test_a_checkpoint_of_another_config_is_ignored(digits, tmp_path):
    spec = TrainSpec("sgd", 0.05, steps=6, batch_size=32, width=8)
    train_ensemble(GRID, digits, spec, checkpoint_dir=tmp_path, checkpoint_every=2, log=quiet)
    other = TrainSpec("sgd", 0.01, steps=6, batch_size=32, width=8)
    lines = []
    result = train_ensemble(GRID, digits, other, checkpoint_dir=tmp_path, checkpoint_every=2, log=lines.append)
    assert not any("finished earlier" in line or "resumed" in line for line in lines)
    pd.testing.assert_frame_equal(result, train_ensemble(GRID, digits, other, log=quiet))


def test_progress_lines_give_step_loss_rate_and_eta(digits):
    lines = []
    train_ensemble(GRID, digits, TrainSpec("sgd", 0.05, 3, 32, 8), log=lines.append, progress_every_s=0)
    assert len(lines) == 6  # 3 steps x 2 depth groups
    last = lines[-1]
    for part in ("depth 3", "step 3/3", "loss", "alive 6/6", "layer-steps/s", "done 100.0%", "ETA 0 s"):
        assert part in last


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_training_matches_the_cpu_reference(digits):
    """Same initial weights and batches on both devices (drawn on the CPU): float64 agrees closely."""
    spec = TrainSpec("rmsprop", 0.003, steps=25, batch_size=32, width=16, dtype="float64")
    gpu = train_ensemble(GRID, digits, spec, device="cuda", log=quiet)
    cpu = train_sequential(GRID, digits, spec)
    np.testing.assert_allclose(gpu.final_loss, cpu.final_loss, rtol=1e-6)
    np.testing.assert_allclose(gpu.train_acc, cpu.train_acc, atol=2 / 300)  # at most a sample or two flips


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_compiled_cuda_graph_training_matches_eager(digits):
    """compile: true (inductor, CUDA graphs) trains the same networks as the eager engine, up to rounding."""
    spec = TrainSpec("sgd", 0.05, steps=25, batch_size=32, width=16)
    eager = train_ensemble(GRID, digits, spec, device="cuda", log=quiet)
    compiled = train_ensemble(GRID, digits, TrainSpec(**{**spec.__dict__, "compile": True}), device="cuda", log=quiet)
    np.testing.assert_allclose(compiled.final_loss, eager.final_loss, rtol=1e-4)
