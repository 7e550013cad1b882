# The dltheory replication workflow. `snakemake figures/all` builds every figure from nothing;
# `snakemake figures/<figure>.pdf` one figure. Compute and plot are separate rules, so replotting
# never retrains. The figures are registered in src/dltheory/figures/__init__.py; see README.md
# and docs/ (docs/adding-a-figure.md: how a figure plugs in).
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
    check_results()


# Each figure's compute rules, then the claims and plot rules of all of them.
for fig in FIGURES:

    include: f"workflow/rules/{fig.name}.smk"


include: "workflow/rules/figures.smk"


# The default target: every selected figure, a sha256sum manifest of them (`sha256sum -c
# figures/all` verifies a build) and the claims scorecard figures/claims.md.
rule all_figures:
    default_target: True
    localrule: True
    input:
        figures=[f for fig in selected_figures() for f in figure_files(fig.name).values()],
        claims=[results(fig.name, "claims.json") for fig in selected_figures()],
    output:
        manifest="figures/all",
        scorecard=report("figures/claims.md", caption="workflow/report/claims.rst", category="scorecard"),
    log:
        "logs/all_figures.log",
    conda:
        "envs/dltheory.yaml"
    script:
        "workflow/scripts/collect_figures.py"
