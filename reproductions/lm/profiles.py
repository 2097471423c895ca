"""Run profiles of the generative harness: how much data, training and decoding a run gets.

``smoke`` is for the tests (well under 90 s per method on 2 cores, and it
must still learn: the tests assert a trained task beats the base model);
``standard`` is what the committed results use (a few minutes per run on 2
cores). Methods add their own settings on top (``LMMethod.default_config``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class LMProfile:
    """Sizes and optimisation settings shared by every method of one generative run."""

    name: str
    tasks: int  # how many tasks of the benchmark's order the stream keeps (the first ones)
    train_per_task: int
    test_per_task: int
    probe_size: int
    epochs: int
    batch_size: int
    eval_batch_size: int
    lr: float  # adapter (LoRA) learning rate
    full_lr: float  # full fine-tuning learning rate (all 134.5M weights move: far smaller)
    max_length: int

    def as_config(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("name")
        return d


LM_PROFILES: dict[str, LMProfile] = {
    "smoke": LMProfile(
        "smoke", tasks=3, train_per_task=16, test_per_task=8, probe_size=8, epochs=2, batch_size=8, eval_batch_size=16, lr=3e-3, full_lr=1e-4, max_length=96
    ),
    "standard": LMProfile(
        "standard",
        tasks=5,
        train_per_task=24,
        test_per_task=12,
        probe_size=12,
        epochs=2,
        batch_size=8,
        eval_batch_size=12,
        lr=1e-3,
        full_lr=5e-5,
        max_length=112,
    ),
}
