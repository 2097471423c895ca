"""Generative reproductions: continual instruction tuning of a causal (chat) LM.

The classification harness (``reproductions.runner``) trains an encoder with a
head; this package holds what a *generating* model needs on top of it: the
causal-LM backbone loader (``backbone``), chat-template batches with the loss
on response tokens only (``batches``), answer scoring (``scoring``), greedy
batched decoding for evaluation (``generate``), the instruction benchmark
(``reproductions/benchmarks/wordnet_instruct.py``), the general-ability probe (``probe``) and the methods
(``methods/``, one module each). The stage loop, checkpoints and the result
file are shared with the classification harness.
"""
