# Figure r2svm (SPECS §6): the Random Recursive SVM (Vinyals et al. 2012): accuracy after every
# layer with linear / RBF SVM references, decision regions on 2-D problems, and the ablations of
# the projection; one fitting job, then claims and plot.


# Claims and plot read small artifacts: on a cluster they run on the submitting node.
localrules:
    r2svm_claims,
    r2svm_plot,


rule r2svm_fit:
    input:
        code=code("r2svm_fit.py"),
    output:
        table=results("r2svm", "layers.csv"),
        boundaries=results("r2svm", "boundaries.npz"),
        meta=meta(results("r2svm", "layers.csv")),
    params:
        code=code_digest("r2svm_fit.py"),
        spec=section_params("r2svm"),
        data=data_params(),
    threads: 2
    resources:
        mem_mb=2000,
    log:
        logs("r2svm", "fit"),
    benchmark:
        benchmarks("r2svm", "fit")
    conda:
        ENV
    script:
        "../scripts/r2svm_fit.py"


rule r2svm_claims:
    input:
        code=code("figure_claims.py", "figures/r2svm.py"),
        table=rules.r2svm_fit.output.table,
    output:
        claims=results("r2svm", "claims.json"),
    params:
        code=code_digest("figure_claims.py", "figures/r2svm.py"),
        figure="r2svm",
        options={},
    log:
        logs("r2svm", "claims"),
    conda:
        ENV
    script:
        "../scripts/figure_claims.py"


rule r2svm_plot:
    input:
        code=code("r2svm_plot.py"),
        table=rules.r2svm_fit.output.table,
        boundaries=rules.r2svm_fit.output.boundaries,
    output:
        pdf=report("figures/r2svm.pdf", caption="../report/r2svm.rst", category="r2svm", labels={"format": "PDF"}),
        png=report("figures/r2svm.png", caption="../report/r2svm.rst", category="r2svm", labels={"format": "PNG"}),
    params:
        code=code_digest("r2svm_plot.py"),
    log:
        logs("r2svm", "plot"),
    conda:
        ENV
    script:
        "../scripts/r2svm_plot.py"
