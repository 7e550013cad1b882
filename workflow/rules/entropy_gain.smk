# Figure entropy_gain (SPECS §5): entropy, per-layer gain and total correlation of the feature maps
# of stacked random conv layers on natural-image patches; one measurement job, then claims and plot.


# Claims and plot read small artifacts: on a cluster they run on the submitting node.
localrules:
    entropy_gain_claims,
    entropy_gain_plot,


rule entropy_gain_measure:
    input:
        code=code("entropy_gain_measure.py"),
    output:
        table=results("entropy_gain", "entropy.csv"),
        meta=meta(results("entropy_gain", "entropy.csv")),
    params:
        code=code_digest("entropy_gain_measure.py"),
        spec=section_params("entropy_gain"),
    log:
        logs("entropy_gain", "measure"),
    benchmark:
        benchmarks("entropy_gain", "measure")
    conda:
        ENV
    script:
        "../scripts/entropy_gain_measure.py"


rule entropy_gain_claims:
    input:
        code=code("figure_claims.py", "figures/entropy_gain.py"),
        table=rules.entropy_gain_measure.output.table,
    output:
        claims=results("entropy_gain", "claims.json"),
    params:
        code=code_digest("figure_claims.py", "figures/entropy_gain.py"),
        figure="entropy_gain",
        options={},
    log:
        logs("entropy_gain", "claims"),
    conda:
        ENV
    script:
        "../scripts/figure_claims.py"


rule entropy_gain_plot:
    input:
        code=code("figure_plot.py", "figures/entropy_gain.py"),
        table=rules.entropy_gain_measure.output.table,
    output:
        pdf=report("figures/entropy_gain.pdf", caption="../report/entropy_gain.rst", category="entropy_gain", labels={"format": "PDF"}),
        png=report("figures/entropy_gain.png", caption="../report/entropy_gain.rst", category="entropy_gain", labels={"format": "PNG"}),
    params:
        code=code_digest("figure_plot.py", "figures/entropy_gain.py"),
        figure="entropy_gain",
    log:
        logs("entropy_gain", "plot"),
    conda:
        ENV
    script:
        "../scripts/figure_plot.py"
