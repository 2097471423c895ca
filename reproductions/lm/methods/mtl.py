"""MTL: joint LoRA training on all tasks seen so far, from the pretrained model at each stage (reference).

At stage i a fresh LoRA on the pretrained chat LM is trained on the union of
tasks 0..i, so the last row of the score matrix is the classic multi-task
model and the earlier rows keep the matrix square. It is a non-continual
reference (an upper bound for the LoRA methods), never ranked with them.
"""

from __future__ import annotations

from reproductions.lm.batches import Encoded
from reproductions.lm.methods.base import LMMethod
from reproductions.methods import register
from reproductions.methods.base import derive_seed


@register
class LMMTL(LMMethod):
    name = "mtl"
    description = "joint LoRA training on every task seen so far, restarted from the pretrained model (reference)"

    def stage_data(self, task_id: int, train: list[Encoded], seen: list[list[Encoded]]) -> list[Encoded]:
        return [e for task in seen for e in task]

    def before_task(self, task_id: int, train: list[Encoded]) -> None:
        if task_id > 0:
            self.model = self.new_model(lora_seed=derive_seed(self.ctx.seed, 41, task_id))
        super().before_task(task_id, train)
