# Figure entropy_gain (docs/entropy_gain.md): entropy, per-layer gain and total correlation of the
# feature maps of stacked random conv layers on natural-image patches. Claims and plot:
# workflow/rules/figures.smk.


rule entropy_gain_measure:
    input:
        code=code("entropy_gain_measure.py"),
    output:
        **with_meta(table=results("entropy_gain", "entropy.csv")),
    params:
        code=code_digest("entropy_gain_measure.py"),
        spec=compute("entropy_gain"),
    log:
        logs("entropy_gain", "measure"),
    benchmark:
        benchmarks("entropy_gain", "measure")
    conda:
        ENV
    script:
        "../scripts/entropy_gain_measure.py"
