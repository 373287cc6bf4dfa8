"""Benchmarks of rezsnap against rez, run as ``rezsnap bench STAGE``."""
