"""Run profiles of continual pre-training: how many domains, blocks and steps a run gets.

``smoke`` is for quick checks (≤ 90 s of two cores per method, measured
53-78 s for the five methods; it must still learn: every trained domain's
held-out perplexity falls below the untrained model's); ``standard`` is
what committed results would use (≤ 15 min per run on two cores). Methods add their own settings on top
(``LMMethod.default_config``); ``--set`` overrides any of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class CPTProfile:
    """Sizes and optimisation settings shared by every method of one continual pre-training run."""

    name: str
    tasks: int  # how many domains of the benchmark's order the stream keeps (the first ones)
    train_blocks: int  # training blocks per domain (a seeded sample of the domain's training side)
    eval_blocks: int  # held-out blocks per domain (a fixed sample)
    general_blocks: int  # held-out blocks of the general text
    block_size: int  # tokens per block
    epochs: int
    batch_size: int
    eval_batch_size: int
    lr: float  # adapter (LoRA) peak learning rate
    full_lr: float  # full-training peak learning rate
    warmup_share: float  # share of a stage's steps spent re-warming the learning rate linearly from 0
    min_lr_ratio: float  # cosine decay ends at this fraction of the peak, every stage
    probe_size: int  # questions of the chat probe answered before the stream and after every stage (0: none)

    def as_config(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("name")
        return d


CPT_PROFILES: dict[str, CPTProfile] = {
    # 3 stages x 3 full-training steps of 4 x 96 tokens; 3 x 4 + 4 held-out blocks scored 4 times
    "smoke": CPTProfile(
        "smoke",
        tasks=3,
        train_blocks=12,
        eval_blocks=4,
        general_blocks=4,
        block_size=96,
        epochs=1,
        batch_size=4,
        eval_batch_size=8,
        lr=2e-3,
        full_lr=2e-4,
        warmup_share=0.1,
        min_lr_ratio=0.1,
        probe_size=6,
    ),
    # 3 stages x 4 steps of 8 x 256 tokens (each training block seen once, as in pre-training); 3 x 8 + 8 held-out
    # blocks scored 4 times. Sized so the committed grid (5 methods x 3 seeds) fits a two-core machine: about
    # 25k training and 33k scored tokens per run, ~6 min at the smoke runs' throughput (~100 training and ~300
    # scored tokens/s on two cores); each run's wall time is in its result file. The chat probe (24 capital
    # questions, greedy answers of at most 12 tokens) is answered 4 times: does CPT erode the chat model?
    "standard": CPTProfile(
        "standard",
        tasks=3,
        train_blocks=32,
        eval_blocks=8,
        general_blocks=8,
        block_size=256,
        epochs=1,
        batch_size=8,
        eval_batch_size=8,
        lr=1e-3,
        full_lr=1e-4,
        warmup_share=0.1,
        min_lr_ratio=0.1,
        probe_size=24,
    ),
}
