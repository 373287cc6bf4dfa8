"""``python -m rezsnap``."""

from rezsnap._entry import run

run()
