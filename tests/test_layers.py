"""The package's layers import one way: data -> (build) -> spec -> models -> inference ->
forecasting -> evaluation -> faces; the offline build sits on the data layer and nothing outside
it imports it. Every import counts: module level, inside functions, TYPE_CHECKING blocks."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

PACKAGE = Path(__file__).resolve().parent.parent / "rivalrymodel"

LAYERS = ["data", "build", "spec", "models", "inference", "forecasting", "evaluation", "faces"]

# Module (dotted, under rivalrymodel) or package prefix -> layer. A module not listed fails the
# test: a new module has to be given its place.
LAYER_OF = {
    "_version": "data",
    "errors": "data",
    "data": "data",
    "build": "build",
    "spec": "spec",
    "models": "models",
    "inference": "inference",
    "forecasting": "forecasting",
    "evaluation": "evaluation",
    "cli": "faces",
    "plotting": "faces",
    "report": "faces",
}


def layer(module: str) -> str:
    """The layer of ``rivalrymodel.<module>`` (the package root is above every layer)."""
    if module == "":
        return "root"
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in LAYER_OF:
            return LAYER_OF[key]
    raise KeyError(f"rivalrymodel.{module} has no layer in LAYER_OF")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports (dotted, relative to rivalrymodel)."""
    name = _module_name(path)
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if name else []
    package = here if is_pkg else here[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "rivalrymodel" or a.name.startswith("rivalrymodel."):
                    out.add(a.name.removeprefix("rivalrymodel").lstrip("."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "rivalrymodel":
                target = node.module.removeprefix("rivalrymodel").lstrip(".")
            else:
                continue
            subs = set()
            if node.module is None:  # from . import x: x may be a module
                for a in node.names:
                    sub = f"{target}.{a.name}" if target else a.name
                    if (PACKAGE / sub.replace(".", "/")).with_suffix(".py").exists() or (
                        PACKAGE / sub.replace(".", "/")
                    ).is_dir():
                        subs.add(sub)
            # "from . import diagnostics" imports the submodule, not the package's __init__
            # (which would read as a cycle): the package counts only for names that are not
            # submodules.
            if len(subs) < len(node.names):
                out.add(target)
            out |= subs
    return out


def package_graph() -> dict[str, set[str]]:
    return {_module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that runs against the layer order (the package root may import all)."""
    rank = {name: i for i, name in enumerate(LAYERS)}
    bad = []
    for module, targets in graph.items():
        if module == "":
            continue
        mine = layer(module)
        for t in sorted(targets):
            theirs = layer(t)
            if theirs == "root" or rank[theirs] > rank[mine]:
                bad.append(f"rivalrymodel.{module} ({mine}) imports rivalrymodel.{t} ({theirs})")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: each strongly connected set of two or more modules, sorted."""
    names = sorted(set(graph) | {t for ts in graph.values() for t in ts})
    index = {n: i for i, n in enumerate(names)}
    edges = [(index[m], index[t]) for m, ts in graph.items() for t in ts if t != m]
    rows, cols = zip(*edges, strict=True) if edges else ((), ())
    adjacency = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(names), len(names)))
    _, label = connected_components(adjacency, directed=True, connection="strong")
    groups: dict[int, list[str]] = {}
    for name, lab in zip(names, label, strict=True):
        groups.setdefault(int(lab), []).append(name)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def test_no_import_cycle():
    assert cycles(package_graph()) == []


def test_the_cycle_check_sees_a_cycle_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    # A cycle added to the real graph is seen, however deep in a function the import sits.
    graph = package_graph()
    assert ["models.design", "spec"] in cycles({**graph, "spec": graph["spec"] | {"models.design"}})


def test_every_module_has_a_layer():
    for module in package_graph():
        if module:
            assert layer(module) in LAYERS


def test_no_import_runs_against_the_layer_order():
    assert violations(package_graph()) == []


def test_the_check_sees_a_back_edge_of_any_kind(tmp_path):
    graph = package_graph()
    assert violations({**graph, "spec": graph["spec"] | {"inference.posterior"}}) == [
        "rivalrymodel.spec (spec) imports rivalrymodel.inference.posterior (inference)"
    ]
    assert violations({"models.design": {""}})  # the package root is above every layer
    # Imports inside functions and TYPE_CHECKING blocks are found too.
    src = tmp_path / "mod.py"
    src.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .inference import Fit\n"
        "def f():\n    from .evaluation import backtest\n    import rivalrymodel.cli\n"
    )
    fake = PACKAGE / "_layer_probe.py"
    try:
        fake.write_text(src.read_text())
        assert imports_of(fake) == {"inference", "evaluation", "cli"}
    finally:
        fake.unlink()


def outside_imports_of_the_build(graph: dict[str, set[str]]) -> list[str]:
    """Imports of the build by a module outside it (the build is above the data layer and
    only ``python -m rivalrymodel.build`` runs it)."""

    def inside(module: str) -> bool:
        return module == "build" or module.startswith("build.")

    return [
        f"rivalrymodel.{m or '(root)'} imports rivalrymodel.{t}"
        for m, ts in sorted(graph.items())
        for t in sorted(ts)
        if inside(t) and not inside(m)
    ]


def test_nothing_outside_the_build_imports_it():
    graph = package_graph()
    assert any(layer(m) == "build" for m in graph)
    assert outside_imports_of_the_build(graph) == []
    # The check sees one: the layer order alone would let spec import the build.
    assert outside_imports_of_the_build({**graph, "spec": graph["spec"] | {"build.identity"}}) == [
        "rivalrymodel.spec imports rivalrymodel.build.identity"
    ]


def test_unknown_modules_are_an_error():
    with pytest.raises(KeyError, match="has no layer"):
        layer("mystery")


def test_no_code_outside_models_asks_for_a_family_by_name():
    for path in PACKAGE.rglob("*.py"):
        if "models" in path.relative_to(PACKAGE).parts:
            continue
        text = path.read_text()
        assert "family ==" not in text and "family !=" not in text, path


def private_reads(path: Path) -> list[str]:
    """Names with a leading underscore that ``path`` takes from another module: imported, or
    read as an attribute of anything but ``self``/``cls`` (IPython's ``_repr_*_`` hooks and
    dunders are public protocols)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").startswith("rivalrymodel")
        ):
            names = [a.name for a in node.names]
            out += [n for n in names if n.startswith("_") and not n.startswith("__")]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            public = node.attr.startswith("__") or node.attr.startswith("_repr_")
            own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not (public or own):
                out.append(ast.unparse(node))
    return out


def test_nothing_reads_private_attributes_across_modules(tmp_path):
    found = {str(p): private_reads(p) for p in PACKAGE.rglob("*.py")}
    assert {p: r for p, r in found.items() if r} == {}
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from .inference.posterior import _helper\n"
        "def f(bt, self):\n    self._own\n    bt.table._repr_html_()\n    return bt._sets(False)\n"
    )
    assert private_reads(probe) == ["_helper", "bt._sets"]
