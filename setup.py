"""The one build step pyproject.toml cannot declare stably: the compiled modules.

Each is optional: without a C compiler the install still succeeds, and the same work
runs in Python (``rezsnap._compiled``).
"""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("rezsnap.parser._cregular", ["parser/_cregular.c"], optional=True),  # the plain layout's reader
    # the walk's stat per version; a refresh's no-change check
    Extension("rezsnap.scanner._cwalk", ["scanner/_cwalk.c"], depends=["scanner/_stat_times.h"], optional=True),
    Extension("rezsnap.scanner._cobserve", ["scanner/_cobserve.c"], depends=["scanner/_stat_times.h"], optional=True),
    Extension("rezsnap.cli._cjson", ["rezsnap/cli/_cjson.c"], optional=True),  # rezsnap scan --json's lines
])
