"""Synthetic, valid catalogs of any size, for the speed and memory benchmarks.

The papers are made up on purpose (random titles and names) and are never
mixed with the real data: they live in a temporary data directory that uses
the real taxonomy and metrics files, so they exercise the same validation.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

from catalog.paths import data_dir

WORDS = (
    "continual lifelong incremental learning language model prompt adapter lora memory replay "
    "regularization distillation domain task class stream online offline blurry boundary forgetting "
    "transfer instruction tuning pretraining vision retrieval expert mixture orthogonal subspace "
    "efficient scalable generative episodic knowledge representation benchmark dialogue intent "
    "relation extraction classification generation sentiment question answering"
).split()
FAMILY = "Smith Wang Li Zhang Garcia Müller Rossi Kim Nguyen Patel Cohen Silva Ivanova Tanaka Okafor".split()
GIVEN = "Ana Bo Chen Dara Eli Femi Gita Hao Ines Jun Kira Lev Mina Noor Omar Pia".split()
VENUES = ["ACL", "EMNLP", "NAACL", "ICLR", "NeurIPS", "ICML", "Findings of ACL", "COLING", "AAAI", "arXiv"]

# valid (setting, increment) pairs come from the real taxonomy file
PAIRS = [("offline", "DIL"), ("offline", "TIL"), ("offline", "CIL"), ("online", "HTB"), ("online", "BTB")]
FAMILIES = ["PLM", "LLM", "VLM"]
TECHNIQUES = ["traditional", "continual-pretraining", "parameter-efficient", "instruction-tuning"]
METRICS = ["AA", "BWT", "FWT", "FM"]


def _paper(rng: random.Random, i: int, datasets: list[str]) -> tuple[str, dict]:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 10))]
    title = " ".join(w.capitalize() for w in words) + f" {i}"
    year = rng.randint(2017, 2025)
    authors = [(rng.choice(FAMILY), rng.choice(GIVEN)) for _ in range(rng.randint(2, 7))]
    key = f"synth{year}n{i}"
    venue = rng.choice(VENUES)
    placements = []
    for _ in range(rng.choice([1, 1, 1, 2])):
        setting, increment = rng.choice(PAIRS)
        placements.append(dict(setting=setting, increment=increment, family=rng.choice(FAMILIES), technique=rng.choice(TECHNIQUES), technique_source="survey"))
    used = rng.sample(datasets, rng.randint(1, 3))
    results = [
        dict(
            benchmark=used[0],
            task_order=str(rng.randint(1, 3)),
            num_tasks=rng.choice([4, 15]),
            shots=None,
            backbone="T5-large",
            method=f"M{i}",
            method_paper=None,
            native=True,
            metric=m,
            value=round(rng.uniform(-20, 90), 1),
            table="Table 1",
            note=None,
            provenance="paper-text",
        )
        for m in rng.sample(METRICS, rng.randint(0, 2))
    ]
    author_bib = " and ".join(f"{f}, {g}" for f, g in authors)
    bibtex = (
        f"@inproceedings{{{key},\n  title = {{{title}}},\n  author = {{{author_bib}}},\n  booktitle = {{Proceedings of {venue}}},\n  year = {{{year}}},\n}}\n"
    )
    summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 70))).capitalize() + "."
    return key, dict(
        title=title,
        year=year,
        venue=f"{venue} {year}",
        kind="method",
        arxiv=f"{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}",
        url=f"https://example.org/paper/{i}",
        code_url=f"https://example.org/code/{i}" if rng.random() < 0.4 else None,
        sources=[f"https://example.org/paper/{i}"],
        placements=placements,
        summary=summary,
        datasets=used,
        results=results,
        bibtex=bibtex,
    )


def make_catalog(dest: Path, n_papers: int, seed: int = 0, n_datasets: int = 40) -> Path:
    """Write a valid synthetic data directory with ``n_papers`` papers; return it."""
    rng = random.Random(seed)
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "papers").mkdir(parents=True)
    (dest / "datasets").mkdir()
    real = data_dir()
    shutil.copy(real / "taxonomy.yaml", dest / "taxonomy.yaml")
    shutil.copy(real / "metrics.yaml", dest / "metrics.yaml")
    datasets = [f"synthetic-set-{j}" for j in range(n_datasets)]
    for j, ds in enumerate(datasets):
        body = dict(name=f"Synthetic set {j}", kind="dataset", description=f"Made-up dataset number {j} for benchmarks.", sources=[])
        (dest / "datasets" / f"{ds}.yaml").write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for i in range(n_papers):
        key, body = _paper(rng, i, datasets)
        (dest / "papers" / f"{key}.yaml").write_text(yaml.dump(body, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return dest


if __name__ == "__main__":  # pragma: no cover
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dest", type=Path)
    ap.add_argument("-n", type=int, default=10_000)
    args = ap.parse_args()
    print(make_catalog(args.dest, args.n))
