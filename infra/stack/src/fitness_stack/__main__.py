"""Entry point: `python -m fitness_stack …`."""

import sys

from fitness_stack.cli import main

sys.exit(main())
