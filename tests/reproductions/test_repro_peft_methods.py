"""Smoke tests of the foundation-LM CL methods: each one's defining mechanism acts (real MiniLM backbone, tiny streams).

IncLoRA, O-LoRA, L2P, Progressive Prompts, AdapterCL, MbPA++ and Online ER:
every test trains on the WordNet fixture (smoke profile) or on a hand-made
toy stream and checks the mechanism, not the accuracy: the orthogonality
loss is non-zero and falls, earlier LoRAs/prompts/head rows stay
byte-identical, L2P's keys learn and its selection depends on the input,
AdapterCL routes inputs to the right adapter, MbPA++ writes and samples its
memory and adapts locally without changing the stored weights, Online ER
sees each stream example exactly once. A CLI run per method checks the
result file and its catalog link.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support.repro import PEFT_RUNS, RESUME_OVERRIDES, assert_learned, use_wordnet_fixture

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from catalog.runfile import read_result  # noqa: E402
from reproductions import cli, runner  # noqa: E402
from reproductions.backbones import load_tokenizer  # noqa: E402
from reproductions.benchmarks import get_benchmark  # noqa: E402
from reproductions.data import Encoded, encode, iterate  # noqa: E402
from reproductions.methods import get_method  # noqa: E402
from reproductions.methods.base import MethodConfigError, MethodContext  # noqa: E402
from reproductions.profiles import get_profile  # noqa: E402
from reproductions.streams import Example  # noqa: E402

pytestmark = pytest.mark.slow


def build(name: str, benchmark: str, seed: int = 0, **overrides: Any) -> tuple[Any, list[Encoded], list[Encoded]]:
    """The method as the runner builds it, with the stream's tokenised train/test sets (WordNet fixture)."""
    torch.set_num_threads(1)
    cls = get_method(name)
    spec = get_benchmark(benchmark)
    base = get_profile("smoke")
    online = spec.scenario in ("HTB", "BTB")
    config = runner.merge_config(cls, base, dict(spec.options), overrides, online)
    profile = replace(base, **{k: config[k] for k in runner.PROFILE_KEYS})
    stream = spec.build(profile, seed, {k: config[k] for k in spec.options})
    tok = load_tokenizer()
    trains = [encode(t.train, tok, profile.max_length) for t in stream.tasks]
    tests = [encode(t.test, tok, profile.max_length) for t in stream.tasks]
    ctx = MethodContext(
        stream.scenario,
        stream.num_classes,
        [t.classes for t in stream.tasks],
        stream.boundaries_known,
        stream.online,
        config,
        "minilm",
        seed,
        torch.device("cpu"),
    )
    torch.manual_seed(seed)
    method = cls(ctx)
    method.setup()
    return method, trains, tests


def train_task(method: Any, t: int, data: Encoded, epochs: int = 1, bs: int = 16) -> list[float]:
    method.on_segment(t)
    method.before_task(t, data)
    losses = []
    for e in range(epochs):
        for batch in iterate(data, bs, shuffle=True, generator=torch.Generator().manual_seed(100 * t + e)):
            losses.append(method.training_step(batch, t))
    method.after_task(t, data)
    return losses


def snapshot(tensors: dict[str, Any]) -> dict[str, Any]:
    return {k: v.detach().clone() for k, v in tensors.items()}


