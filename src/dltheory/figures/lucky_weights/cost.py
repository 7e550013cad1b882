"""Cost of lucky_weights' compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np

from dltheory.core.cost import BYTES, reduced, seeds_of, sliced
from dltheory.core.device import resolve_device
from dltheory.figures.lucky_weights import FIGURE, NAME, students_setup
from dltheory.science.teacher_student import Setup, TwoLayerSetup, observation_steps, train_students, train_two_layer


def _weights(widths: list[int]) -> int:
    """Σ fan_in fan_out of a bias-free net of layer ``widths``."""
    return sum(a * b for a, b in zip(widths[:-1], widths[1:]))


def _student_flops(spec: dict) -> float:
    """FLOPs of a teacher-student training job (deep students, lottery tickets or two-layer).
    Students of layer widths [n_in, s_1, …, n_out] have P = Σ fan_in fan_out weights; E members:
    per step (6 B P − 2 B n_in s_1) E (the matmuls of forward and backward; no gradient of the
    inputs); per observation, on n_eval inputs, the forward
    pass 2 n_eval P E and the node correlations 2 n_eval Σ_l s_l t_l E with the teacher's widths
    t_l; once, the teacher's outputs on the n_train inputs, 2 n_train P_teacher."""

    setup, students, members = spec["setup"], spec["students"], len(spec["members"])
    teacher = [setup["n_in"], *spec["teacher"], setup["n_out"]]
    correlations = 2 * sum(s * t for s, t in zip(students[1:-1], teacher[1:-1]))
    observations = len(observation_steps(spec["steps"], setup["observations"]))
    return (
        spec["steps"] * setup["batch_size"] * (6 * _weights(students) - 2 * students[0] * students[1]) * members
        + observations * setup["n_eval"] * (2 * _weights(students) + correlations) * members
        + 2 * setup["n_train"] * _weights(teacher)
    )


def _student_memory(spec: dict) -> float:
    """Bytes: the training inputs and the teacher's outputs and hidden layers on them (float64
    while computed, then copies in the training dtype), the observations' correlations
    [observations, E, s_l, t_l] (float32), and the members' parameters with gradients."""

    setup, students, members = spec["setup"], spec["students"], len(spec["members"])
    per_input = setup["n_in"] + sum(spec["teacher"]) + setup["n_out"]
    data = setup["n_train"] * per_input * (8 + BYTES[setup["dtype"]])
    observations = len(observation_steps(spec["steps"], setup["observations"]))
    records = observations * members * sum(s * t for s, t in zip(students[1:-1], spec["teacher"])) * 4
    params = 2 * members * _weights(students) * BYTES[setup["dtype"]]
    return data + records + params


def _student_spec(setup: dict, teacher: list[int], hidden: list[int], members: list[int], steps: int, kind: str) -> dict:
    """What a teacher-student job trains: ``kind`` deep (autograd) or two_layer (hand-written
    step), students of ``hidden`` widths, one member per entry of ``members`` (its seed)."""
    return {
        "setup": setup,
        "teacher": teacher,
        "students": [setup["n_in"], *hidden, setup["n_out"]],
        "members": members,
        "steps": steps,
        "kind": kind,
    }


def _student_run(spec: dict, device: str) -> None:

    cfg, seeds, quiet = spec["setup"], spec["members"], {"log": lambda message: None, "progress_every_s": float("inf")}
    observe_at = observation_steps(spec["steps"], cfg["observations"])
    if spec["kind"] == "two_layer":
        multiplier = spec["students"][1] // spec["teacher"][0]
        setup = TwoLayerSetup.from_config(cfg, multiplier=multiplier, teacher_widths=tuple(spec["teacher"]), steps=spec["steps"])
        train_two_layer(setup, seeds, observe_at, device=device, **quiet)
        return
    setup = Setup.from_config(cfg, steps=spec["steps"])
    init = [setup.init(spec["students"], np.random.default_rng(seed)) for seed in seeds]
    train_students(setup, init, seeds, observe_at, device=device, **quiet)


def jobs(config: dict) -> list:
    """``lucky_weights_train`` (the deep students), ``lucky_weights_lottery`` (2 tickets per seed,
    ``keep`` × the teacher's widths) and ``lucky_weights_two_layer`` per multiplier. Probes: the
    same members and shapes for 100 steps less 20 (two-layer: 300 less 60; its steps are tiny), 2
    observations: the marginal time of the steps, without the setup (inputs, teacher outputs) both runs pay."""

    c, device = config[NAME]["compute"], resolve_device(config["device"])
    setup = students_setup(c)
    teacher, seeds = c["teacher_widths"], seeds_of(c)
    two, two_seeds = c["two_layer"], seeds_of(c["two_layer"])
    trainings = [
        (f"{NAME}_train", "", _student_spec(setup, teacher, [c["multiplier"] * t for t in teacher], seeds, c["steps"], "deep"), 100),
        (
            f"{NAME}_lottery", "",
            _student_spec(setup, teacher, [c["lottery"]["keep"] * t for t in teacher], seeds + seeds, c["lottery"]["steps"], "deep"), 100,
        ),
        *(
            (f"{NAME}_two_layer", str(m), _student_spec(two, [two["teacher_width"]], [m * two["teacher_width"]], two_seeds, two["steps"], "two_layer"), 300)
            for m in two["multipliers"]
        ),
    ]  # fmt: skip
    two_layer_device = FIGURE.step("two_layer").job_device(device)  # pinned to the CPU
    run = lambda s: _student_run(s, two_layer_device if s["kind"] == "two_layer" else device)
    return [
        sliced(
            rule,
            wildcards,
            spec,
            reduced(spec, steps=min(spec["steps"], steps), setup__observations=2),
            _student_flops,
            _student_memory,
            run,
            baseline_spec=reduced(spec, steps=min(spec["steps"], steps) // 5, setup__observations=2),
        )
        for rule, wildcards, spec, steps in trainings
    ]
