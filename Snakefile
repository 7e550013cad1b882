# The dltheory replication workflow. `snakemake figures/all` builds every figure from nothing;
# `snakemake figures/<figure>.pdf` one figure. Compute and plot are separate rules, so replotting
# never retrains. A figure is a package under src/dltheory/figures/, found by discovery; see
# README.md and docs/ (docs/adding-a-figure.md: how a figure plugs in).
from snakemake.utils import min_version

min_version("9.11")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


# Before any job: a bad value names its key, the value and what is allowed (the schemas in
# workflow/schemas, then the figures' cross-key checks), and a damaged artifact stops the run;
# nothing is built or deleted.
check_config(config)
if workflow.is_main_process:
    check_other_runs()
    check_results()


# When the jobs are about to start (not in a dry run): a device this machine lacks, or another live
# run of this directory, stops the run here; else this run is recorded until it ends
# (dltheory.core.runs: one run at a time, and no job outlives its run).
onstart:
    if problem := start_problem():
        raise WorkflowError(problem)


# Every figure's compute rules (generated from its declared steps), then its claims and plot rules.
include: "workflow/rules/compute.smk"
include: "workflow/rules/figures.smk"


# The default target: every selected figure, the claims scorecard figures/claims.md, the gallery
# figures/gallery.md (each figure with its status from this build) and a sha256sum manifest of
# them all (`sha256sum -c figures/all` verifies a build).
rule all_figures:
    default_target: True
    localrule: True
    input:
        figures=[f for fig in selected_figures() for f in figure_files(fig.name).values()],
        claims=[fig.result("claims.json") for fig in selected_figures()],
        code=code("core/gallery.py"),
    output:
        manifest="figures/all",
        scorecard=report("figures/claims.md", caption="workflow/report/claims.rst", category="scorecard"),
        gallery="figures/gallery.md",
    params:
        code=code_digest("core/gallery.py"),
    log:
        "logs/all_figures.log",
    conda:
        "envs/dltheory.yaml"
    script:
        "workflow/scripts/run.py"


# What the code digests parsed, kept for the next start (dltheory.core.code_digest).
dltheory.core.code_digest.save_store(workflow.basedir)
