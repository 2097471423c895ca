"""Helpers shared by the parameter-efficient methods (IncLoRA, O-LoRA, L2P, Progressive Prompts, AdapterCL).

Not a method module (nothing registers here). It holds the three pieces
those methods have in common on this harness's encoder backbone:

* **task-local cross-entropy** — logits masked to each example's own task
  classes while training, so the head rows of earlier tasks get exactly zero
  gradient (they are those tasks' "label words" and stay frozen; L2P calls
  this train-time masking);
* **soft prompts on an encoder** — prompt vectors spliced into the input
  embeddings right after ``[CLS]``; the pooled sentence vector is the mean
  over the *text* tokens only (the harness's pooling for every method), so
  prompts act through attention;
* **saving parameters by name**, including frozen ones, because the harness's
  default checkpoint keeps only ``requires_grad`` parameters and these
  methods freeze what earlier tasks learned.
"""

from __future__ import annotations

from typing import Any

from reproductions.backbones import copy_parameters
from reproductions.data import Batch
from reproductions.deps import require

torch = require("torch")
F = torch.nn.functional


def task_local_loss(logits: Any, batch: Batch, task_mask: Any) -> Any:
    """Cross-entropy over each row's own task classes (``task_mask[t]`` = classes of task t)."""
    return F.cross_entropy(logits.masked_fill(~task_mask[batch["tasks"]], float("-inf")), batch["labels"])


def vocab_init(encoder: Any, n: int, generator: Any, first_cls: bool = False, cls_id: int = 101) -> Any:
    """``n`` prompt vectors copied from random vocabulary embeddings (the first one from ``[CLS]`` if asked).

    Progressive Prompts initialises its BERT prompts this way (first token =
    ``[CLS]``, the rest random word embeddings); L2P's uniform(-1, 1) init is
    ~20x the scale of MiniLM's word embeddings (std 0.056), so L2P uses this
    initialisation too.
    """
    emb = encoder.embeddings.word_embeddings.weight.detach()
    idx = torch.randint(0, emb.shape[0], (n,), generator=generator)
    if first_cls and n:
        idx[0] = cls_id
    return emb[idx].clone()


def encode_with_prompts(encoder: Any, input_ids: Any, attention_mask: Any, prompts: Any | None) -> Any:
    """Mean-pooled text representation with ``prompts`` ((P, H) shared or (B, P, H) per row) after ``[CLS]``."""
    if prompts is None or prompts.shape[-2] == 0:
        hidden = encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp_min(1.0)
    b = input_ids.shape[0]
    emb = encoder.embeddings.word_embeddings(input_ids)
    if prompts.dim() == 2:
        prompts = prompts.unsqueeze(0).expand(b, -1, -1)
    p = prompts.shape[1]
    embeds = torch.cat([emb[:, :1], prompts.to(emb.dtype), emb[:, 1:]], dim=1)
    ones = torch.ones((b, p), dtype=attention_mask.dtype, device=attention_mask.device)
    full_mask = torch.cat([attention_mask[:, :1], ones, attention_mask[:, 1:]], dim=1)
    hidden = encoder(inputs_embeds=embeds, attention_mask=full_mask).last_hidden_state
    text_hidden = torch.cat([hidden[:, :1], hidden[:, 1 + p :]], dim=1)  # drop the prompt positions
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (text_hidden * mask).sum(1) / mask.sum(1).clamp_min(1.0)


def save_named(module: Any, keep: Any) -> dict[str, Any]:
    """Parameters of ``module`` whose name passes ``keep(name)``, frozen or not, as CPU copies."""
    return {n: p.detach().cpu().clone() for n, p in module.named_parameters() if keep(n)}


load_named = copy_parameters  # restores what save_named kept, frozen parameters included
