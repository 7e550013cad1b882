# The claims and plot rules of every registered figure, generated from the registry
# (dltheory.figures): one generic claims script and one generic plot script serve them all.
# A figure's own .smk holds only its compute rules, which write the artifacts that its
# Figure.artifacts(config) names. Both rules read small artifacts: on a cluster they run on the
# submitting node (localrule).


for fig in FIGURES:

    rule:
        name:
            f"{fig.name}_claims"
        localrule: True
        input:
            code=code("figure_claims.py", f"figures/{fig.name}.py"),
            **fig.artifacts(config),
        output:
            claims=results(fig.name, "claims.json"),
            **with_meta(**analysis_tables(fig)),
        params:
            code=code_digest("figure_claims.py", f"figures/{fig.name}.py"),
            figure=fig.name,
            bars=config[fig.name]["claims"],
        log:
            logs(fig.name, "claims"),
        conda:
            ENV
        script:
            "../scripts/figure_claims.py"

    rule:
        name:
            f"{fig.name}_plot"
        localrule: True
        input:
            code=code("figure_plot.py", f"figures/{fig.name}.py"),
            **fig.artifacts(config),
            **analysis_tables(fig),
        output:
            **{
                ext: report(path, caption=f"../report/{fig.name}.rst", category=fig.name, labels={"format": ext.upper()})
                for ext, path in figure_files(fig.name).items()
            },
        params:
            code=code_digest("figure_plot.py", f"figures/{fig.name}.py"),
            figure=fig.name,
            bars=config[fig.name]["claims"],
        log:
            logs(fig.name, "plot"),
        conda:
            ENV
        script:
            "../scripts/figure_plot.py"
