"""``python -m reproductions`` is the same as ``clatlas repro``."""

import sys

from reproductions.cli import main

sys.exit(main())
