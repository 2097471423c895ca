"""AdapterCL (Madotto et al., EMNLP 2021, "Continual Learning in Task-Oriented Dialogue Systems").

Each task gets its own residual adapters (Bapna & Firat style: LayerNorm ->
down-projection -> ReLU -> up-projection, added to the output of every
transformer layer) on a frozen pretrained backbone; earlier adapters are
never touched again, so parameters cannot be overwritten. At test time the
task id is *not* given: the input is run through every adapter and the one
that is most certain about it is selected. The paper scores certainty by the
perplexity of the input under each adapter's language model; here the
backbone is an encoder classifier without a language-model head, so the
score is the entropy of each adapter's prediction over its own task's
classes (lowest entropy wins), the "uncertainty" variant of the same rule.
The chosen adapter's task classes are then scored; the other classes get
-inf. With a task id (TIL) the given task's adapter answers directly.

Settings: bottleneck 64 (the paper uses 100 on GPT-2's 768-d states; 64 on
MiniLM's 384-d), up-projection initialised at zero so a new adapter starts
as the identity; per-task classifier = the head rows of the task's classes,
trained only with that task's adapter (task-local cross-entropy).

Deviations: MiniLM encoder + linear head instead of GPT-2 generating
responses, hence entropy instead of perplexity for adapter selection;
learning rate 3e-3 for the adapters and head, set on the training loss
before the committed runs and not tuned on test accuracy (no committed run
compares learning rates).
"""

from __future__ import annotations

from typing import Any

from reproductions.data import Batch, Encoded
from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods._peft_common import load_named, save_named, task_local_loss
from reproductions.methods.base import F, Method, derive_seed

torch = require("torch")
nn = torch.nn


class ResidualAdapter(nn.Module):  # type: ignore[name-defined]  # torch comes through require(), so nn is Any to mypy
    def __init__(self, hidden: int, bottleneck: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(hidden)
        self.down = nn.Linear(hidden, bottleneck)
        self.up = nn.Linear(bottleneck, hidden)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, h: Any) -> Any:
        return h + self.up(F.relu(self.down(self.norm(h))))


@register
class AdapterCL(Method):
    name = "adaptercl"
    description = "per-task residual adapters on a frozen encoder; test-time adapter = lowest prediction entropy (paper: lowest perplexity, needs an LM head)"
    papers = ["madotto2021continual"]
    scenarios = ("TIL", "CIL", "DIL")
    needs_boundaries = True
    default_config = {"lr": 3e-3, "adapter_bottleneck": 64}

    def setup(self) -> None:
        super().setup()
        for p in self.model.encoder.parameters():
            p.requires_grad_(False)
        self.adapters = nn.ModuleList().to(self.device)  # adapters[t] = one ResidualAdapter per layer
        self.active: int | None = None  # which task's adapters the forward pass uses (None = bare backbone)
        self.last_choice: Any = None  # adapter chosen per example by the last task-agnostic predict
        for i, layer in enumerate(self.model.encoder.encoder.layer):
            layer.register_forward_hook(self._hook(i))

    def _hook(self, i: int) -> Any:
        def hook(module: Any, args: Any, output: Any) -> Any:
            if self.active is None:
                return output
            adapter = self.adapters[self.active][i]
            if isinstance(output, tuple):
                return (adapter(output[0]), *output[1:])
            return adapter(output)

        return hook

    def _new_adapters(self, t: int) -> Any:
        hidden = int(self.model.encoder.config.hidden_size)
        n = len(self.model.encoder.encoder.layer)
        with torch.random.fork_rng(devices=[]):  # seeded init without disturbing the run's random stream
            torch.manual_seed(derive_seed(self.ctx.seed, t, 6007))
            return nn.ModuleList(ResidualAdapter(hidden, int(self.cfg["adapter_bottleneck"])) for _ in range(n)).to(self.device)

    def trainable_parameters(self) -> list[Any]:
        own = [] if self.active is None else list(self.adapters[self.active].parameters())
        return [*own, *self.model.head.parameters()]

    def count_parameters(self) -> tuple[int, int]:
        ad = sum(p.numel() for p in self.adapters.parameters())
        head = sum(p.numel() for p in self.model.head.parameters())
        return ad + head, ad + sum(p.numel() for p in self.model.parameters())

    # ----- stage hooks --------------------------------------------------------------
    def before_task(self, task_id: int, train: Encoded) -> None:
        while len(self.adapters) <= task_id:
            self.adapters.append(self._new_adapters(len(self.adapters)))
        for t, ad in enumerate(self.adapters):
            for p in ad.parameters():
                p.requires_grad_(t == task_id)
        self.active = task_id
        super().before_task(task_id, train)

    def training_loss(self, batch: Batch, task_id: int) -> Any:
        self.active = task_id
        return task_local_loss(self.forward(batch, task_id), batch, self._task_mask)

    def training_step(self, batch: Batch, task_id: int) -> float:
        self.adapters.train()
        return super().training_step(batch, task_id)

    def after_task(self, task_id: int, train: Encoded) -> None:
        for p in self.adapters[task_id].parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def predict(self, batch: Batch, task_id: int | None) -> Any:
        self.model.eval()
        self.adapters.eval()
        trained = len(self.adapters)
        if task_id is not None or trained == 0:
            self.active = task_id if task_id is not None and task_id < trained else None
            logits = self.forward(batch, task_id)
            self.active = None
            if task_id is not None:
                logits = logits.masked_fill(~self._task_mask[task_id], float("-inf"))
            return logits
        per_task, entropy = [], []
        for t in range(trained):
            self.active = t
            logits = self.forward(batch, None).masked_fill(~self._task_mask[t], float("-inf"))
            logp = F.log_softmax(logits, dim=1)
            entropy.append(-(logp.exp() * logp.nan_to_num(neginf=0.0)).sum(1))
            per_task.append(logits)
        self.active = None
        choice = torch.stack(entropy, dim=1).argmin(dim=1)  # B: the most certain adapter
        self.last_choice = choice
        stacked = torch.stack(per_task, dim=1)  # B x T x C
        return stacked[torch.arange(len(choice), device=choice.device), choice]

    # ----- checkpointing ----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "tasks": len(self.adapters),
            "adapters": {k: v.cpu().clone() for k, v in self.adapters.state_dict().items()},
            "head": save_named(self.model, lambda n: n.startswith("head.")),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        while len(self.adapters) < int(state["tasks"]):
            self.adapters.append(self._new_adapters(len(self.adapters)))
        self.adapters.load_state_dict(state["adapters"])
        for p in self.adapters.parameters():
            p.requires_grad_(False)
        load_named(self.model, state["head"])
