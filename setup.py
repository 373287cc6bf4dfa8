"""The one build step pyproject.toml cannot declare stably: the fast path's compiled twin.

``parser/_cregular.c`` is optional: without a C compiler the install still succeeds,
and the same reading runs in Python (``rezsnap.parser._regular``).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("rezsnap.parser._cregular", ["parser/_cregular.c"], optional=True)])
