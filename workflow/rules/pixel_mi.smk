# Figure pixel_mi (docs/pixel_mi.md): MI between pixels (and edge-filter responses) at distance,
# per image, with the shuffled floor. Claims and plot: workflow/rules/figures.smk.


rule pixel_mi_measure:
    input:
        code=code("pixel_mi_measure.py"),
    output:
        **with_meta(table=results("pixel_mi", "mi.csv")),
    params:
        code=code_digest("pixel_mi_measure.py"),
        spec=compute("pixel_mi"),
    log:
        logs("pixel_mi", "measure"),
    benchmark:
        benchmarks("pixel_mi", "measure")
    conda:
        ENV
    script:
        "../scripts/pixel_mi_measure.py"
