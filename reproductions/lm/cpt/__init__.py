"""Continual pre-training (CPT) of a causal LM on a stream of text domains, scored by held-out perplexity.

The instruction harness (:mod:`reproductions.lm`) trains on prompts and
scores generated answers; continual pre-training trains on raw text in
fixed-length token blocks (loss on every token) and scores the model by its
perplexity on held-out text of every domain after every stage, plus a
general text no stage trains on. Modules: ``markup`` (HTML/man/fortune
markup to text), ``corpora`` (Debian-packaged corpora, hashed and checked),
``stream`` (domains split by document), ``blocks`` (token blocks),
``perplexity`` (scoring), ``profiles``, ``benchmark`` (``domains-cpt``) and
``runner`` (the stage loop). Methods live with the other generative methods
in :mod:`reproductions.lm.methods` (``cpt_*`` modules).
"""
