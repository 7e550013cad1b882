"""Figure ``lucky_weights``: lucky student nodes converge first (Tian et al. 2019, "Luck Matters").

From the batched teacher-student trainings (:mod:`dltheory.science.teacher_student`), deep and two-layer:

(a) for each teacher node, its best student's correlation over training;
(b) luck: the *initial* correlation rank of each teacher node's *final* best student (its winner),
    and, for every student node, the steps until its correlation with its final best teacher
    reaches 0.95 against its initial correlation;
(c) two-layer, over-parameterized (Tian 2020's setup, where the fan-out claim is made): a
    student's final best correlation against its fan-out norm (an L shape: only matched students
    keep large fan-out weights), the fan-out norms over training, the winners' initial ranks;
(d) lottery ticket, our protocol: keep the top-k students of each layer by fan-out norm, cut that
    sub-network out and train it from the original initial weights and from a fresh draw of the
    same distribution; the original initialization should recover the teacher faster and more often.

Definitions (ours where the paper gives none):

* A student node is *matched* when its final correlation with its best teacher node is ≥ 0.95
  (:data:`MATCH`); ``steps_to_match`` is the first observation step at which it reached 0.95 with
  that teacher node (NaN: never).
* A teacher node's *winner* is the student of largest final correlation with it; its initial rank
  is its place (1 = best) among all students of the layer by initial correlation with that
  teacher node. Chance is (S + 1)/2 for S students.
* Fan-out norm: the norm of a node's outgoing weights (its row in the next layer's W), at the end.
* A teacher node is *recovered* by a ticket when some student reaches correlation ≥ 0.95 with it.

Science: :mod:`dltheory.science.teacher_student` (the teachers, the batched students, the
lottery tickets, the node correlations).
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require

NAME = "lucky_weights"
SOURCE = "Tian et al. 2019 (arXiv 1905.13405)"


def check(config: dict) -> None:
    """The teachers must exist (distinct nonzero weight rows), the ticket fit inside the student,
    and a batch inside the training set."""
    lw = config[NAME]["compute"]
    tl = lw["two_layer"]
    errors = []
    teachers = (
        ("weight_choices", lw["weight_choices"], [lw["n_in"], *lw["teacher_widths"], lw["n_out"]]),
        ("two_layer.weight_choices", tl["weight_choices"], [tl["n_in"], tl["teacher_width"], tl["n_out"]]),
    )
    for key, choices, widths in teachers:
        values, has_zero = len(choices), 0 in choices
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            rows = values**fan_in - has_zero  # distinct rows, the all-zero one excluded
            if rows < fan_out:
                errors.append(
                    f"{NAME}.compute.{key}: {values} values give {rows} distinct nonzero rows of "
                    f"{fan_in} weights, fewer than the {fan_out} nodes of a teacher layer; allowed: more values or wider layers"
                )
    if lw["lottery"]["keep"] > lw["multiplier"]:
        errors.append(
            f"{NAME}.compute.lottery.keep: {lw['lottery']['keep']} teacher widths exceed the student "
            f"(multiplier {lw['multiplier']}); allowed: 1 .. {lw['multiplier']}"
        )
    for key, section in (("batch_size", lw), ("two_layer.batch_size", tl)):
        if section["batch_size"] > section["n_train"]:
            errors.append(f"{NAME}.compute.{key}: {section['batch_size']} exceeds n_train ({section['n_train']}); allowed: <= n_train")
    require(errors)


def students_setup(compute: dict) -> dict:
    """The deep students' setup, shared by the train and lottery jobs: the compute section but the
    lottery (which only the second uses) and the two-layer experiment (which has its own jobs)."""
    return {k: v for k, v in compute.items() if k not in ("lottery", "two_layer")}


FIGURE = Figure(
    name=NAME,
    order=30,
    title="Lucky student nodes: teacher-student ReLU networks, deep and two-layer",
    sources=(
        "Tian et al. 2019, Luck Matters (arXiv 1905.13405)",
        "Tian 2020, Student Specialization, ICML (arXiv 1909.13458)",
        "Frankle & Carbin 2019, the lottery ticket (our protocol)",
    ),
    outputs={
        "correlations": "correlations.npz",
        "students": "students.npz",
        "lottery": "lottery.csv",
        "two_layer": "two_layer_x{multiplier}.npz",
    },
    steps=(
        # one batched deep teacher-student training (all seeds)
        Step(
            "train",
            outputs=("correlations", "students"),
            params=lambda c, w: {"setup": students_setup(c)},
            threads=4,
            device=True,
            checkpoints=True,
            mem_mb=4000,
        ),
        # the lottery-ticket retraining of its sub-networks
        Step(
            "lottery",
            outputs=("lottery",),
            inputs=("students",),
            params=lambda c, w: {"setup": students_setup(c), "lottery": c["lottery"]},
            threads=4,
            device=True,
            checkpoints=True,
            mem_mb=2000,
        ),
        # the two-layer over-parameterized students, one job per student multiplier: the multiplier
        # is the job's wildcard, so adding one to the list reruns nothing else
        Step(
            "two_layer",
            outputs=("two_layer",),
            params=lambda c, w: {"setup": {k: v for k, v in c["two_layer"].items() if k != "multipliers"}},
            wildcards={"multiplier": r"\d+"},
            threads=1,  # tiny matrices: one thread is fastest, and a GPU would wait on kernel launches
            device=True,
            gpu=False,  # pinned to the CPU, `device: auto` included (docs/lucky_weights.md)
            mem_mb=1000,
        ),
    ),
    artifacts=lambda config: {
        "correlations": FIGURE.output("correlations"),
        "students": FIGURE.output("students"),
        "lottery": FIGURE.output("lottery"),
        **{f"two_layer_x{m}": FIGURE.output("two_layer", multiplier=m) for m in config[NAME]["compute"]["two_layer"]["multipliers"]},
    },
    analysis={
        "nodes": "nodes.csv",
        "winners": "winners.csv",
        "two_layer_nodes": "two_layer_nodes.csv",
        "two_layer_winners": "two_layer_winners.csv",
        "two_layer_fan_out": "two_layer_fan_out.csv",
    },
    check=check,
)
