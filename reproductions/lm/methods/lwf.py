"""LwF for a generative LM: distil the previous stage's next-token distributions on the new task's data.

Li & Hoiem (2017) keep a copy of the model from before the task and add a
distillation term on the current inputs; for a causal LM the natural
equivalent is KL(teacher ‖ student) over the vocabulary at every response
position (temperature ``lwf_temperature``, weight ``lwf_weight``), which is
what continual-instruction-tuning papers use as their LwF baseline. On one
LoRA, like SeqLoRA, so the difference is the distillation term alone. The
teacher is a frozen copy (one extra forward pass per step); after a resume the
runner's ``before_task`` copies the restored model, which is that stage's teacher.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from reproductions.deps import require
from reproductions.lm.batches import IGNORE, Encoded
from reproductions.lm.methods.base import LORA_DEFAULTS, LMMethod
from reproductions.methods import register

torch = require("torch")
F = torch.nn.functional


@register
class LMLwF(LMMethod):
    name = "lwf"
    description = "learning without forgetting: KL to the previous stage's token distributions (one LoRA)"
    papers: ClassVar[list[str]] = []
    default_config: ClassVar[dict[str, Any]] = {**LORA_DEFAULTS, "lwf_weight": 1.0, "lwf_temperature": 2.0}

    def setup(self) -> None:
        super().setup()
        self.teacher: Any = None

    def before_task(self, task_id: int, train: list[Encoded]) -> None:
        super().before_task(task_id, train)
        if task_id > 0:
            self.teacher = copy.deepcopy(self.model).eval()
            for p in self.teacher.parameters():
                p.requires_grad_(False)

    def training_loss(self, batch: dict[str, Any], task_id: int) -> Any:
        out = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"])
        if self.teacher is None:
            return out.loss
        with torch.no_grad():
            t_logits = self.teacher(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        # logits at position k predict token k+1: response positions are where the shifted labels are real
        mask = batch["labels"][:, 1:] != IGNORE
        temp = float(self.cfg["lwf_temperature"])
        s = F.log_softmax(out.logits[:, :-1][mask] / temp, dim=-1)
        t = F.log_softmax(t_logits[:, :-1][mask] / temp, dim=-1)
        kl = F.kl_div(s, t, log_target=True, reduction="batchmean") * temp * temp
        return out.loss + float(self.cfg["lwf_weight"]) * kl
