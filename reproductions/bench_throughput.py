"""Training throughput of the harness against a bare torch loop over the same model and batches.

Both loops train the same freshly built MiniLM classifier (same seed) for
the same batches of one wordnet-5x4 task; the harness side goes through
everything a real run does per step (``iterate`` batching with its seeded
shuffle, ``Method.training_step`` with task masking and loss extraction, the
tqdm bar), the bare side is ``model(x) -> cross_entropy -> backward -> step``
over pre-built batches. Rounds alternate to share any background load, and
the median ratio harness/bare is reported (the issue's target: <= 1.5).

    python -m reproductions.bench_throughput [--method seqft] [--steps 20] [--rounds 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmark", default="wordnet-5x4")
    ap.add_argument("--profile", default="standard")
    ap.add_argument("--method", default="seqft")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)

    import torch

    from reproductions.backbones import DEFAULT_BACKBONE, build_classifier, load_tokenizer
    from reproductions.benchmarks import get_benchmark
    from reproductions.data import concat, encode, iterate
    from reproductions.methods import get_method
    from reproductions.methods.base import MethodContext
    from reproductions.profiles import get_profile
    from reproductions.runner import merge_config

    tqdm = __import__("tqdm").tqdm
    torch.set_num_threads(args.threads)
    profile = get_profile(args.profile)
    spec = get_benchmark(args.benchmark)
    stream = spec.build(profile, 0, dict(spec.options))
    tok = load_tokenizer(DEFAULT_BACKBONE)
    data = concat([encode(t.train, tok, profile.max_length) for t in stream.tasks[:2]])
    bs = profile.batch_size
    gen = torch.Generator().manual_seed(0)
    batches = list(iterate(data, bs, shuffle=True, generator=gen))[: args.steps]
    steps = len(batches)
    method_cls = get_method(args.method)
    config = merge_config(method_cls, profile, dict(spec.options), {}, False)

    def bare() -> float:
        model = build_classifier(DEFAULT_BACKBONE, stream.num_classes, 1)
        model.train()
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config["lr"], weight_decay=0.0)
        t = time.perf_counter()
        for b in batches:
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(b["input_ids"], b["attention_mask"]), b["labels"])
            loss.backward()
            opt.step()
        return time.perf_counter() - t

    def harness() -> float:
        ctx = MethodContext(
            stream.scenario, stream.num_classes, [t.classes for t in stream.tasks], True, False, config, DEFAULT_BACKBONE, 0, torch.device("cpu")
        )
        method = method_cls(ctx)
        method.setup()
        method.on_segment(0)
        method.before_task(0, data)
        t = time.perf_counter()
        g = torch.Generator().manual_seed(0)
        with tqdm(total=steps, desc="harness", leave=False, file=sys.stderr) as bar:
            for i, b in enumerate(iterate(data, bs, shuffle=True, generator=g)):
                if i == steps:
                    break
                loss = method.training_step(b, 0)
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
        return time.perf_counter() - t

    bare()  # warm-up: first-touch allocations, lazy init
    ratios = []
    for r in range(args.rounds):
        tb, th = bare(), harness()
        ratios.append(th / tb)
        print(f"round {r + 1}: bare {tb:.2f} s, harness {th:.2f} s ({steps} steps of {bs}), ratio {th / tb:.3f}", flush=True)
    med = statistics.median(ratios)
    print(
        f"method {args.method}: harness/bare throughput-time ratio (median of {args.rounds}) = {med:.3f} "
        f"({'within' if med <= 1.5 else 'OVER'} the 1.5x budget); threads={args.threads}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
