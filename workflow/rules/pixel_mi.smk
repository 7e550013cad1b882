# Figure pixel_mi (SPECS §4): MI between pixels (and edge-filter responses) at distance, per image,
# with the shuffled floor; one measurement job, then claims and plot from its table.


# Claims and plot read small artifacts: on a cluster they run on the submitting node.
localrules:
    pixel_mi_claims,
    pixel_mi_plot,


rule pixel_mi_measure:
    input:
        code=code("pixel_mi_measure.py"),
    output:
        table=results("pixel_mi", "mi.csv"),
        meta=meta(results("pixel_mi", "mi.csv")),
    params:
        code=code_digest("pixel_mi_measure.py"),
        spec=section_params("pixel_mi", "floor_margin_bits"),
    log:
        logs("pixel_mi", "measure"),
    benchmark:
        benchmarks("pixel_mi", "measure")
    conda:
        ENV
    script:
        "../scripts/pixel_mi_measure.py"


rule pixel_mi_claims:
    input:
        code=code("figure_claims.py", "figures/pixel_mi.py"),
        table=rules.pixel_mi_measure.output.table,
    output:
        claims=results("pixel_mi", "claims.json"),
    params:
        code=code_digest("figure_claims.py", "figures/pixel_mi.py"),
        figure="pixel_mi",
        options={"margin_bits": config["pixel_mi"]["floor_margin_bits"]},
    log:
        logs("pixel_mi", "claims"),
    conda:
        ENV
    script:
        "../scripts/figure_claims.py"


rule pixel_mi_plot:
    input:
        code=code("figure_plot.py", "figures/pixel_mi.py"),
        table=rules.pixel_mi_measure.output.table,
    output:
        pdf=report("figures/pixel_mi.pdf", caption="../report/pixel_mi.rst", category="pixel_mi", labels={"format": "PDF"}),
        png=report("figures/pixel_mi.png", caption="../report/pixel_mi.rst", category="pixel_mi", labels={"format": "PNG"}),
    params:
        code=code_digest("figure_plot.py", "figures/pixel_mi.py"),
        figure="pixel_mi",
    log:
        logs("pixel_mi", "plot"),
    conda:
        ENV
    script:
        "../scripts/figure_plot.py"
