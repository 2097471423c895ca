"""Validation rules over one paper's reported results (run after every file has loaded).

Each rule reports through :class:`~catalog.problems.Problem`, naming the
file, the paper and the result's field:

- the task order is one the benchmark declares (through :mod:`catalog.orders`);
- a number is stored once: no two results share paper, benchmark, task
  order, shots, backbone, method, metric and table (:func:`dedup_key`), and
  the same number printed in two tables of the paper is stored once with the
  other table under ``also_in``;
- a printed average (task order ``avg``) agrees, within the rounding of the
  printed digits, with the mean of the group's per-order values from the
  same table (:func:`average_problem`);
- notes speak of the paper, never of how the number was gathered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from catalog.boards import backbone_key, method_key
from catalog.orders import AVG, ResolvedOrder, group_orders, resolve
from catalog.problems import Problem
from catalog.remarks import gathering_remarks
from catalog.schema import Dataset, ReportedResult

LineOf = Callable[[tuple], "int | None"]


def printed_decimals(text: str | None, value: float) -> int:
    """Digits after the decimal point as printed (``"54"`` → 0, ``"54.20"`` → 2); from the float when the text is unknown."""
    raw = (text or repr(float(value))).strip().lower()
    if "e" in raw or "." not in raw:
        return 0
    return len(raw.split(".", 1)[1])


def _table_key(table: str) -> str:
    return " ".join(table.casefold().split())


def dedup_key(r: ReportedResult, order: ResolvedOrder) -> tuple:
    """Two results of one paper with this key are the same number stored twice."""
    return (r.benchmark, order.order, r.shots, backbone_key(r.backbone), method_key(r.method, r.method_paper), r.metric, _table_key(r.table))


@dataclass(frozen=True)
class AverageCheck:
    """The outcome of comparing a printed average with its orders."""

    mean: float
    tolerance: float
    orders: list[str]

    def agrees(self, printed: float) -> bool:
        return abs(printed - self.mean) <= self.tolerance


def average_check(values: dict[str, tuple[float, int]], orders: list[str], avg_decimals: int) -> AverageCheck | None:
    """Mean of the per-order values and the rounding it allows, or ``None`` when it cannot be checked.

    ``values`` maps a canonical order to ``(value, printed decimals)``;
    ``orders`` are the orders the average is over (a declared group's, or
    those the table prints). Every one of them must have a value, and there
    must be at least two. Each printed number may be off by half a unit of
    its last digit, so the mean may be off by the average of those half
    units and the printed average by half of its own.
    """
    if len(orders) < 2 or any(o not in values for o in orders):
        return None
    mean = sum(values[o][0] for o in orders) / len(orders)
    slack = sum(0.5 * 10 ** -values[o][1] for o in orders) / len(orders) + 0.5 * 10**-avg_decimals
    return AverageCheck(mean, slack + 1e-9, list(orders))


def result_problems(
    key: str,
    rel: str,
    results: list[ReportedResult],
    value_texts: tuple[str | None, ...],
    line_of: LineOf,
    datasets: dict[str, Dataset],
) -> Iterator[Problem]:
    """Every problem of one paper's ``results`` (``value_texts``: each value as written in the file).

    That the benchmark, metric and papers named exist is checked with the
    other cross-references in :mod:`catalog.loader`.
    """

    def problem(i: int, fld: str, message: str, hint: str | None = None) -> Problem:
        return Problem(rel, line_of(("results", i, fld.split(".")[0].split("[")[0])), key, f"results[{i}].{fld}", message, hint)

    resolved: list[ResolvedOrder] = []
    for i, r in enumerate(results):
        for j, src in enumerate(r.also_in):
            if src.paper in (None, key) and _table_key(src.table) == _table_key(r.table):
                yield problem(i, f"also_in[{j}].table", f"also_in names the result's own table {r.table!r}", "list only other places that print the number")
        order = resolve(datasets.get(r.benchmark), r.task_order, r.num_tasks)
        resolved.append(order)
        if order.problem:
            yield problem(i, "task_order", order.problem, order.hint)
        found = gathering_remarks(r.note, number_note=True)
        if found:
            yield problem(
                i,
                "note",
                f"the note speaks of how the number was gathered ({', '.join(map(repr, found))}); notes are shown to readers",
                "say only what the paper says; how the number was checked goes in provenance",
            )

    yield from _duplicates(results, resolved, problem)
    yield from _averages(results, resolved, value_texts, datasets, problem)


def _duplicates(results: list[ReportedResult], resolved: list[ResolvedOrder], problem: Callable[..., Problem]) -> Iterator[Problem]:
    first: dict[tuple, int] = {}
    printed_in: dict[tuple, int] = {}
    for i, (r, order) in enumerate(zip(results, resolved)):
        k = dedup_key(r, order)
        if k in first:
            j = first[k]
            yield problem(
                i, "table", f"duplicate of results[{j}]: same benchmark, task order, shots, backbone, method, metric and table", "delete one of the two"
            )
            continue
        first[k] = i
        without_table = (k[:-1], r.value)
        if without_table in printed_in:
            j = printed_in[without_table]
            yield problem(
                i,
                "table",
                f"the number {r.value:g} of results[{j}] ({results[j].table}) is stored again from {r.table}",
                f"store it once and add 'also_in: [{{table: {r.table}}}]' to the result you keep",
            )
        else:
            printed_in[without_table] = i


def _protocol(k: tuple) -> tuple:
    """An average group's key without backbone and method: one table's protocol."""
    return k[:4] + k[6:]


def _averages(
    results: list[ReportedResult],
    resolved: list[ResolvedOrder],
    value_texts: tuple[str | None, ...],
    datasets: dict[str, Dataset],
    problem: Callable[..., Problem],
) -> Iterator[Problem]:
    groups: dict[tuple, dict[str, int]] = {}
    for i, (r, order) in enumerate(zip(results, resolved)):
        if order.order is None or order.problem:
            continue
        k = (
            r.benchmark,
            order.group,
            r.num_tasks if order.group is None else None,
            r.shots,
            backbone_key(r.backbone),
            method_key(r.method, r.method_paper),
            r.metric,
            _table_key(r.table),
        )
        groups.setdefault(k, {}).setdefault(order.order, i)
    # without a declared group, a table's orders are those any of its rows prints under the same protocol
    table_orders: dict[tuple, set[str]] = {}
    for k, members in groups.items():
        table_orders.setdefault(_protocol(k), set()).update(o for o in members if o != AVG)
    texts = value_texts if len(value_texts) == len(results) else (None,) * len(results)
    for k, members in groups.items():
        if AVG not in members:
            continue
        a = members[AVG]
        values = {o: (results[i].value, printed_decimals(texts[i], results[i].value)) for o, i in members.items() if o != AVG}
        orders = group_orders(datasets.get(k[0]), k[1]) or sorted(table_orders[_protocol(k)])
        check = average_check(values, orders, printed_decimals(texts[a], results[a].value))
        if check is None or check.agrees(results[a].value):
            continue
        shown = ", ".join(f"{o}: {values[o][0]:g}" for o in check.orders)
        yield problem(
            a,
            "value",
            f"the printed average {results[a].value:g} is not the mean of its orders ({shown}; mean {check.mean:.3f}, "
            f"allowed ±{check.tolerance:.3f} for the printed digits)",
            "check each value against the table; a value may be mistyped or belong to another row",
        )
