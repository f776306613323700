"""The rules that keep the layout readable, beside the import-linter contracts in
``pyproject.toml`` (layers, independent features, core without features):

- no import circle anywhere, between any two modules of ``lti_tool``, ``xapi`` or
  ``config`` (grimp's graph, the one import-linter reads, searched for strongly connected
  components);
- no underscore name imported across modules: ``from lti_tool.x import _name`` and
  ``x._name`` on an imported module are private use of another module's insides.

A private *module* (``lti_tool/domain/peer_review/_exact.py``) is a package's own insides:
its package's modules may import it and its names, nobody else may (the ``private_modules``
contract says the same for the module itself).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("lti_tool", "xapi", "config")

# Known circles of the web layer, removed after the web restructure (web/library/ and
# web/peer_review/ packages): the integrator empties this list. Each is an import left out
# of the graph, (importer, imported).


def import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph(*PACKAGES)
    return {
        module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules
    }


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: every component of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_tarjan_finds_circles_and_only_circles() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert strongly_connected(edges) == [["a", "b", "c"]]


def test_no_import_circles() -> None:
    circles = strongly_connected(import_graph())
    assert circles == [], "import circles:\n" + "\n".join(" <-> ".join(c) for c in circles)


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def own_insides(importer: str, is_package: bool, source: str) -> bool:
    """True when ``source`` is a private module of the importer's own package (or below)."""
    parts = source.split(".")
    for position, part in enumerate(parts):
        if is_private(part):
            owner = ".".join(parts[:position])
            package = importer if is_package else importer.rpartition(".")[0]
            return package == owner or package.startswith(owner + ".")
    return False


def absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` reads from, relative imports resolved."""
    source = node.module or ""
    if not node.level:
        return source
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{source}" if source else base


def is_our_module(dotted: str) -> bool:
    path = ROOT / Path(*dotted.split("."))
    return path.with_suffix(".py").exists() or path.is_dir()


def private_uses(module: str, path: Path) -> Iterator[str]:
    """Private names ``module`` takes from other modules of ours."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    imported_modules: dict[str, str] = {}  # local name -> module of ours
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported_modules.update(
                (alias.asname, alias.name)
                for alias in node.names
                if alias.asname and alias.name.split(".")[0] in PACKAGES
            )
        if not isinstance(node, ast.ImportFrom):
            continue
        source = absolute(module, is_package, node)
        if source.split(".")[0] not in PACKAGES:
            continue
        for alias in node.names:
            target = f"{source}.{alias.name}"
            if is_our_module(target):
                imported_modules[alias.asname or alias.name] = target
            if is_private(alias.name) and not own_insides(module, is_package, target):
                yield alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported_modules
            and is_private(node.attr)
        ):
            target = f"{imported_modules[node.value.id]}.{node.attr}"
            if not own_insides(module, is_package, target):
                yield node.attr


def test_own_insides_are_a_package_matter() -> None:
    assert own_insides(
        "lti_tool.domain.peer_review.allocation", False, "lti_tool.domain.peer_review._exact"
    )
    assert own_insides("lti_tool.domain.peer_review", True, "lti_tool.domain.peer_review._exact")
    assert not own_insides(
        "lti_tool.peer_review.queue", False, "lti_tool.domain.peer_review._exact"
    )
    assert not own_insides(
        "lti_tool.peer_review.reassign", False, "lti_tool.peer_review.queue._states"
    )


def test_no_private_names_used_across_modules() -> None:
    offenders = {
        (module, name) for module, path in modules() for name in private_uses(module, path)
    }
    assert offenders == set(), "private names used from other modules:\n" + "\n".join(
        f"{module}: {name}" for module, name in sorted(offenders)
    )
