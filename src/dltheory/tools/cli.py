"""Command line: ``python -m dltheory inspect PATH``, ``bench NAME``, ``plan`` and ``new NAME``."""

from __future__ import annotations

import argparse
import sys

EXIT_STATUS = """exit status:
  0  done
  2  bad input, nothing run: a wrong path, a file that is not what it should be, a bad config
     value, an unknown option (the message names the file or key and how to fix it)
  1  anything else: a bug, reported with its traceback"""


def _positive(text: str) -> int:
    """An argparse type: an integer ≥ 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input (:class:`~dltheory.core.artifacts.InputError`) is one ``error:``
    line on stderr and exit status 2, never a traceback."""
    from dltheory.core.artifacts import InputError

    try:
        return _main(argv)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dltheory", description=__doc__, epilog=EXIT_STATUS, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_inspect = sub.add_parser("inspect", help="print a readable summary of an artifact (CSV, NPZ, JSON)")
    p_inspect.add_argument("paths", nargs="+", metavar="PATH")
    p_bench = sub.add_parser("bench", help="benchmark vectorized code against the straightforward version")
    from dltheory.tools.bench import BENCHMARKS

    p_bench.add_argument("name", choices=list(BENCHMARKS))
    p_bench.add_argument(
        "--config",
        default="config/config.yaml",
        help="ensembles, information, double_descent: config file whose depth_accuracy grid / pixel_mi images / double_descent grid is timed",
    )
    p_bench.add_argument("--steps", type=int, default=20, help="ensembles: training steps per network")
    p_bench.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="ensembles: where to train")
    p_bench.add_argument(
        "--shape",
        default="config",
        choices=["config", "paper"],
        help="ensembles: the configured grid against one network at a time, or the paper grid's shapes against bmm",
    )
    p_plan = sub.add_parser(
        "plan",
        help="before a run: FLOPs, peak memory and estimated time of every compute job (timed probes), beside the SLURM requests",
        description=(
            "For every compute job of the configured figures: FLOPs (analytic), peak memory (analytic arrays + a fixed baseline) "
            "and the run time estimated from a short timed probe on this device, with the SLURM profile's requests "
            "(set-resources of the rule, else default-resources). A request is flagged when mem_mb < 1.25 x the peak "
            "or runtime < 1.5 x the estimated time. Exit status 2 on an invalid config (nothing is run)."
        ),
    )
    p_plan.add_argument(
        "--configfile",
        nargs="+",
        default=[],
        metavar="FILE",
        help="config files overlaid on config/config.yaml in order, as Snakemake merges them (later files win)",
    )
    p_plan.add_argument(
        "--profile", default="profiles/slurm", help="SLURM profile folder whose config.yaml requests are compared (default: profiles/slurm)"
    )
    p_plan.add_argument(
        "--nodes",
        nargs="+",
        type=_positive,
        default=[1, 8, 64],
        metavar="N",
        help="node counts to give the wall time for, each node running one job at a time (default: 1 8 64)",
    )
    p_new = sub.add_parser(
        "new",
        help="write a working skeleton of a new figure (package, doc page, test, config sections) to edit into the real one",
        description="Write every piece of a new figure (docs/adding-a-figure.md), filled with a small experiment that builds and passes.",
    )
    p_new.add_argument("name", help="the figure's name: a lower-case Python identifier, e.g. random_matrices")
    p_new.add_argument("--title", default="The largest singular value of a Gaussian matrix is 2 sqrt(n)", help="one line for the report")
    args = parser.parse_args(argv)

    if args.command == "new":
        from dltheory.tools.scaffold import new_figure

        written = new_figure(args.name, args.title)
        print("wrote:\n  " + "\n  ".join(written))
        print(f"build it and see its claims: snakemake figures/{args.name}.pdf --configfile config/smoke.yaml")
        print(f"  then: python -m dltheory inspect results/{args.name}/claims.json")
        return 0

    if args.command == "plan":
        from dltheory.tools.plan import main as plan

        return plan(args.configfile, args.profile, nodes=args.nodes)

    if args.command == "inspect":
        from dltheory.tools.inspect import summarize

        for path in args.paths:
            print(summarize(path))
        return 0
    from dltheory.tools.bench import run

    name = "ensembles_paper" if args.name == "ensembles" and args.shape == "paper" else args.name
    options = {
        "meanfield": {},
        "ensembles": {"config": args.config, "steps": args.steps, "device": args.device},
        "ensembles_paper": {"device": args.device},
        "information": {"config": args.config},
        "double_descent": {"config": args.config},
        "load": {},
    }[name]
    print(run(name, **options))
    return 0
