"""CL Atlas reproduction harness: continual-learning streams, backbones, methods and runs.

Importing this package is cheap and needs no torch: the heavy modules
(backbones, methods, runner) import torch themselves, so the catalog can read
result files (``reproductions.results``) on a machine without the ``repro``
extra.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
