"""The command line (``python -m dltheory inspect | plan | bench | new``) and what it runs."""
