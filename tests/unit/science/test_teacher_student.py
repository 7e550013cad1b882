"""dltheory.science.teacher_student: the teacher, the student initialization, node correlations, training, tickets."""

import dataclasses

import numpy as np
import pytest
import torch

from dltheory.core.artifacts import read_arrays, write_arrays
from dltheory.engine.ensembles import MLPEnsemble
from dltheory.engine.training import batch_indices
from dltheory.science.teacher_student import (
    REINIT_STREAM,
    Setup,
    TwoLayerSetup,
    default_init,
    distinct_rows,
    fan_out_norms,
    node_correlations,
    observation_steps,
    stack_params,
    student_init,
    teacher_params,
    ticket,
    top_fan_out,
    train_students,
    train_two_layer,
    two_layer_teacher,
    unstack_params,
)

TINY = Setup(
    n_in=6, teacher_widths=(3, 4), n_out=5, multiplier=3, n_train=512, n_eval=256, lr=0.01, batch_size=32, steps=40, dtype="float64"
)


TWO_LAYER = TwoLayerSetup(n_in=8, teacher_widths=(3,), n_out=4, multiplier=3, n_train=256, n_eval=128, batch_size=8, steps=60, lr=0.05)


def quiet(message):
    pass


def test_teacher_rows_are_distinct_nonzero_alphabet_words_of_unit_norm():
    params = teacher_params(Setup())
    assert [w.shape for w, _ in params] == [(20, 10), (10, 15), (15, 20), (20, 25), (25, 100)]
    for w, b in params:
        rows = w.T  # a row per node: its incoming weights
        np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-12)
        assert len(np.unique(rows.round(12), axis=0)) == len(rows)
        # row = word / |word| with word entries in {0, ±0.25, ±0.5}: over the smallest nonzero
        # |entry|, every entry is an integer in [-2, 2]
        smallest = np.array([np.abs(r[np.abs(r) > 1e-12]).min() for r in rows])[:, None]
        ratios = rows / smallest
        np.testing.assert_allclose(ratios, np.round(ratios), atol=1e-9)
        assert np.abs(ratios).max() <= 2 + 1e-9
        # the bias was U(-1/2, 1/2) before the same division, and |word| >= 0.25 |ratios|
        assert np.all(np.abs(b) * 0.25 * np.linalg.norm(ratios, axis=1) <= 0.5 + 1e-12)


def test_distinct_rows_refuses_an_impossible_request():
    rng = np.random.default_rng(0)
    rows = distinct_rows(24, 2, [-1.0, 0.0, 1.0, 2.0, 3.0], rng)  # 25 words of length 2, one of them zero
    assert len({r.tobytes() for r in rows}) == 24 and rows.any(axis=1).all()
    with pytest.raises(ValueError, match="distinct"):
        distinct_rows(25, 2, [-1.0, 0.0, 1.0, 2.0, 3.0], rng)


def test_default_init_is_pytorchs_uniform_fan_in_bound():
    params = default_init([400, 300, 2], np.random.default_rng(0))
    for (w, b), fan_in in zip(params, (400, 300)):
        bound = 1 / np.sqrt(fan_in)
        assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.var(params[0][0]) == pytest.approx(1 / 400 / 3, rel=0.02)  # U(-a, a): variance a²/3 (120k draws)


def test_node_correlations_equal_a_direct_per_pair_computation():
    rng = np.random.default_rng(3)
    teacher = np.maximum(rng.standard_normal((200, 4)), 0.0)
    student = np.maximum(rng.standard_normal((2, 200, 5)) + teacher[None, :, :1], 0.0)
    student[1, :, 2] = 0.0  # a dead node
    corr = node_correlations(torch.as_tensor(student), torch.as_tensor(teacher)).numpy()
    assert corr.shape == (2, 5, 4)
    for e in range(2):
        for s in range(5):
            for t in range(4):
                expected = 0.0 if student[e, :, s].std() == 0 else np.corrcoef(student[e, :, s], teacher[:, t])[0, 1]
                assert corr[e, s, t] == pytest.approx(expected, abs=1e-12)


