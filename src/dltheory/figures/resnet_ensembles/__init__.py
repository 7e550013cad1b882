"""Figure ``resnet_ensembles``: residual networks behave like ensembles of relatively shallow
networks (Veit, Wilber & Belongie, NIPS 2016, arXiv 1605.06431).

A residual network of 3 stages × n pre-activation blocks (downsampling at the first block of
stages 2 and 3) and a plain network of the same layout, trained per seed (a job each); then, at test time:
(a) the error after deleting each single block (Fig. 3), (b) the error against the number of
blocks deleted and of block pairs swapped (Fig. 5), (c) the binomial distribution of path lengths
(Fig. 6a), (d) the gradient magnitude reaching the input through paths of length k (Fig. 6b) and
(e) the total gradient per path length with its effective range (Fig. 6c).

Science: :mod:`dltheory.science.residual_paths`.
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require, seeds_of

NAME = "resnet_ensembles"
SOURCE = "Veit, Wilber & Belongie 2016, Residual Networks Behave Like Ensembles of Relatively Shallow Networks (NIPS, arXiv 1605.06431)"
PAPER_BLOCKS = 54  # ResNet-110 on CIFAR-10: 3 stages of 18 blocks


def check(config: dict) -> None:
    """Deletions must fit the network; the learning-rate milestones must lie inside the training."""
    c = config[NAME]["compute"]
    blocks = 3 * c["blocks"]
    errors = [
        f"{NAME}.compute.lesions.deleted: {k} is more than the {blocks} blocks; allowed: 0 .. {blocks}"
        for k in c["lesions"]["deleted"]
        if k > blocks
    ]
    errors += [
        f"{NAME}.compute.milestones: {m} is not below epochs ({c['epochs']}); allowed: epochs at which the lr falls, < epochs"
        for m in c["milestones"]
        if m >= c["epochs"]
    ]
    if sorted(c["lesions"]["deleted"]) != c["lesions"]["deleted"] or sorted(c["lesions"]["swaps"]) != c["lesions"]["swaps"]:
        errors.append(
            f"{NAME}.compute.lesions: deleted and swaps must be increasing; got {c['lesions']['deleted']}, {c['lesions']['swaps']}"
        )
    require(errors)


def _seed_params(compute: dict, wildcards) -> dict:
    """The whole section at this job's seed (a job per seed: adding seeds trains only those)."""
    return {**{k: v for k, v in compute.items() if k not in ("seeds", "seed")}, "seed": int(wildcards["seed"])}


FIGURE = Figure(
    name=NAME,
    order=160,
    title="Residual networks behave like ensembles of relatively shallow networks",
    sources=(SOURCE,),
    outputs={"single": "single_s{seed}.csv", "curves": "curves_s{seed}.csv", "paths": "paths_s{seed}.csv", "plain": "plain_s{seed}.csv"},
    # Two jobs per seed, the residual network's and its plain twin's: independent trainings, so
    # on a cluster they run side by side (at paper scale each is a ResNet-110's training).
    steps=tuple(
        Step(
            name,
            outputs=outputs,
            params=_seed_params,
            wildcards={"seed": lambda c: "|".join(str(s) for s in seeds_of(c))},
            device=True,
            data=True,
            threads=2,
        )
        for name, outputs in (("lesion", ("single", "curves", "paths")), ("plain", ("plain",)))
    ),
    artifacts=lambda config: {
        # both networks' single deletions in one table (its column `architecture` tells them apart)
        "single": [FIGURE.output(key, seed=s) for key in ("single", "plain") for s in seeds_of(config[NAME]["compute"])],
        **{key: [FIGURE.output(key, seed=s) for s in seeds_of(config[NAME]["compute"])] for key in ("curves", "paths")},
    },
    check=check,
)
