"""The one build step pyproject.toml cannot declare stably: the compiled modules.

Both are optional: without a C compiler the install still succeeds, and the same work
runs in Python (``rezsnap._compiled``).
"""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("rezsnap.parser._cregular", ["parser/_cregular.c"], optional=True),  # the plain layout's reader
    Extension("rezsnap.scanner._cwalk", ["scanner/_cwalk.c"], optional=True),  # the walk's stat per version
])
