# The compute rules of every registered figure, generated from the steps its FIGURE declares
# (dltheory.core.contract.Step): rule <figure>_<step> runs the entry point <step> of the figure's
# jobs.py through the one job runner, and writes the outputs the step names, with their sidecars.


for fig in FIGURES:
    for step in fig.steps:

        rule:
            name:
                f"{fig.name}_{step.name}"
            input:
                code=code(f"figures/{fig.name}/jobs.py::{step.name}"),
                **{key: fig.output(key) for key in step.inputs},
            output:
                **with_meta(**{key: fig.output(key) for key in step.outputs}),
            wildcard_constraints:
                **step_wildcards(fig, step),
            params:
                **step_params(fig, step),
            threads: step_threads(step)
            resources:
                **step_resources(step),
            log:
                logs(fig.name, step_label(step)),
            benchmark:
                benchmarks(fig.name, step_label(step))
            conda:
                ENV
            script:
                RUN
