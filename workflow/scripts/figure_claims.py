"""The claims job of any figure: load its artifacts, write its analysis tables, judge its claims
against the bars of its config section's ``claims:`` part, and write ``claims.json``."""

from dltheory.core.artifacts import log_to, provenance, write_table
from dltheory.core.claims import write_claims
from dltheory.core.contract import Artifacts
from dltheory.figures import figure

fig = figure(snakemake.params.figure)
with log_to(snakemake.log[0]) as log:
    artifacts = Artifacts({key: snakemake.input[key] for key in fig.artifacts(snakemake.config)})
    tables = fig.analyze(artifacts)
    for key, table in tables.items():
        log(f"{key}:\n{table.to_string(max_rows=40)}")
        write_table(table, snakemake.output[key], provenance({"inputs": list(snakemake.input)}))
    write_claims(fig.claims(artifacts.with_tables(tables), snakemake.params.bars), snakemake.output.claims, log)
