"""LwF: learning without forgetting (Li & Hoiem, 2017).

At the start of each task after the first, the current model is frozen as a
teacher; training adds a temperature-scaled distillation term that keeps the
student's outputs on the classes seen so far (all outputs in DIL) close to
the teacher's on the new task's inputs. No old data are stored. The teacher
is rebuilt from the checkpointed model on resume, so it needs no state.
"""

from __future__ import annotations

import copy
from typing import Any

from reproductions.data import Batch, Encoded
from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods.base import F, Method

torch = require("torch")


@register
class LwF(Method):
    name = "lwf"
    description = "learning without forgetting: distil the previous model's outputs on old classes"
    papers = []
    default_config = {"lwf_alpha": 1.0, "lwf_temperature": 2.0}

    def setup(self) -> None:
        super().setup()
        self.teacher: Any = None
        self.old_classes: Any = None

    def before_task(self, task_id: int, train: Encoded) -> None:
        super().before_task(task_id, train)
        if task_id == 0:
            self.teacher = None
            return
        self.teacher = copy.deepcopy(self.model).eval()
        for p in self.teacher.parameters():
            p.requires_grad_(False)
        if self.ctx.scenario == "DIL":
            old = list(range(self.ctx.num_classes))
        else:
            old = sorted({c for t in range(task_id) for c in self.ctx.task_classes[t]})
        self.old_classes = torch.tensor(old, dtype=torch.long, device=self.device)

    def training_loss(self, batch: Batch, task_id: int) -> Any:
        logits = self.forward(batch, task_id)
        loss = F.cross_entropy(self.mask_logits(logits, batch["tasks"]), batch["labels"])
        if self.teacher is None:
            return loss
        t = float(self.cfg["lwf_temperature"])
        with torch.no_grad():
            target = self.teacher(batch["input_ids"], batch["attention_mask"])[:, self.old_classes]
        kd = F.kl_div(
            F.log_softmax(logits[:, self.old_classes] / t, dim=1),
            F.softmax(target / t, dim=1),
            reduction="batchmean",
        )
        return loss + float(self.cfg["lwf_alpha"]) * t * t * kd
