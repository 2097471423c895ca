"""DEMix-style domain experts (Gururangan et al., NAACL 2022): one LoRA per domain, picked per input by perplexity.

DEMix layers replace a transformer's feed-forward layers with one expert
per training domain; a new domain adds an expert and leaves the others
untouched, so nothing is forgotten, and at test time — where the domain is
unknown — the experts' outputs are mixed with weights from a posterior over
domains estimated from the text itself. Here each domain trains its own
LoRA on the frozen backbone (a fresh one per stage, seeded), and a held-out
block is scored by the expert under which that block is most likely (lowest
perplexity); no domain id is given to the method.

Departures from the paper: LoRA adapters on attention and MLP projections
instead of expert feed-forward layers trained from scratch with the model;
a hard choice of one expert per 128/256-token block instead of a weighted
mixture of all experts; and the choice is made on the scored block itself
(``demix_route_tokens = 0``), which makes the score an optimistic minimum
over experts — set ``demix_route_tokens`` to route on a block's first
tokens only. Before the first stage (no expert yet) the backbone is scored.
Evaluation costs one pass per expert. The chat probe is routed by the same
rule (:meth:`block_nll` on each templated question), and the chosen expert
answers it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from reproductions.backbones import copy_parameters
from reproductions.lm.batches import Encoded, prompt_text
from reproductions.lm.cpt.perplexity import block_nll
from reproductions.lm.generate import generate
from reproductions.lm.methods._cpt import CPTMethod
from reproductions.lm.methods.base import LORA_DEFAULTS
from reproductions.lm.methods.olora import lora_state
from reproductions.methods import register
from reproductions.methods.base import derive_seed


@register
class CPTDEMix(CPTMethod):
    name = "cpt-demix"
    description = "DEMix-style experts: one LoRA per domain, each input scored by its lowest-perplexity expert (no domain id)"
    papers: ClassVar[list[str]] = ["gururangan2022demix"]
    default_config: ClassVar[dict[str, Any]] = {**LORA_DEFAULTS, "demix_route_tokens": 0}

    def setup(self) -> None:
        super().setup()
        self.experts: list[dict[str, Any]] = []  # each finished domain's LoRA weights
        self.last_routing: list[int] = []

    def before_task(self, task_id: int, train: list[Encoded]) -> None:
        if self.experts:  # a new domain: a fresh LoRA on the untouched backbone
            self.model = self.new_model(base=self.model.unload(), lora_seed=derive_seed(self.ctx.seed, 51, task_id))
        super().before_task(task_id, train)

    def after_task(self, task_id: int, train: list[Encoded]) -> None:
        self.experts.append(lora_state(self.model))

    def route(self, per_expert: list[list[float]]) -> list[int]:
        """The expert with the lowest routing NLL for every block (ties: the earlier expert)."""
        return [min(range(len(per_expert)), key=lambda e: per_expert[e][b]) for b in range(len(per_expert[0]))]

    def block_nll(self, blocks: list[Encoded], batch_size: int) -> list[float]:
        if not self.experts:
            self.last_routing = []
            return super().block_nll(blocks, batch_size)
        current = lora_state(self.model)
        prefix = int(self.cfg["demix_route_tokens"])
        scores, routing_scores = [], []
        for sd in self.experts:
            copy_parameters(self.model, sd)
            scores.append(block_nll(self.model, blocks, batch_size, self.device))
            if prefix:
                routing_scores.append(block_nll(self.model, blocks, batch_size, self.device, prefix=prefix))
        copy_parameters(self.model, current)
        self.last_routing = self.route(routing_scores or scores)
        return [scores[e][b] for b, e in enumerate(self.last_routing)]

    def answer(self, prompts: list[str], max_new_tokens: int, batch_size: int) -> list[str]:
        """Each prompt answered by the expert that :meth:`block_nll` routes its chat-templated text to."""
        if not self.experts:
            return super().answer(prompts, max_new_tokens, batch_size)
        tok = self.ctx.tokenizer
        texts = [tuple(tok(prompt_text(tok, p), add_special_tokens=False)["input_ids"]) for p in prompts]
        self.block_nll([Encoded(ids, ids) for ids in texts], 1)  # batch of 1: the prompts differ in length
        chosen, current = self.last_routing, lora_state(self.model)
        out = [""] * len(prompts)
        for e, sd in enumerate(self.experts):
            idx = [k for k, c in enumerate(chosen) if c == e]
            if idx:
                copy_parameters(self.model, sd)
                for k, a in zip(idx, generate(self.model, tok, [prompts[k] for k in idx], max_new_tokens, batch_size, self.device)):
                    out[k] = a
        copy_parameters(self.model, current)
        return out

    def count_parameters(self) -> tuple[int, int]:
        """Trainable: every domain's LoRA (the method keeps one per domain); total: backbone + those LoRAs."""
        per_expert, total = super().count_parameters()
        n = max(1, len(self.experts))
        return per_expert * n, total - per_expert + per_expert * n

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "experts": self.experts}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.experts = list(state["experts"])
