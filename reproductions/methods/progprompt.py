"""Progressive Prompts (Razdaibiedina et al., ICLR 2023).

For each new task k a new soft prompt P_k is learned and *concatenated* with
the prompts of the earlier tasks, which are frozen: the input to the frozen
language model is ``[P_k; P_{k-1}; ...; P_1; x]``. The prompt is trained
through a residual MLP reparameterisation, ``P_k = P'_k + MLP(P'_k)``
(two layers with ReLU, bottleneck 800 as in the authors' code); after the
task, the final P_k is stored and the MLP discarded. Prompts are initialised
as in the authors' BERT code: the first token from ``[CLS]``, the others
from random vocabulary embeddings. Prompt length 10 per task (the authors'
BERT runs use 10 or 5).

Task identity: the paper's BERT experiments train a separate classification
head per task and evaluate each task with its own head, i.e. the method
assumes the task is known at test time. We follow it: the method supports
only TIL (``scenarios = ("TIL",)``); task j is evaluated with
``[P_j; ...; P_1; x]``, exactly the input its prompt and head were trained
on, so earlier tasks cannot be forgotten (their prompts and head rows never
change). The per-task heads are the rows of the shared head for the task's
classes, which TIL masking trains only during that task.

Deviations: MiniLM (6 layers, 384-d) instead of BERT-base/T5; prompts are
spliced in after ``[CLS]`` and the classifier reads the mean over the text
tokens (the harness's pooling for all methods) instead of BERT's ``[CLS]``
output; 2 epochs per task (standard profile) instead of the paper's
early-stopped long training, so learning rate 1e-2 (``default_config``; prompt
tuning needs a larger step than full fine-tuning's 5e-5). It was set on the
training loss before the committed runs, not tuned on test accuracy; no
committed run compares learning rates.
"""

from __future__ import annotations

from typing import Any

from reproductions.backbones import load_trainable_state, trainable_state
from reproductions.data import Batch, Encoded
from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods._peft_common import encode_with_prompts, task_local_loss, vocab_init
from reproductions.methods.base import Method, derive_seed

torch = require("torch")
nn = torch.nn


class ResidualMLP(nn.Module):  # type: ignore[name-defined]  # torch comes through require(), so nn is Any to mypy
    """The residual reparameterisation of a prompt: P = P' + up(relu(down(P')))."""

    def __init__(self, hidden: int, bottleneck: int) -> None:
        super().__init__()
        self.module = nn.Sequential(nn.Linear(hidden, bottleneck), nn.ReLU(), nn.Linear(bottleneck, hidden))

    def forward(self, x: Any) -> Any:
        return x + self.module(x)


@register
class ProgPrompt(Method):
    name = "progprompt"
    description = (
        "a new soft prompt (10 tokens, residual-MLP reparameterised) per task, prepended to the frozen earlier ones; "
        "task id at test (TIL only); MiniLM not BERT/T5"
    )
    papers = ["razdaibiedina2023progressive"]
    scenarios = ("TIL",)
    needs_boundaries = True
    default_config = {"lr": 1e-2, "prompt_length": 10, "prompt_mlp": True, "mlp_bottleneck": 800}

    def setup(self) -> None:
        super().setup()
        for p in self.model.encoder.parameters():
            p.requires_grad_(False)
        self.frozen_prompts: list[Any] = []  # P_1..P_k of finished tasks (Lp x H each, no grad)
        self.raw: Any = None  # P'_k of the task being trained
        self.mlp: Any = None

    # ----- prompts ------------------------------------------------------------------
    def current_prompt(self) -> Any:
        return self.raw if self.mlp is None else self.mlp(self.raw)

    def prompts_for(self, task_id: int) -> Any:
        """``[P_k; ...; P_1]`` for task k: the live prompt while it trains, frozen ones after."""
        done = len(self.frozen_prompts)
        parts: list[Any] = []
        if task_id >= done and self.raw is not None:
            parts.append(self.current_prompt())
        top = min(task_id, done - 1)
        parts.extend(self.frozen_prompts[j] for j in range(top, -1, -1))
        return torch.cat(parts, dim=0) if parts else None

    def trainable_parameters(self) -> list[Any]:
        extra = [] if self.raw is None else [self.raw, *([] if self.mlp is None else self.mlp.parameters())]
        return [*extra, *[p for p in self.model.parameters() if p.requires_grad]]

    def count_parameters(self) -> tuple[int, int]:
        """Trainable = every prompt kept for inference + the head (the MLPs are discarded after each task)."""
        kept = sum(p.numel() for p in self.frozen_prompts) + (0 if self.raw is None else self.raw.numel())
        head = sum(p.numel() for p in self.model.head.parameters())
        return kept + head, kept + sum(p.numel() for p in self.model.parameters())

    # ----- stage hooks ----------------------------------------------------------------
    def before_task(self, task_id: int, train: Encoded) -> None:
        enc = self.model.encoder
        g = torch.Generator().manual_seed(derive_seed(self.ctx.seed, task_id, 8861))
        self.raw = nn.Parameter(vocab_init(enc, int(self.cfg["prompt_length"]), g, first_cls=True).to(self.device))
        self.mlp = None
        if self.cfg["prompt_mlp"]:
            self.mlp = ResidualMLP(int(enc.config.hidden_size), int(self.cfg["mlp_bottleneck"])).to(self.device)
        super().before_task(task_id, train)

    def forward(self, batch: Batch, task_id: int | None = None) -> Any:
        if task_id is None:
            raise RuntimeError("progprompt needs the task id (TIL)")
        pooled = encode_with_prompts(self.model.encoder, batch["input_ids"], batch["attention_mask"], self.prompts_for(task_id))
        return self.model.head(pooled)

    def training_loss(self, batch: Batch, task_id: int) -> Any:
        return task_local_loss(self.forward(batch, task_id), batch, self._task_mask)

    def after_task(self, task_id: int, train: Encoded) -> None:
        with torch.no_grad():
            self.frozen_prompts.append(self.current_prompt().detach().clone())
        self.raw, self.mlp = None, None

    # ----- checkpointing ----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {"model": trainable_state(self.model), "prompts": [p.cpu().clone() for p in self.frozen_prompts]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        load_trainable_state(self.model, state["model"])
        self.frozen_prompts = [p.to(self.device) for p in state["prompts"]]