def test_members_train_alone_batched_relu_mse():
    """Two students trained as one ensemble equal each trained alone (float64, same batches)."""
    seeds = [0, 1]
    at = observation_steps(TINY.steps, 5)
    together = train_students(TINY, [student_init(TINY, s) for s in seeds], seeds, at, log=quiet)
    for e, s in enumerate(seeds):
        alone = train_students(TINY, [student_init(TINY, s)], [s], at, log=quiet)
        np.testing.assert_allclose(together.eval_loss[:, e], alone.eval_loss[:, 0], rtol=1e-10)
        for a, b in zip(together.final[e], alone.final[0]):
            np.testing.assert_allclose(a[0], b[0], rtol=1e-10, atol=1e-12)


def test_a_student_started_near_the_teacher_recovers_it():
    setup = dataclasses.replace(TINY, multiplier=1, steps=300)
    teacher = teacher_params(setup)
    rng = np.random.default_rng(7)
    near = [(w + 0.05 * rng.standard_normal(w.shape), b + 0.05 * rng.standard_normal(b.shape)) for w, b in teacher]
    run = train_students(setup, [near], [0], observation_steps(setup.steps, 10), log=quiet)
    for corr in run.corr:  # [K, 1, T, T]: student node i should match teacher node i
        diagonal = np.diagonal(corr[-1, 0])
        assert diagonal.min() > 0.99 and np.all(corr[-1, 0].argmax(axis=0) == np.arange(corr.shape[-1]))
    assert run.eval_loss[-1, 0] < 0.5 * run.eval_loss[0, 0]


def test_a_killed_run_resumes_from_its_checkpoint(tmp_path):
    class Killed(Exception):
        pass

    def dies_at_step_30(message):
        if "step 30/" in message:
            raise Killed

    seeds, at = [0, 1], observation_steps(TINY.steps, 8)
    init = [student_init(TINY, s) for s in seeds]
    uninterrupted = train_students(TINY, init, seeds, at, log=quiet)
    with pytest.raises(Killed):
        train_students(TINY, init, seeds, at, checkpoint=tmp_path / "c.pt", checkpoint_every=20, log=dies_at_step_30, progress_every_s=0)
    lines = []
    resumed = train_students(TINY, init, seeds, at, checkpoint=tmp_path / "c.pt", checkpoint_every=20, log=lines.append, progress_every_s=0)
    assert any("resumed from checkpoint" in line and "at step 20" in line for line in lines)
    np.testing.assert_array_equal(resumed.steps, uninterrupted.steps)
    np.testing.assert_array_equal(resumed.eval_loss, uninterrupted.eval_loss)
    for a, b in zip(resumed.corr, uninterrupted.corr):
        np.testing.assert_array_equal(a, b)


def test_a_ticket_is_the_network_with_the_other_nodes_cut():
    """The ticket computes what the full network computes when the dropped nodes' fan-out weights are zero."""
    full = student_init(TINY, 0)
    keep = top_fan_out(full, [2, 3])
    assert [len(k) for k in keep] == [2, 3]
    for k, norms in zip(keep, fan_out_norms(full)):
        assert norms[k].min() >= np.delete(norms, k).max()
    masked = [(w.copy(), b) for w, b in full]
    for l, k in enumerate(keep):
        drop = np.setdiff1d(np.arange(masked[l + 1][0].shape[0]), k)
        masked[l + 1][0][drop] = 0.0
    x = torch.randn(1, 50, TINY.n_in, dtype=torch.float64)
    small = MLPEnsemble.from_params([ticket(full, keep)], "relu", torch.float64)(x)
    torch.testing.assert_close(small, MLPEnsemble.from_params([masked], "relu", torch.float64)(x))


