# The claims and plot rules of every registered figure, generated from the registry: the one job
# runner calls the figure's claims.py and plot.py. Both read small artifacts: on a cluster they
# run on the submitting node (localrule). The plot asks for the figure's claims.json too (it does
# not read it), so that `snakemake figures/<figure>.pdf` also judges the figure's claims.


for fig in FIGURES:

    rule:
        name:
            f"{fig.name}_claims"
        localrule: True
        input:
            code=code(f"figures/{fig.name}/claims.py"),
            **fig.artifact_paths(config),
        output:
            **with_meta(claims=fig.result("claims.json"), **analysis_tables(fig)),
        params:
            code=code_digest(f"figures/{fig.name}/claims.py"),
            bars=config[fig.name]["claims"],
        log:
            logs(fig.name, "claims"),
        conda:
            ENV
        script:
            RUN

    rule:
        name:
            f"{fig.name}_plot"
        localrule: True
        input:
            code=code(f"figures/{fig.name}/plot.py", "core/plotting.py"),
            claims=fig.result("claims.json"),
            **fig.artifact_paths(config),
            **analysis_tables(fig),
        output:
            **{
                ext: report(path, caption=str(fig.folder / "caption.rst"), category=fig.name, labels={"format": ext.upper()})
                for ext, path in figure_files(fig.name).items()
            },
        params:
            code=code_digest(f"figures/{fig.name}/plot.py", "core/plotting.py"),
            bars=config[fig.name]["claims"],
        log:
            logs(fig.name, "plot"),
        conda:
            ENV
        script:
            RUN
