"""Generative (causal chat LM) methods, one module each; they register into ``reproductions.methods``."""
