# Figure r2svm (docs/r2svm.md): the Random Recursive SVM (Vinyals et al. 2012): accuracy after
# every layer with linear / RBF SVM references, decision regions on 2-D problems, and the
# ablations of the projection, in one fitting job. Claims and plot: workflow/rules/figures.smk.


rule r2svm_fit:
    input:
        code=code("r2svm_fit.py"),
    output:
        **with_meta(table=results("r2svm", "layers.csv"), cv=results("r2svm", "cv.csv"), boundaries=results("r2svm", "boundaries.npz")),
    params:
        code=code_digest("r2svm_fit.py"),
        spec=compute("r2svm"),
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
