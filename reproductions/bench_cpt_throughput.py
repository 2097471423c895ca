"""Continual pre-training throughput: tokens/s of the harness against a bare transformers loop on the same blocks.

Both sides train the same backbone copy (same seed) on the same training
blocks of the first domain of ``domains-cpt``, in the same order. The
harness side goes through everything a real run does per step: the method
(``cpt-seq`` full training or ``cpt-lora``; its ``before_task`` optimizer
and re-warm/cosine scheduler, ``training_step``), and ``iterate`` building
batch tensors from the block examples with its seeded shuffle. The bare side
is ``model(input_ids, labels=input_ids).loss → backward → AdamW step`` over
pre-stacked tensors, with the same trainable parameters and learning rate.
Rounds alternate to share any background load; the median ratio of
tokens/s (harness / bare) is reported.

    python -m reproductions.bench_cpt_throughput [--method cpt-seq] [--steps 8] [--rounds 3] [--threads 2]
        [--batch-size 4] [--block-size 128] [--write]

With ``--write`` the rounds, the median ratio and the peak memory go to
``benchmarks/RESULTS-cpt-throughput-<method>.json``.

Keep ``--steps`` small on a CPU: a full-training step of the 135M model on
4 x 128 tokens takes seconds.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time

from catalog.paths import REPO_ROOT


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--method", default="cpt-seq", help="cpt-seq (full) or cpt-lora")
    ap.add_argument("--profile", default="smoke")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=None, help="default: the profile's")
    ap.add_argument("--block-size", type=int, default=None, help="default: the profile's")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--write", action="store_true", help="write benchmarks/RESULTS-cpt-throughput-<method>.json")
    args = ap.parse_args(argv)

    import torch

    from reproductions.benchmarks import get_benchmark
    from reproductions.lm.backbone import SMOLLM2, load_causal_lm, load_tokenizer
    from reproductions.lm.batches import iterate
    from reproductions.lm.cpt.blocks import make_blocks
    from reproductions.lm.cpt.runner import get_cpt_method, get_cpt_profile
    from reproductions.lm.methods.base import LMContext
    from reproductions.runcommon import merge_config, resolve_device

    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    spec = get_benchmark("domains-cpt")
    overrides: dict[str, object] = {}
    if args.batch_size:
        overrides["batch_size"] = args.batch_size
    if args.block_size:
        overrides["block_size"] = args.block_size
    method_cls = get_cpt_method(args.method)
    profile = get_cpt_profile(args.profile)
    config = merge_config(method_cls, profile, dict(spec.options), overrides, online=False)
    bs, block_size = int(config["batch_size"]), int(config["block_size"])
    need = args.steps * bs
    text = spec.build(profile, 0, {k: config[k] for k in spec.options})
    tok = load_tokenizer(SMOLLM2)
    stream = make_blocks(text, tok, block_size, need, 1, 1, 0)
    data = stream.domains[0].train
    order_gen = torch.Generator().manual_seed(0)
    batches = list(iterate(data, bs, tok.pad_token_id, generator=order_gen))[: args.steps]
    tokens = sum(int(b["attention_mask"].sum()) for b in batches)
    lr = float(config["full_lr"] if config["adapter"] == "full" else config["lr"])

    def fresh_method():  # noqa: ANN202 - a CPTMethod
        torch.manual_seed(0)
        ctx = LMContext(1, ["d"], config, SMOLLM2, 0, device, tok)
        m = method_cls(ctx)
        m.setup()
        return m

    def bare() -> float:
        model = fresh_method().model  # same wrapping (full or LoRA) as the harness, none of its loop
        model.train()
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
        stacked = [b["input_ids"].to(device) for b in batches]
        t = time.perf_counter()
        for x in stacked:
            opt.zero_grad(set_to_none=True)
            model(input_ids=x, labels=x).loss.backward()
            opt.step()
        return time.perf_counter() - t

    def harness() -> float:
        method = fresh_method()
        method.before_task(0, data[: len(batches) * bs])
        t = time.perf_counter()
        g = torch.Generator().manual_seed(0)
        for i, b in enumerate(iterate(data, bs, tok.pad_token_id, generator=g, device=device)):
            if i == len(batches):
                break
            method.training_step(b, 0)
        return time.perf_counter() - t

    load_causal_lm(SMOLLM2)  # read (and dequantise) the weights once, outside the timings
    bare()  # warm-up: first-touch allocations, lazy init
    ratios = []
    rounds = []
    for r in range(args.rounds):
        tb, th = bare(), harness()
        ratios.append((tokens / th) / (tokens / tb))
        rounds.append({"bare_s": round(tb, 3), "harness_s": round(th, 3), "ratio": round(ratios[-1], 4)})
        print(
            f"round {r + 1}: bare {tokens / tb:.0f} tok/s, harness {tokens / th:.0f} tok/s "
            f"({len(batches)} steps of {bs} x {block_size} tokens), ratio {ratios[-1]:.3f}",
            flush=True,
        )
    med = statistics.median(ratios)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(
        f"method {args.method}: harness/bare tokens-per-second ratio (median of {args.rounds}) = {med:.3f} "
        f"({'meets' if med >= 0.9 else 'BELOW'} the 0.9 target); threads={args.threads}, device={device}; peak memory {peak:.0f} MiB"
    )
    if args.write:
        out = REPO_ROOT / "benchmarks" / f"RESULTS-cpt-throughput-{args.method}.json"
        out.write_text(
            json.dumps(
                {
                    "method": args.method,
                    "steps": len(batches),
                    "batch_size": bs,
                    "block_size": block_size,
                    "tokens_per_round": tokens,
                    "threads": args.threads,
                    "device": str(device),
                    "rounds": rounds,
                    "median_ratio": round(med, 4),
                    "peak_memory_mib": round(peak),
                    "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
                    "command": "python -m reproductions.bench_cpt_throughput " + " ".join(argv or sys.argv[1:]),
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
