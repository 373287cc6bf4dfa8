"""``python -m rezsnap``."""

import sys

from rezsnap.cli import main

sys.exit(main())
