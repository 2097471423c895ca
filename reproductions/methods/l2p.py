"""L2P-style prompt pool: learning to prompt (Wang et al., CVPR 2022), as used for language models.

L2P keeps the pretrained backbone frozen and learns a *pool* of M prompts,
each with a learnable key. For an input x, a query q(x) is computed by the
frozen pretrained model (no prompts); the N prompts whose keys are most
cosine-similar to q(x) are selected and prepended to x's token embeddings;
the classifier reads the prompted representation. Training minimises the
task loss plus a surrogate term that pulls the selected keys towards the
query, ``λ Σ_{selected} (1 − cos(q(x), k_i))``: the top-N selection itself is
not differentiable, so the keys learn only through this term. Selection is
per input and needs no task identity, so the same model serves CIL, DIL and
TIL (TIL masks the logits to the given task). Class-incremental training
masks the logits of classes outside the current task (L2P's train-time
masking; implemented as task-local cross-entropy). The catalog has no L2P
paper (a vision paper used as a baseline for LMs), so ``papers = []``.

Settings: pool M = 10, N = 5 prompts selected, each of length Lp = 5 (the
paper's defaults), λ = 0.5. Trained: prompts, keys, head; the encoder is frozen.

Deviations: (1) the backbone is a MiniLM text encoder, not a ViT; prompts are
spliced in after ``[CLS]`` and the classifier reads the mean over the *text*
tokens (the harness's pooling for all methods) rather than the mean over the
prompt positions that L2P's ViT head uses; (2) prompts are initialised from
random vocabulary embeddings instead of uniform(-1, 1), which is far larger
than the scale of MiniLM's word embeddings; (3) the optional batch-wise
prompt-frequency penalty of L2P (for task-incremental training) is not used;
(4) learning rate 1e-2 (prompt tuning needs a larger step than full
fine-tuning's 5e-5), set on the training loss before the committed runs and
not tuned on test accuracy (no committed run compares learning rates).
"""

from __future__ import annotations

from typing import Any

from reproductions.backbones import load_trainable_state
from reproductions.data import Batch
from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods._peft_common import encode_with_prompts, task_local_loss, vocab_init
from reproductions.methods.base import F, Method, derive_seed

torch = require("torch")
nn = torch.nn


class PromptPool(nn.Module):  # type: ignore[name-defined]  # torch comes through require(), so nn is Any to mypy
    """M prompts of length Lp (M x Lp x H) and their keys (M x H)."""

    def __init__(self, encoder: Any, size: int, length: int, seed: int) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        hidden = int(encoder.config.hidden_size)
        self.prompts = nn.Parameter(vocab_init(encoder, size * length, g).view(size, length, hidden))
        self.keys = nn.Parameter(torch.rand((size, hidden), generator=g) * 2 - 1)  # uniform(-1, 1), as in L2P


@register
class L2P(Method):
    name = "l2p"
    description = "prompt pool (M=10, N=5, Lp=5) with learnable keys, query-key matching on the frozen encoder; text encoder instead of ViT, text-token pooling"
    papers = []
    scenarios = ("TIL", "CIL", "DIL")
    default_config = {"lr": 1e-2, "pool_size": 10, "top_n": 5, "prompt_length": 5, "l2p_lambda": 0.5}

    def setup(self) -> None:
        super().setup()
        for p in self.model.encoder.parameters():
            p.requires_grad_(False)
        self.pool = PromptPool(self.model.encoder, int(self.cfg["pool_size"]), int(self.cfg["prompt_length"]), derive_seed(self.ctx.seed, 4241)).to(self.device)
        self.last_selection: Any = None  # (B, N) prompt indices of the last forward
        self._last_sim: Any = None

    def trainable_parameters(self) -> list[Any]:
        return [*self.pool.parameters(), *[p for p in self.model.parameters() if p.requires_grad]]

    def count_parameters(self) -> tuple[int, int]:
        trainable = sum(p.numel() for p in self.trainable_parameters())
        return trainable, sum(p.numel() for p in self.model.parameters()) + sum(p.numel() for p in self.pool.parameters())

    @torch.no_grad()
    def query(self, batch: Batch) -> Any:
        """q(x): the frozen pretrained encoder's pooled text vector (the encoder is never trained here)."""
        return encode_with_prompts(self.model.encoder, batch["input_ids"], batch["attention_mask"], None)

    def forward(self, batch: Batch, task_id: int | None = None) -> Any:
        q = F.normalize(self.query(batch), dim=1)
        sim = q @ F.normalize(self.pool.keys, dim=1).T  # B x M
        idx = sim.topk(int(self.cfg["top_n"]), dim=1).indices  # B x N
        self.last_selection = idx.detach()
        self._last_sim = sim.gather(1, idx)
        prompts = self.pool.prompts[idx].flatten(1, 2)  # B x (N*Lp) x H
        pooled = encode_with_prompts(self.model.encoder, batch["input_ids"], batch["attention_mask"], prompts)
        return self.model.head(pooled)

    def training_loss(self, batch: Batch, task_id: int) -> Any:
        loss = task_local_loss(self.forward(batch, task_id), batch, self._task_mask)
        surrogate = (1.0 - self._last_sim).sum(1).mean()  # pulls the selected keys towards the query
        return loss + float(self.cfg["l2p_lambda"]) * surrogate

    def training_step(self, batch: Batch, task_id: int) -> float:
        self.pool.train()
        return super().training_step(batch, task_id)

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["pool"] = {k: v.detach().cpu().clone() for k, v in self.pool.state_dict().items()}
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        load_trainable_state(self.model, state["model"])
        self.pool.load_state_dict(state["pool"])
        if "optimizer" in state:
            self.optimizer = self.make_optimizer()
            self.optimizer.load_state_dict(state["optimizer"])
