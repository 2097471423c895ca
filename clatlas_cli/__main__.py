"""``python -m clatlas_cli`` runs the ``clatlas`` command."""

import sys

from clatlas_cli._main import main

sys.exit(main())
