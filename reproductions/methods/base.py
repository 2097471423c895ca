"""The base class every CL method extends, and the context a run hands it.

The hooks mirror one CL stage: ``before_task`` -> ``training_step`` (built on
``training_loss``) per batch -> ``after_task``; ``predict`` scores a batch
with the task id (TIL) or without it (``task_id=None``: CIL, DIL and online,
the task-agnostic path). The base class is deliberately general so that
per-task modules (PerTask, later IncLoRA/O-LoRA/AdapterCL), prompt pools
(L2P), memories (Replay, MBPA++) and single-pass online training fit without
changing the runner: ``stage_data`` lets a method choose what a stage trains
on, ``state_dict`` what a checkpoint must hold to resume exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from reproductions.backbones import build_classifier, load_trainable_state, trainable_state
from reproductions.data import Batch, Encoded
from reproductions.deps import require
from reproductions.streams import SCENARIOS

torch = require("torch")
F = torch.nn.functional


class MethodConfigError(ValueError):
    """A method cannot run on this scenario or with this configuration."""


@dataclass
class MethodContext:
    """What a method may know about the run: the output space, the tasks' classes and the config.

    ``task_classes[t]`` are the global label indices of task ``t``. For
    blurry online streams ``boundaries_known`` is False: hooks still run at
    the evaluator's segment ends, so a method must check it before treating
    them as task boundaries.
    """

    scenario: str
    num_classes: int
    task_classes: list[list[int]]
    boundaries_known: bool
    online: bool
    config: dict[str, Any]
    backbone: str
    seed: int
    device: Any

    @property
    def num_tasks(self) -> int:
        return len(self.task_classes)


def derive_seed(*parts: int) -> int:
    """A stable 31-bit seed from integers (seed, task, epoch...) so every stage is seeded independently."""
    h = 1469598103934665603
    for p in parts:
        h = ((h ^ (p & 0xFFFFFFFF)) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h & 0x7FFFFFFF


class Method:
    """A continual-learning method: one model (or several) trained stage by stage.

    Subclasses set ``name``, ``description``, ``papers`` (catalog keys of the
    papers it reproduces; baselines have none) and ``default_config``, and
    override the hooks they need.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    papers: ClassVar[list[str]] = []
    default_config: ClassVar[dict[str, Any]] = {}
    scenarios: ClassVar[tuple[str, ...]] = SCENARIOS
    needs_boundaries: ClassVar[bool] = False

    def __init__(self, ctx: MethodContext) -> None:
        if ctx.scenario not in self.scenarios:
            raise MethodConfigError(f"method {self.name!r} does not support scenario {ctx.scenario}; it supports {', '.join(self.scenarios)}")
        if self.needs_boundaries and not ctx.boundaries_known:
            raise MethodConfigError(f"method {self.name!r} needs task boundaries; {ctx.scenario} streams hide them")
        self.ctx = ctx
        self.cfg = ctx.config
        self.device = ctx.device
        self.model: Any = None
        self.optimizer: Any = None
        nt, nc = ctx.num_tasks, ctx.num_classes
        self._task_mask = torch.zeros((nt, nc), dtype=torch.bool)
        for t, cls in enumerate(ctx.task_classes):
            self._task_mask[t, cls] = True
        self._task_mask = self._task_mask.to(ctx.device)

    # ----- models and optimisers -------------------------------------------------
    def new_model(self, head_seed: int | None = None) -> Any:
        """A fresh pretrained backbone with a seeded head over the whole output space."""
        seed = derive_seed(self.ctx.seed, 7919) if head_seed is None else head_seed
        return build_classifier(self.ctx.backbone, self.ctx.num_classes, seed, self.device)

    def setup(self) -> None:
        """Build the model(s); called once, before the baseline evaluation."""
        self.model = self.new_model()

    def trainable_parameters(self) -> list[Any]:
        return [p for p in self.model.parameters() if p.requires_grad]

    def make_optimizer(self) -> Any:
        return torch.optim.AdamW(self.trainable_parameters(), lr=float(self.cfg["lr"]), weight_decay=0.0)

    def count_parameters(self) -> tuple[int, int]:
        """(trainable, total) parameters of everything the method keeps for inference."""
        params = list(self.model.parameters())
        return sum(p.numel() for p in params if p.requires_grad), sum(p.numel() for p in params)

    # ----- the stage hooks -------------------------------------------------------
    def stage_data(self, task_id: int, train: Encoded, seen: list[Encoded]) -> Encoded:
        """What stage ``task_id`` trains on; ``seen`` holds the training sets of tasks 0..task_id."""
        return train

    def on_segment(self, index: int) -> None:
        """Called at the start of every stream segment, boundaries known or not: reseed randomness only.

        Evaluation points of a blurry stream are not task boundaries, so CL
        logic belongs in ``before_task``/``after_task``; this hook only keeps
        per-segment random streams reproducible across a resume.
        """

    def before_task(self, task_id: int, train: Encoded) -> None:
        """Start a task: a fresh optimiser (so stage checkpoints need no optimiser state when boundaries are known).

        On blurry streams the runner calls this once, at the start of the stream.
        """
        self.optimizer = self.make_optimizer()

    def mask_logits(self, logits: Any, tasks: Any) -> Any:
        """TIL: each row may only score its own task's classes; other scenarios see all outputs."""
        if self.ctx.scenario != "TIL":
            return logits
        return logits.masked_fill(~self._task_mask[tasks], float("-inf"))

    def forward(self, batch: Batch, task_id: int | None = None) -> Any:
        return self.model(batch["input_ids"], batch["attention_mask"])

    def training_loss(self, batch: Batch, task_id: int) -> Any:
        logits = self.mask_logits(self.forward(batch, task_id), batch["tasks"])
        return F.cross_entropy(logits, batch["labels"])

    def training_step(self, batch: Batch, task_id: int) -> float:
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.training_loss(batch, task_id)
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())

    def after_task(self, task_id: int, train: Encoded) -> None:
        """Consolidate after a stage (Fisher, memory, teacher...). Default: nothing."""

    @torch.no_grad()
    def predict(self, batch: Batch, task_id: int | None) -> Any:
        """Scores over the output space; with ``task_id`` (TIL) restricted to that task's classes."""
        self.model.eval()
        logits = self.forward(batch, task_id)
        if task_id is not None:
            logits = logits.masked_fill(~self._task_mask[task_id], float("-inf"))
        return logits

    # ----- checkpointing ---------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue after the last finished stage.

        The optimiser is reset at each task, so it is stored only when the
        stream hides its boundaries (one optimiser then spans the stream).
        """
        state: dict[str, Any] = {"model": trainable_state(self.model)}
        if not self.ctx.boundaries_known and self.optimizer is not None:
            state["optimizer"] = self.optimizer.state_dict()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        load_trainable_state(self.model, state["model"])
        if "optimizer" in state:
            self.optimizer = self.make_optimizer()
            self.optimizer.load_state_dict(state["optimizer"])
