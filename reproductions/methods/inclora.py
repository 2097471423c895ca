"""IncLoRA: a new LoRA adapter for every task; the adapters of earlier tasks are frozen and stay active.

IncLoRA is the incremental-LoRA baseline of the O-LoRA paper (Wang et al.,
Findings of EMNLP 2023): "incremental learning of new LoRA parameters on a
sequential series of tasks (without any regularisation)". It has no paper of
its own in the catalog (``papers = []``).

Mechanism, on this harness's MiniLM encoder + linear head:

* task t adds LoRA adapter ``task{t}`` (rank 8 on query/value, as SeqLoRA) with
  peft's named-adapter support; adapters 0..t-1 stay *active* (their deltas
  are summed into the forward pass, as in the paper, where all LoRAs are
  merged into the weights) but are frozen (``requires_grad`` off), so they are
  byte-for-byte unchanged by later tasks;
* inference needs no task identity: every input goes through the base model
  plus all adapters learned so far.

Deviations forced by the backbone (the paper uses T5 with instructions and
generates label words through the frozen LM head):

* an encoder has no verbaliser, so a linear head maps the pooled text to the
  stream's classes. The head rows of task t's classes play the role of task
  t's label words: they are trained only during task t (task-local
  cross-entropy: logits masked to the example's task classes while training)
  and get exactly zero gradient afterwards. At test time CIL predicts over
  all classes, TIL within the given task. ``--set local_loss=False`` switches
  to SeqLoRA's loss (cross-entropy over all outputs) for ablations; in CIL
  the old head rows then keep changing.
* the paper's instructions name the task and its answer options, which makes
  its evaluation close to task-incremental; the closest match here is
  ``wordnet-5x4-til``. On ``wordnet-5x4`` (CIL) the method runs unchanged but
  has no mechanism that calibrates one task's head rows against another's.

Hyperparameters are SeqLoRA's (rank 8, alpha 16, query/value, lr 5e-4), so
the two differ only in the per-task adapters and the task-local head loss.

Checkpoints store every adapter (frozen ones included) and the head, since
the harness's default state keeps only trainable tensors.
"""

from __future__ import annotations

import warnings
from typing import Any

from reproductions.data import Batch, Encoded
from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods._peft_common import load_named, save_named, task_local_loss
from reproductions.methods.base import Method

torch = require("torch")


def adapter_name(t: int) -> str:
    return f"task{t}"


@register
class IncLoRA(Method):
    name = "inclora"
    description = "a new LoRA (query/value) per task, earlier LoRAs frozen but active (summed); encoder + per-task head rows instead of T5 label words"
    papers = []
    scenarios = ("TIL", "CIL", "DIL")
    needs_boundaries = True
    default_config = {"lr": 5e-4, "lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "lora_targets": ["query", "value"], "local_loss": True}

    # ----- adapters -------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.adapters: list[str] = []

    def _lora_config(self) -> Any:
        peft = require("peft")
        return peft.LoraConfig(
            r=int(self.cfg["lora_r"]),
            lora_alpha=int(self.cfg["lora_alpha"]),
            lora_dropout=float(self.cfg["lora_dropout"]),
            target_modules=list(self.cfg["lora_targets"]),
        )

    def add_adapter(self, t: int) -> None:
        """Add task t's LoRA, keep all earlier ones active, train only the new one (+ the head)."""
        peft = require("peft")
        name = adapter_name(t)
        with warnings.catch_warnings():  # peft probes a deprecated transformers attribute
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
            if not self.adapters:
                self.model.encoder = peft.get_peft_model(self.model.encoder, self._lora_config(), adapter_name=name)
            else:
                self.model.encoder.add_adapter(name, self._lora_config())
        self.adapters.append(name)
        self.model.encoder.base_model.set_adapter(list(self.adapters))  # all active: their deltas are summed
        self._freeze_all_but(name)
        self.model.to(self.device)

    def _freeze_all_but(self, current: str | None) -> None:
        for n, p in self.model.encoder.named_parameters():
            p.requires_grad_(current is not None and f".{current}." in n)
        for p in self.model.head.parameters():
            p.requires_grad_(True)

    def lora_layers(self) -> list[Any]:
        """The peft LoRA layers (modules holding ``lora_A``/``lora_B`` dicts keyed by adapter name)."""
        return [m for m in self.model.encoder.modules() if hasattr(m, "lora_A") and isinstance(m.lora_A, torch.nn.ModuleDict) and len(m.lora_A)]

    def adapter_parameters(self, name: str) -> dict[str, Any]:
        return {n: p for n, p in self.model.encoder.named_parameters() if f".{name}." in n}

    # ----- stage hooks ------------------------------------------------------------
    def before_task(self, task_id: int, train: Encoded) -> None:
        while len(self.adapters) <= task_id:
            self.add_adapter(len(self.adapters))
        self._freeze_all_but(adapter_name(task_id))
        super().before_task(task_id, train)

    def training_loss(self, batch: Batch, task_id: int) -> Any:
        if not self.cfg.get("local_loss", True):  # ablation: SeqLoRA's loss (CE over all outputs; TIL still masks)
            return super().training_loss(batch, task_id)
        return task_local_loss(self.forward(batch, task_id), batch, self._task_mask)

    def after_task(self, task_id: int, train: Encoded) -> None:
        self._freeze_all_but(None)  # the task's LoRA is done; the head rows are frozen by the local loss

    def count_parameters(self) -> tuple[int, int]:
        """Trainable = every LoRA ever trained + the head (frozen adapters were trained once)."""
        params = list(self.model.parameters())
        trained = [p for n, p in self.model.named_parameters() if "lora_" in n or n.startswith("head.")]
        return sum(p.numel() for p in trained), sum(p.numel() for p in params)

    # ----- checkpointing ------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {"adapters": len(self.adapters), "params": save_named(self.model, lambda n: "lora_" in n or n.startswith("head."))}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for t in range(len(self.adapters), int(state["adapters"])):
            self.add_adapter(t)
        load_named(self.model, state["params"])
        self._freeze_all_but(None)
