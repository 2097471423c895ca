"""MTL: joint (multi-task) training, the upper bound of the sequential methods.

At stage i a fresh pretrained model is trained jointly on the training data
of tasks 0..i, so the last row of the accuracy matrix is the classic joint
model on all tasks, and the earlier rows keep the matrix square (the
metrics need it). It costs about (T+1)/2 times SeqFT's training.
"""

from __future__ import annotations

from reproductions.data import Encoded, concat
from reproductions.methods import register
from reproductions.methods.base import Method, derive_seed


@register
class MTL(Method):
    name = "mtl"
    description = "joint training on all tasks seen so far, from the pretrained model at each stage (upper bound)"
    papers = []
    scenarios = ("TIL", "CIL", "DIL")

    def stage_data(self, task_id: int, train: Encoded, seen: list[Encoded]) -> Encoded:
        return concat(seen)

    def before_task(self, task_id: int, train: Encoded) -> None:
        if task_id > 0:  # restart from the pretrained model: joint training, not fine-tuning in sequence
            self.model = self.new_model(derive_seed(self.ctx.seed, 7919, task_id))
        super().before_task(task_id, train)
