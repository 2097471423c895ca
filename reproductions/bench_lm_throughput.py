"""Training throughput of the generative harness against a bare transformers loop over the same batches.

Both sides train SmolLM2-135M-Instruct with the same LoRA (or full weights,
``--method seqft``) on the same pre-built batches of the first
``wordnet-instruct`` task: the harness side goes through what a real run
does per step (``iterate`` with its seeded shuffle and right padding,
``LMMethod.training_step``), the bare side is ``model(**batch).loss ->
backward -> step``. Rounds alternate so both share any background load; the
median tokens/s ratio harness/bare is reported with peak memory (target:
ratio >= 0.9). Results go to ``benchmarks/RESULTS-lm-throughput.json`` with
``--write``.

    python -m reproductions.bench_lm_throughput [--method seqlora] [--steps 8] [--rounds 3] [--threads 2] [--write]
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

OUT = REPO_ROOT / "benchmarks" / "RESULTS-lm-throughput.json"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--method", default="seqlora")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--write", action="store_true", help=f"write the numbers to {OUT.relative_to(REPO_ROOT)}")
    args = ap.parse_args(argv)

    import torch

    from reproductions.benchmarks import get_benchmark
    from reproductions.lm.backbone import SMOLLM2, load_causal_lm, load_tokenizer
    from reproductions.lm.batches import encode_all, iterate
    from reproductions.lm.methods.base import LMContext
    from reproductions.lm.profiles import LM_PROFILES
    from reproductions.methods import get_method
    from reproductions.runcommon import merge_config

    torch.set_num_threads(args.threads)
    profile = LM_PROFILES["standard"]
    spec = get_benchmark("wordnet-instruct")
    stream = spec.build(profile, 0, {})
    tok = load_tokenizer(SMOLLM2)
    data = encode_all(tok, stream.tasks[0].train, profile.max_length)
    method_cls = get_method(args.method, kind="generate")
    config = merge_config(method_cls, profile, {}, {}, False)
    bs, pad = profile.batch_size, tok.pad_token_id
    batches = list(iterate(data, bs, pad, generator=torch.Generator().manual_seed(0)))[: args.steps]
    tokens = sum(int(b["attention_mask"].sum()) for b in batches)

    def new_method():  # noqa: ANN202
        torch.manual_seed(0)
        m = method_cls(LMContext(len(stream.tasks), stream.task_names, config, SMOLLM2, 0, torch.device("cpu"), tok))
        m.setup()
        m.before_task(0, data)
        return m

    def bare() -> float:
        model = new_method().model  # the same LoRA-wrapped (or full) model, driven by a plain loop
        model.train()
        lr = float(config["full_lr"] if config["adapter"] == "full" else config["lr"])
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
        t = time.perf_counter()
        for b in batches:
            opt.zero_grad(set_to_none=True)
            model(**b).loss.backward()
            opt.step()
        return time.perf_counter() - t

    def harness() -> float:
        method = new_method()
        t = time.perf_counter()
        for i, b in enumerate(iterate(data, bs, pad, generator=torch.Generator().manual_seed(0))):
            if i == len(batches):
                break
            method.training_step(b, 0)
        return time.perf_counter() - t

    load_causal_lm(SMOLLM2)  # load once before timing
    bare()  # warm-up
    rounds = []
    for r in range(args.rounds):
        tb, th = bare(), harness()
        rounds.append({"bare_s": round(tb, 3), "harness_s": round(th, 3), "ratio": round(tb / th, 4)})
        print(f"round {r + 1}: bare {tokens / tb:.0f} tok/s, harness {tokens / th:.0f} tok/s, ratio {tb / th:.3f}", flush=True)
    med = statistics.median(x["ratio"] for x in rounds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(
        f"{args.method}: harness/bare tokens-per-second ratio (median of {args.rounds}) = {med:.3f} "
        f"({'meets' if med >= 0.9 else 'BELOW'} the 0.9 target); {tokens} tokens per round; peak memory {peak:.0f} MiB"
    )
    if args.write:
        OUT.write_text(
            json.dumps(
                {
                    "method": args.method,
                    "steps": len(batches),
                    "batch_size": bs,
                    "tokens_per_round": tokens,
                    "threads": args.threads,
                    "rounds": rounds,
                    "median_ratio": med,
                    "peak_memory_mib": round(peak),
                    "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
                    "command": "python -m reproductions.bench_lm_throughput " + " ".join(argv or sys.argv[1:]),
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
