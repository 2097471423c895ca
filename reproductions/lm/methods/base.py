"""The base class of generative CL methods: a causal chat LM trained stage by stage.

Same hooks as the classification methods (``reproductions.methods.base``):
``setup`` → per stage ``stage_data`` → ``before_task`` → ``training_step``
per batch → ``after_task``; then ``answer`` decodes prompts for evaluation.
The loss is the causal-LM cross-entropy on response tokens only (labels are
-100 elsewhere, see :mod:`reproductions.lm.batches`).

``adapter`` in the config chooses what trains: ``full`` (every weight, the
profile's ``full_lr``) or ``lora`` (peft LoRA on ``lora_targets`` with rank
``lora_r``, the profile's ``lr``). Checkpoints hold only what training
changed (LoRA weights, or the full state for ``full``) plus each method's
extra state, so a resume rebuilds the rest from the backbone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from reproductions.backbones import copy_parameters
from reproductions.deps import require
from reproductions.lm.backbone import load_causal_lm
from reproductions.lm.batches import Encoded
from reproductions.lm.generate import generate

torch = require("torch")
F = torch.nn.functional

LORA_DEFAULTS: dict[str, Any] = {
    "adapter": "lora",
    "lora_r": 8,
    "lora_alpha": 16,
    "lora_targets": "q_proj,v_proj,o_proj,up_proj,down_proj",
}


@dataclass
class LMContext:
    """What a generative method may know about the run."""

    num_tasks: int
    task_names: list[str]
    config: dict[str, Any]
    backbone: str
    seed: int
    device: Any
    tokenizer: Any


def lora_config(cfg: dict[str, Any]) -> Any:
    peft = require("peft")
    return peft.LoraConfig(
        r=int(cfg["lora_r"]),
        lora_alpha=int(cfg["lora_alpha"]),
        lora_dropout=0.0,
        bias="none",
        target_modules=[t.strip() for t in str(cfg["lora_targets"]).split(",") if t.strip()],
        task_type="CAUSAL_LM",
    )


class LMMethod:
    """A continual-instruction-tuning method. Subclasses set the metadata and override hooks."""

    kind: ClassVar[str] = "generate"
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    papers: ClassVar[list[str]] = []
    default_config: ClassVar[dict[str, Any]] = dict(LORA_DEFAULTS)
    scenarios: ClassVar[tuple[str, ...]] = ("TIL",)
    evaluations: ClassVar[tuple[str, ...]] = ("accuracy",)  # the benchmark evaluations it runs on (BenchmarkSpec.evaluation)

    def __init__(self, ctx: LMContext) -> None:
        self.ctx = ctx
        self.cfg = ctx.config
        self.device = ctx.device
        self.model: Any = None
        self.optimizer: Any = None
        if self.cfg["adapter"] not in ("lora", "full"):
            raise ValueError(f"adapter must be 'lora' or 'full', got {self.cfg['adapter']!r}")

    # ----- models ----------------------------------------------------------------
    @property
    def full(self) -> bool:
        return self.cfg["adapter"] == "full"

    def new_model(self, base: Any = None, lora_seed: int | None = None) -> Any:
        """The backbone (or ``base``), wrapped with a freshly initialised LoRA unless training is full."""
        model = base if base is not None else load_causal_lm(self.ctx.backbone, self.device)
        if self.full:
            for p in model.parameters():
                p.requires_grad_(True)
            return model
        peft = require("peft")
        if lora_seed is not None:
            torch.manual_seed(lora_seed)
        return peft.get_peft_model(model, lora_config(self.cfg))

    def setup(self) -> None:
        self.model = self.new_model()

    def trainable_parameters(self) -> list[Any]:
        return [p for p in self.model.parameters() if p.requires_grad]

    def make_optimizer(self) -> Any:
        lr = float(self.cfg["full_lr"] if self.full else self.cfg["lr"])
        return torch.optim.AdamW(self.trainable_parameters(), lr=lr, weight_decay=0.0)

    def count_parameters(self) -> tuple[int, int]:
        params = list(self.model.parameters())
        return sum(p.numel() for p in params if p.requires_grad), sum(p.numel() for p in params)

    # ----- stage hooks -------------------------------------------------------------
    def stage_data(self, task_id: int, train: list[Encoded], seen: list[list[Encoded]]) -> list[Encoded]:
        return train

    def before_task(self, task_id: int, train: list[Encoded]) -> None:
        self.optimizer = self.make_optimizer()

    def training_loss(self, batch: dict[str, Any], task_id: int) -> Any:
        return self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"]).loss

    def training_step(self, batch: dict[str, Any], task_id: int) -> float:
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.training_loss(batch, task_id)
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())

    def after_task(self, task_id: int, train: list[Encoded]) -> None:
        """Consolidate after a stage (memory, teacher, merge...). Default: nothing."""

    def answer(self, prompts: list[str], max_new_tokens: int, batch_size: int) -> list[str]:
        """Greedy answers of the current model (task identity is in the prompt itself)."""
        return generate(self.model, self.ctx.tokenizer, prompts, max_new_tokens, batch_size, self.device)

    # ----- checkpointing -------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {"trainable": {n: p.detach().cpu().clone() for n, p in self.model.named_parameters() if p.requires_grad}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        copy_parameters(self.model, state["trainable"])
