"""Dependencies point down only: the generator never reaches analysis code, and the vocabulary
layer stands on errors/validate alone. Imports are read from the source (ast), including
imports inside functions, and followed transitively."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "crmkit"

#: The generator side: the synth package and the layers below it.
GENERATOR_ROOTS = ("crmkit.synth", "crmkit.config", "crmkit.schema", "crmkit.vocabulary",
                   "crmkit.sms_response", "crmkit.promo_calendar",
                   "crmkit.errors", "crmkit.validate")
ANALYSIS = ("campaigns", "rfm", "loyalty", "tags", "membership", "sources", "profile", "privacy",
            "plotting", "widgets", "grading", "exercises")
#: The bottom layer may import only these crmkit modules.
BOTTOM = {"crmkit.vocabulary": {"crmkit.errors", "crmkit.validate"},
          "crmkit.glossary": {"crmkit.vocabulary", "crmkit.errors", "crmkit.validate"},
          "crmkit.promo_calendar": set(), "crmkit.fileio": set(),
          "crmkit.errors": set(), "crmkit.validate": {"crmkit.errors"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every crmkit module the file imports, anywhere in it (absolute names)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # `from . import session` imports a module, not a name
            found.update(f"{target}.{a.name}" for a in node.names)
    return {m for m in found if m == "crmkit" or m.startswith("crmkit.")}


@functools.cache
def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        # keep only names that are modules or packages (drop imported functions and classes)
        graph[name] = {m for m in imported_modules(path) if m in modules and m != name}
    return graph


def reachable(graph: dict[str, set[str]], roots) -> dict[str, list[str]]:
    """Each module reachable from the roots, with one import chain that reaches it."""
    chains = {r: [r] for r in roots if r in graph}
    stack = list(chains)
    while stack:
        current = stack.pop()
        for nxt in sorted(graph[current]):
            if nxt not in chains:
                chains[nxt] = chains[current] + [nxt]
                stack.append(nxt)
    return chains


def is_analysis(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 1 and parts[1] in ANALYSIS


def test_the_graph_is_read():
    graph = import_graph()
    assert "crmkit.rfm" in graph["crmkit.campaigns"]
    assert "crmkit.synth.sms" in graph["crmkit.synth"]


def test_generator_imports_no_analysis_module():
    graph = import_graph()
    roots = [m for m in graph if m.startswith(GENERATOR_ROOTS)]
    assert "crmkit.synth.orders" in roots
    bad = {m: " → ".join(chain) for m, chain in reachable(graph, roots).items()
           if is_analysis(m)}
    assert bad == {}, "the generator reaches analysis code:\n" + "\n".join(bad.values())


@pytest.mark.parametrize("module", sorted(BOTTOM))
def test_bottom_layer_stands_alone(module):
    graph = import_graph()
    assert graph[module] - {"crmkit"} <= BOTTOM[module], graph[module]


def test_the_generator_speaks_the_vocabulary(small_shop):
    from crmkit import vocabulary

    assert set(small_shop.orders["status"]) <= set(vocabulary.ORDER_STATUSES)
    assert set(small_shop.campaign_contacts["group"]) == set(vocabulary.GROUPS)
    for offer in small_shop.campaigns["offer"]:
        assert vocabulary.offer_value(offer) > 0
