"""``python -m dltheory``: the command line (:mod:`dltheory.tools.cli`)."""

import sys

from dltheory.tools.cli import main

sys.exit(main())
