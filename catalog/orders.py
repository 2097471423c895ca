"""Task orders: the one mapping from the order names papers print to canonical orders.

Papers name the same task sequence differently: O-LoRA calls the three
15-task sequences of the long-sequence benchmark "Order 4-6", a paper that
tabulates only that benchmark may number them 1-3, and a table header may
read "Order-1", "order 1" or "O1". Comparing numbers needs one name per
sequence, so each benchmark's dataset file declares its order groups
(``task_orders:`` in ``data/datasets/<id>.yaml``: the canonical ids and the
other names papers print for them) and every consumer (validation, the
build, the boards) resolves orders through :func:`resolve` here and nowhere
else.

A printed average over the orders of a group is marked by the task order
``avg`` (aliases: "average", "mean"); it is not an order of its own but the
summary column of its group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.schema import Dataset, OrderGroup

AVG = "avg"
AVG_ALIASES = frozenset({"avg", "average", "mean", "avgorder", "averageorder"})
_SEPARATORS = re.compile(r"[\s_\-.:()]+")


def order_token(printed: str) -> str:
    """A printed order name reduced to what identifies it: ``"Order-4"``, ``"order 4"`` and ``"4"`` are all ``"4"``."""
    text = _SEPARATORS.sub("", printed.casefold())
    if text.startswith("order") and len(text) > len("order"):
        text = text[len("order") :]
    elif len(text) > 1 and text[0] == "o" and text[1:].isdigit():
        text = text[1:]
    return text


def is_average(printed: str | None) -> bool:
    """True when ``printed`` marks the average over a group's orders."""
    return printed is not None and order_token(printed) in AVG_ALIASES


@dataclass(frozen=True)
class ResolvedOrder:
    """Where a result's task order sits: its group (``None`` when the benchmark declares none) and canonical name."""

    group: str | None  # the declared group's id, or None
    order: str | None  # canonical order id, AVG, or None when the paper gives no order
    problem: str | None = None  # why the printed order could not be placed (validation reports it)
    hint: str | None = None


def _groups_for(dataset: Dataset | None, num_tasks: int | None) -> list[OrderGroup]:
    groups = list(dataset.task_orders) if dataset is not None else []
    if num_tasks is None:
        return groups
    return [g for g in groups if g.num_tasks is None or g.num_tasks == num_tasks]


def _lookup(group: OrderGroup, token: str) -> str | None:
    for o in group.orders:
        if order_token(o.id) == token or token in {order_token(a) for a in o.aliases}:
            return o.id
    return None


def resolve(dataset: Dataset | None, printed: str | None, num_tasks: int | None) -> ResolvedOrder:
    """Place a printed task order of a result on ``dataset`` (with ``num_tasks`` tasks) in its group.

    Benchmarks without declared groups keep the order as printed (reduced to
    its token), so their boards still group one number of tasks together.
    """
    candidates = _groups_for(dataset, num_tasks)
    if printed is not None and is_average(printed):
        order: str | None = AVG
    else:
        order = None if printed is None else printed.strip()
    if not candidates:  # no declared group for this protocol: keep the order as printed
        return ResolvedOrder(None, order if order in (None, AVG) else order_token(order))
    if order is None or order == AVG:
        group = candidates[0].id if len(candidates) == 1 else None
        return ResolvedOrder(group, order)
    token = order_token(order)
    for g in candidates:
        found = _lookup(g, token)
        if found is not None:
            return ResolvedOrder(g.id, found)
    known = "; ".join(f"{g.label}: {', '.join(o.id for o in g.orders)}" for g in candidates)
    return ResolvedOrder(
        None,
        token,
        f"task order {printed!r} is not an order of this benchmark ({known}, or avg)",
        "write the order as the benchmark names it, or add the paper's name for it to the aliases in the dataset file",
    )


def group_orders(dataset: Dataset | None, group: str | None) -> list[str]:
    """The canonical orders of a declared group, in their declared sequence ([] when undeclared)."""
    if dataset is None or group is None:
        return []
    for g in dataset.task_orders:
        if g.id == group:
            return [o.id for o in g.orders]
    return []


def group_label(dataset: Dataset | None, group: str | None) -> str | None:
    if dataset is None or group is None:
        return None
    return next((g.label for g in dataset.task_orders if g.id == group), None)


def declaration_problems(dataset: Dataset) -> list[tuple[str, str]]:
    """``(field, message)`` for task-order declarations that would make a printed name ambiguous."""
    out: list[tuple[str, str]] = []
    seen_groups: set[str] = set()
    for gi, g in enumerate(dataset.task_orders):
        if g.id in seen_groups:
            out.append((f"task_orders[{gi}].id", f"duplicate order group {g.id!r}"))
        seen_groups.add(g.id)
        owner: dict[str, str] = {}
        for oi, o in enumerate(g.orders):
            for ai, name in enumerate([o.id, *o.aliases]):
                fld = f"task_orders[{gi}].orders[{oi}]." + ("id" if ai == 0 else f"aliases[{ai - 1}]")
                token = order_token(name)
                if token in AVG_ALIASES:
                    out.append((fld, f"{name!r} marks an average, not an order"))
                elif token in owner and owner[token] != o.id:
                    out.append((fld, f"{name!r} already names order {owner[token]!r} of group {g.id!r}"))
                elif token in owner:
                    out.append((fld, f"duplicate order name {name!r}"))
                owner.setdefault(token, o.id)
    return out
