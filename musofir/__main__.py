"""``python -m musofir`` runs the same command as ``musofir``."""

import sys

from musofir.cli import main

sys.exit(main())