def same_bytes(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def head_rows(method: Any, classes: list[int]) -> dict[str, Any]:
    return {"w": method.model.head.weight[classes], "b": method.model.head.bias[classes]}


# --------------------------------------------------------------------------------------- LoRA family
@pytest.mark.parametrize("name", ["inclora", "olora"])
def test_lora_per_task_earlier_adapters_frozen(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    m, trains, _ = build(name, "wordnet-5x4")
    train_task(m, 0, trains[0], epochs=2)
    lora0 = snapshot(m.adapter_parameters("task0"))
    rows0 = snapshot(head_rows(m, m.ctx.task_classes[0]))
    assert lora0 and all(not p.requires_grad for p in m.adapter_parameters("task0").values())
    assert any(k.endswith("lora_B.task0.weight") and v.abs().sum() > 0 for k, v in lora0.items())  # task 0 learned
    train_task(m, 1, trains[1], epochs=2)
    assert m.model.encoder.base_model.active_adapters == ["task0", "task1"]  # both active: deltas summed
    assert same_bytes(snapshot(m.adapter_parameters("task0")), lora0)  # byte-for-byte frozen
    assert same_bytes(snapshot(head_rows(m, m.ctx.task_classes[0])), rows0)  # task 0's head rows too
    assert any(v.abs().sum() > 0 for k, v in m.adapter_parameters("task1").items() if "lora_B" in k)
    trainable, total = m.count_parameters()
    assert 0 < trainable < total


def test_olora_orthogonality_loss_nonzero_and_decreasing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    m, trains, _ = build("olora", "wordnet-5x4")
    train_task(m, 0, trains[0])
    assert m.orth_history == [] and m.orthogonality_loss(0) is None  # nothing to be orthogonal to yet
    train_task(m, 1, trains[1], epochs=8, bs=len(trains[1]))  # one full-batch step per epoch: 8 steps
    h = m.orth_history
    assert len(h) == 8 and h[0] > 0
    assert h[-1] < 0.8 * h[0], h  # the penalty pushes A_1 away from A_0's subspace
    assert sum(b < a for a, b in zip(h, h[1:])) >= 6, h  # falls (almost) every step
    # the same stream without the penalty (λ1 = 0) leaves the overlap where it was
    m2, trains2, _ = build("olora", "wordnet-5x4", olora_lambda1=0.0)
    train_task(m2, 0, trains2[0])
    train_task(m2, 1, trains2[1], epochs=8, bs=len(trains2[1]))
    assert m2.orth_history[-1] > 0.9 * m2.orth_history[0]


# --------------------------------------------------------------------------------------- prompts
def test_progprompt_earlier_prompts_frozen_and_til_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    with pytest.raises(MethodConfigError, match="supports TIL"):
        build("progprompt", "wordnet-5x4")
    m, trains, tests = build("progprompt", "wordnet-5x4-til")
    train_task(m, 0, trains[0], epochs=2)
    p0 = m.frozen_prompts[0].clone()
    rows0 = snapshot(head_rows(m, m.ctx.task_classes[0]))
    batch = next(iterate(tests[0], 64, shuffle=False))
    before = m.predict(batch, 0).clone()
    m.on_segment(1)
    m.before_task(1, trains[1])
    assert m.prompts_for(1).shape[0] == 2 * int(m.cfg["prompt_length"])  # [P_2; P_1]: new prompt + frozen one
    assert not m.frozen_prompts[0].requires_grad
    for b in iterate(trains[1], 16, shuffle=True, generator=torch.Generator().manual_seed(1)):
        m.training_step(b, 1)
    m.after_task(1, trains[1])
    assert torch.equal(m.frozen_prompts[0], p0)  # P_1 byte-identical after learning task 2
    assert same_bytes(snapshot(head_rows(m, m.ctx.task_classes[0])), rows0)
    assert torch.equal(m.predict(batch, 0), before)  # so task 1's predictions cannot change
    assert not torch.equal(m.frozen_prompts[1], m.frozen_prompts[0])


def test_l2p_keys_learn_and_selection_depends_on_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    m, trains, _ = build("l2p", "wordnet-5x4")
    m.before_task(0, trains[0])
    batch = next(iterate(trains[0], 16, shuffle=False))
    m.optimizer.zero_grad()
    loss = m.training_loss(batch, 0)
    loss.backward()
    grad = m.pool.keys.grad
    selected = sorted(set(m.last_selection.flatten().tolist()))
    assert grad is not None and all(grad[i].abs().sum() > 0 for i in selected)  # keys learn via the surrogate loss
    unselected = [i for i in range(grad.shape[0]) if i not in selected]
    assert all(grad[i].abs().sum() == 0 for i in unselected)
    assert m.pool.prompts.grad is not None and m.pool.prompts.grad.abs().sum() > 0
    assert all(p.grad is None for p in m.model.encoder.parameters())  # frozen backbone
    keys0 = m.pool.keys.detach().clone()
    m.optimizer.step()
    assert not torch.equal(m.pool.keys, keys0)
    # selection varies with the input: different glosses pick different prompt sets
    sets = set()
    for enc in trains:
        with torch.no_grad():
            m.forward(next(iterate(enc, 64, shuffle=False)), None)
        sets |= {tuple(sorted(r)) for r in m.last_selection.tolist()}
    assert len(sets) > 1, sets


# --------------------------------------------------------------------------------------- AdapterCL
TOY = {
    0: ["a large dog barking loudly", "a small cat sleeping on the sofa", "a horse running in the field", "a bird singing in a tree"],
    1: ["a red apple on the table", "fresh bread and butter", "a bowl of hot soup", "sweet chocolate cake"],
    2: ["to run quickly down the road", "to jump over a fence", "to swim across the river", "to walk slowly home"],
    3: ["to think about a problem", "to remember an old friend", "to believe a story", "to understand the lesson"],
}
TOY_TEST = [
    ("a wolf howling at night", 0),
    ("a mouse hiding", 0),
    ("grilled fish and rice", 1),
    ("a glass of milk", 1),
    ("to climb a mountain", 2),
    ("to drive a car", 2),
    ("to doubt the answer", 3),
    ("to imagine a future", 3),
]


def test_adaptercl_routes_to_the_right_adapter_without_task_id() -> None:
    """Task 0 = animals vs food (nouns), task 1 = motion vs thought (verbs): trivially separable tasks."""
    torch.set_num_threads(1)
    cls = get_method("adaptercl")
    cfg = {**get_profile("smoke").as_config(), **cls.default_config}
    ctx = MethodContext("CIL", 4, [[0, 1], [2, 3]], True, False, cfg, "minilm", 0, torch.device("cpu"))
    torch.manual_seed(0)
    m = cls(ctx)
    m.setup()
    tok = load_tokenizer()
    train = encode([Example(x, c, 0 if c < 2 else 1) for c, xs in TOY.items() for x in xs], tok, 32)
    for t in (0, 1):
        data = train.subset(torch.nonzero(train.tasks == t).flatten())
        train_task(m, t, data, epochs=10)
        assert all(not p.requires_grad for p in m.adapters[t].parameters())
    test = encode([Example(x, c, 0 if c < 2 else 1) for x, c in TOY_TEST], tok, 32)
    batch = next(iterate(test, 16, shuffle=False))
    pred = m.predict(batch, None).argmax(1)
    assert m.last_choice.tolist() == batch["tasks"].tolist()  # lowest-entropy adapter = the input's task
    assert (pred == batch["labels"]).float().mean() >= 0.75
    # with a task id (TIL path) the given adapter answers, restricted to its classes
    assert set(m.predict(batch, 1).argmax(1).tolist()) <= {2, 3}


# --------------------------------------------------------------------------------------- MbPA++
def test_mbpapp_memory_written_sampled_and_local_adaptation_restores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    m, trains, tests = build("mbpapp", "wordnet-5x4-online-btb", replay_every=2, replay_size=8)
    sampled: list[int] = []
    real_randperm = torch.randperm

    def spy(n: int, *a: Any, **k: Any) -> Any:
        sampled.append(int(n))
        return real_randperm(n, *a, **k)

    monkeypatch.setattr(torch, "randperm", spy)
    m.before_task(0, trains[0])
    seen = 0
    for t, data in enumerate(trains[:2]):
        m.on_segment(t)
        for b in iterate(data, 8, shuffle=False):
            m.training_step(b, t)
            seen += len(b["labels"])
    assert len(m.memory) == seen and m.mem_keys.shape == (seen, 384)  # write-all memory with frozen-encoder keys
    assert m.replayed > 0 and sampled and max(sampled) <= seen  # replay batches are drawn from the memory
    before = {n: p.detach().clone() for n, p in m.model.state_dict().items()}
    batch = next(iterate(tests[0], 64, shuffle=False))
    adapted = m.predict(batch, None)
    assert m.last_adaptation is not None and bool((m.last_adaptation > 0).all())  # θ̃ differs from θ for each input
    assert m.last_local_loss is not None and m.last_local_loss[1] < m.last_local_loss[0]  # θ̃ fits the neighbours
    after = m.model.state_dict()
    assert all(torch.equal(before[n], after[n]) for n in before)  # ... and θ is restored (never overwritten)
    m.cfg["local_steps"] = 0
    plain = m.predict(batch, None)
    assert not torch.allclose(adapted, plain)  # local adaptation changes the prediction-time scores


# --------------------------------------------------------------------------------------- Online ER
def test_online_er_sees_each_stream_example_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    cls = get_method("online_er")
    rows: list[tuple[int, ...]] = []
    real = cls.reservoir_update

    def record(self: Any, batch: Any) -> None:
        for ids, lab in zip(batch["input_ids"].tolist(), batch["labels"].tolist()):
            rows.append((*[i for i in ids if i], lab))
        real(self, batch)

    monkeypatch.setattr(cls, "reservoir_update", record)
    r = runner.run(runner.RunOptions("online_er", "wordnet-5x4-online-btb", "smoke", out=tmp_path, progress=False, threads=1))
    assert r.config["epochs"] == 1
    _, trains, _ = build("online_er", "wordnet-5x4-online-btb")
    stream: Counter[tuple[int, ...]] = Counter()
    for enc in trains:
        for ids, lab in zip(enc.input_ids.tolist(), enc.labels.tolist()):
            stream[(*[i for i in ids if i], lab)] += 1
    assert Counter(rows) == stream  # every stream example passed through exactly as often as it occurs: once


# --------------------------------------------------------------------------------------- CLI runs
@pytest.mark.parametrize(("method", "bench", "papers"), PEFT_RUNS)
def test_smoke_run_writes_linked_result(
    method: str, bench: str, papers: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    rc = cli.main(["run", method, "--benchmark", bench, "--profile", "smoke", "--seed", "0", "--out", str(tmp_path), "--no-progress", "--threads", "1"])
    assert rc == 0, capsys.readouterr().err
    r = read_result(tmp_path / method / bench / "smoke-seed0.json")
    assert r.accuracy_matrix is not None
    assert r.method == method and r.papers == papers and len(r.accuracy_matrix) == 5
    assert 0 < r.trainable_params <= r.total_params
    assert r.command.startswith(f"clatlas repro run {method} --benchmark {bench}")
    assert_learned(r)


@pytest.mark.parametrize(("method", "bench"), [(m, b) for m, b, _ in PEFT_RUNS])
def test_resume_matches_uninterrupted_run(method: str, bench: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checkpoints hold everything these methods keep (frozen adapters/prompts, memories): resuming changes nothing."""
    use_wordnet_fixture(monkeypatch, tmp_path)

    def opts(out: Path, **kw: Any) -> runner.RunOptions:
        return runner.RunOptions(method, bench, "smoke", seed=1, out=out, progress=False, threads=1, overrides=RESUME_OVERRIDES, **kw)

    full = runner.run(opts(tmp_path / "a"))
    with pytest.raises(runner.RunInterrupted):
        runner.run(opts(tmp_path / "b", stop_after_task=2))
    resumed = runner.run(opts(tmp_path / "b", resume=True))
    assert resumed.accuracy_matrix == full.accuracy_matrix
    assert resumed.trainable_params == full.trainable_params


def test_boolean_settings_parse_from_the_command_line() -> None:
    """``--set local_loss=False`` must switch the flag off (``bool("False")`` is True)."""
    cls, prof = get_method("inclora"), get_profile("smoke")
    assert runner.merge_config(cls, prof, {}, {"local_loss": "False"}, False)["local_loss"] is False
    assert runner.merge_config(cls, prof, {}, {"local_loss": "true"}, False)["local_loss"] is True
    with pytest.raises(runner.RunConfigError, match="true or false"):
        runner.merge_config(cls, prof, {}, {"local_loss": "maybe"}, False)