def test_parameters_survive_an_npz_round_trip(tmp_path):
    """Initial and final parameters of three students in one .npz file, as the train job writes them."""
    init = [student_init(TINY, s) for s in (0, 1, 2)]
    final = [student_init(TINY, s, stream=REINIT_STREAM) for s in (0, 1, 2)]  # other numbers of the same shapes
    path = tmp_path / "students.npz"
    write_arrays({**stack_params(init, "init_"), **stack_params(final, "final_")}, path, {"seeds": [0, 1, 2]})
    arrays = read_arrays(path)
    assert sorted(arrays) == sorted(f"{p}{wb}{l}" for p in ("init_", "final_") for wb in "wb" for l in range(3))
    assert arrays["init_w1"].shape == (3, 9, 12)  # [E, fan_in, fan_out]: 3 x 3 -> 4 x 3 hidden units
    for original, prefix in ((init, "init_"), (final, "final_")):
        back = unstack_params(arrays, prefix)
        assert len(back) == 3
        for a, b in zip(original, back):
            assert len(a) == len(b) == 3
            for (wa, ba), (wb, bb) in zip(a, b):
                assert wb.dtype == np.float64
                np.testing.assert_array_equal(wa, wb)
                np.testing.assert_array_equal(ba, bb)


def test_two_layer_teacher_is_the_icml_construction():
    """Hidden rows: distinct alphabet words of unit norm, biases −0.1; fan-outs: alphabet words over
    the hidden nodes, node i's divided by (i + 1)^decay; output biases −0.1 (recon_two_layer.py)."""
    setup = TwoLayerSetup(fan_out_decay=1.0)
    (w1, b1), (w2, b2) = two_layer_teacher(setup)
    assert w1.shape == (100, 10) and w2.shape == (10, 50)
    np.testing.assert_allclose(np.linalg.norm(w1, axis=0), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(b1, -0.1)
    np.testing.assert_array_equal(b2, -0.1)
    words = w2 * np.arange(1, 11)[:, None]  # undo the decay: every entry back in the alphabet
    assert set(np.round(words, 12).ravel()) <= {-0.5, -0.25, 0.0, 0.25, 0.5}
    assert len(np.unique(words.T, axis=0)) == 50 and words.T.any(axis=1).all()  # a distinct nonzero word per output
    flat = two_layer_teacher(TwoLayerSetup(fan_out_decay=0.0))[1][0]
    np.testing.assert_array_equal(flat, words)  # same draws; decay 0 leaves the words as drawn


def test_two_layer_students_start_gaussian_with_zero_biases():
    (w1, b1), (w2, b2) = student_init(TwoLayerSetup(), 3)
    assert w1.shape == (100, 50) and w2.shape == (50, 50)
    assert not b1.any() and not b2.any()
    assert np.std(np.concatenate([w1.ravel(), w2.ravel()])) == pytest.approx(0.005, rel=0.02)  # 7,500 draws


def test_two_layer_trainer_equals_autograd_sgd_one_network_at_a_time():
    """The batched closed-form step against torch.optim.SGD on ½ Σ (y − ŷ)² / B, one member at a time (float64)."""
    seeds = [0, 5]
    run = train_two_layer(TWO_LAYER, seeds, observation_steps(TWO_LAYER.steps, 4), log=quiet)
    teacher = MLPEnsemble.from_params([two_layer_teacher(TWO_LAYER)], "relu", torch.float64)
    x = torch.as_tensor(np.random.default_rng([0, 3]).standard_normal((TWO_LAYER.n_train, TWO_LAYER.n_in)) * TWO_LAYER.input_std)
    y = teacher(x[None])[0].detach()
    for e, seed in enumerate(seeds):
        (w1, b1), (w2, b2) = (tuple(torch.tensor(a, requires_grad=True) for a in layer) for layer in student_init(TWO_LAYER, seed))
        sgd = torch.optim.SGD([w1, b1, w2, b2], lr=TWO_LAYER.lr)
        for step in range(TWO_LAYER.steps):
            idx = torch.as_tensor(batch_indices(seed, step, TWO_LAYER.n_train, TWO_LAYER.batch_size))
            out = torch.relu(x[idx] @ w1 + b1) @ w2 + b2
            sgd.zero_grad()
            (0.5 * (y[idx] - out).square().sum(1).mean()).backward()
            sgd.step()
        for ours, reference in zip(run.final[e], [(w1, b1), (w2, b2)]):
            for a, b in zip(ours, reference):
                np.testing.assert_allclose(a, b.detach().numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(run.fan_out[0][-1], [np.linalg.norm(p[1][0], axis=1) for p in run.final], rtol=1e-12)


def test_planted_students_keep_the_teacher_and_an_unused_students_fan_out_decays():
    """Students 0..2 are the teacher's hidden nodes with its fan-out; students 3..5 are random nodes
    with fan-out 0.3. The planted ones stay at correlation ≈ 1 and keep their fan-out; the unused
    ones' fan-out decays (their output is all the error there is)."""
    setup = dataclasses.replace(TWO_LAYER, steps=4000, n_train=2048)
    (w1, b1), (w2, b2) = two_layer_teacher(setup)
    rng = np.random.default_rng(1)
    extra_in = rng.standard_normal((setup.n_in, 3))
    extra_in /= np.linalg.norm(extra_in, axis=0)
    planted = [(np.hstack([w1, extra_in]), np.concatenate([b1, np.zeros(3)])), (np.vstack([w2, np.full((3, setup.n_out), 0.15)]), b2)]
    run = train_two_layer(setup, [0], observation_steps(setup.steps, 20), init=[planted], log=quiet)
    corr, fan_out = run.corr[0][:, 0], run.fan_out[0][:, 0]  # [K, S, T], [K, S]
    np.testing.assert_array_less(0.99, np.diagonal(corr[:, :3, :3], axis1=1, axis2=2))
    np.testing.assert_allclose(fan_out[-1, :3], np.linalg.norm(w2, axis=1), rtol=0.05)
    assert np.all(fan_out[-1, 3:] < 0.1 * fan_out[0, 3:])


def test_setup_from_config_takes_its_fields_and_overrides():
    cfg = {"teacher_widths": [3, 4], "lr": 0.1, "seeds": 4, "observations": 9}
    setup = Setup.from_config(cfg, steps=7)
    assert setup.teacher_widths == (3, 4) and setup.lr == 0.1 and setup.steps == 7 and setup.student_widths == (30, 40)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_training_matches_the_cpu():
    """Same teacher, inputs, initial weights and batches on both devices (all from NumPy): float64 agrees closely."""
    seeds, at = [0, 1], observation_steps(TINY.steps, 5)
    init = [student_init(TINY, s) for s in seeds]
    gpu = train_students(TINY, init, seeds, at, device="cuda", log=quiet)
    cpu = train_students(TINY, init, seeds, at, log=quiet)
    np.testing.assert_allclose(gpu.eval_loss, cpu.eval_loss, rtol=1e-9)
    for a, b in zip(gpu.corr, cpu.corr):
        np.testing.assert_allclose(a, b, atol=1e-9)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_two_layer_training_matches_the_cpu():
    """The closed-form two-layer step on both devices from the same NumPy draws: float64 agrees closely."""
    at = observation_steps(TWO_LAYER.steps, 5)
    gpu = train_two_layer(TWO_LAYER, [0, 1], at, device="cuda", log=quiet)
    cpu = train_two_layer(TWO_LAYER, [0, 1], at, log=quiet)
    np.testing.assert_allclose(gpu.eval_loss, cpu.eval_loss, rtol=1e-9)
    np.testing.assert_allclose(gpu.fan_out[0], cpu.fan_out[0], rtol=1e-9)
