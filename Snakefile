# The dltheory replication workflow. `snakemake figures/all` builds every figure from nothing;
# `snakemake figures/<figure>.pdf` one figure. Compute and plot are separate rules, so replotting
# never retrains. See README.md, and DESIGN.md / SPECS.md for the architecture and the science.
from snakemake.utils import min_version, validate

min_version("9.11")


configfile: "config/config.yaml"


# Before any job: a bad value names its key, the value and the allowed range (see the schema).
validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/phase_diagram.smk"
include: "workflow/rules/depth_accuracy.smk"
include: "workflow/rules/lucky_weights.smk"
include: "workflow/rules/pixel_mi.smk"
include: "workflow/rules/entropy_gain.smk"
include: "workflow/rules/r2svm.smk"


localrules:
    all_figures,


# The default target: every configured figure, a sha256sum manifest of them (`sha256sum -c
# figures/all` verifies a build) and the claims scorecard figures/claims.md.
rule all_figures:
    default_target: True
    input:
        figures=[f for name in config["figures"] for f in figure_files(name)],
        claims=[results(name, "claims.json") for name in config["figures"]],
    output:
        manifest="figures/all",
        scorecard=report("figures/claims.md", caption="workflow/report/claims.rst", category="scorecard"),
    log:
        "logs/all_figures.log",
    conda:
        "envs/dltheory.yaml"
    script:
        "workflow/scripts/collect_figures.py"
