"""Run profiles: how much data and training a run gets.

``smoke`` exists for tests and CI (seconds to about a minute per method on 2
CPU cores) and must still learn: the tests require every method's accuracy on
each task right after learning it to beat the untrained model by a margin. One
optimizer step per task (the profile's first form) learned nothing, so it has
6 examples per class (all but the 2 test glosses of the test fixture's 8 per
category), 5 epochs of batch 8 (15 steps per task, 3 online) and a learning rate
of 2e-4 for full fine-tuning, four times ``standard``'s, so that the single-pass
online runs learn from their 3 steps too. Methods with their own learning rate
(LoRA, adapters, prompts) keep it. ``standard`` is the profile the science
claims are made on (each result file records its wall time). Methods add
their own hyperparameters on top (``Method.default_config``); the merged dict
is stored in every result file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Profile:
    """Data sizes and optimisation settings shared by all methods of one run."""

    name: str
    train_per_class: int
    test_per_class: int
    epochs: int
    batch_size: int
    eval_batch_size: int
    lr: float
    max_length: int

    def as_config(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("name")
        return d


PROFILES: dict[str, Profile] = {
    "smoke": Profile(
        name="smoke",
        train_per_class=6,
        test_per_class=2,
        epochs=5,
        batch_size=8,
        eval_batch_size=64,
        lr=2e-4,
        max_length=32,
    ),
    "standard": Profile(
        name="standard",
        train_per_class=40,
        test_per_class=20,
        epochs=2,
        batch_size=16,
        eval_batch_size=128,
        lr=5e-5,
        max_length=32,
    ),
}


class UnknownProfileError(KeyError):
    """A profile name that is not defined; the message lists the valid ones."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0])


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(f"unknown profile {name!r}; valid: {', '.join(PROFILES)}") from None
