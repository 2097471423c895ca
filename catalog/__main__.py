"""``python -m catalog`` runs the ``clatlas`` command."""

import sys

from catalog.cli import main

sys.exit(main())
