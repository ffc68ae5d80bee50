"""The runner's import structure, read with `ast` (nothing is imported): no import cycle between cdp_runner's modules,
function-local imports included; no private name (`_name`) used across modules; function-local imports of the
package only in cli.py, where each command defers its imports for start-up speed; YAML used only where the input or
output is YAML (never to read the models' yml: dbt's manifest says what dbt parsed)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cdp_runner.config import PROJECT_DIR

PACKAGE = "cdp_runner"
PACKAGE_DIR = PROJECT_DIR / PACKAGE
# cli.py imports inside each command on purpose: `cdp --help` must not load DuckDB, numpy and pyarrow.
LOCAL_IMPORTS_ALLOWED = {f"{PACKAGE}.cli"}
# The modules that use YAML, and what for: the models' yml is dbt's to read (the runner reads dbt's manifest).
YAML_USERS = {
    f"{PACKAGE}.activation.destinations": "reads activation/destinations.yml",
    f"{PACKAGE}.ingest.mapping": "reads a column-mapping file",
    f"{PACKAGE}.ingest.contract_files": "writes the staging sources' yml from the contracts",
    f"{PACKAGE}.identifiers": "reads vars.cdp_default_country of dbt_project.yml",
    f"{PACKAGE}.config": "reads the type of the dbt target in profiles.yml",
    f"{PACKAGE}.spark.session": "reads the Spark session settings in profiles.yml",
    f"{PACKAGE}.serve.access": "reads the tokens file of cdp serve",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The module an ImportFrom names, relative imports resolved against `module`."""
    if not node.level:
        return node.module or ""
    package = module if _is_package(module) else module.rsplit(".", 1)[0]
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


class _Imports(ast.NodeVisitor):
    """Every import of one module: (imported module, names taken from it, whether inside a function)."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.depth = 0
        self.found: list[tuple[str, list[str], bool, int]] = []
        self.module_aliases: dict[str, str] = {}

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((alias.name, [], self.depth > 0, node.lineno))
            self.module_aliases[alias.asname or alias.name] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = _absolute(self.module, node)
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in MODULES:  # `from . import ltv`: the module itself
                self.found.append((submodule, [], self.depth > 0, node.lineno))
                self.module_aliases[alias.asname or alias.name] = submodule
            else:
                self.found.append((source, [alias.name], self.depth > 0, node.lineno))


def _imports() -> dict[str, _Imports]:
    found = {}
    for module, path in MODULES.items():
        visitor = _Imports(module)
        visitor.visit(ast.parse(path.read_text(), str(path)))
        found[module] = visitor
    return found


IMPORTS = _imports()


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, visitor in IMPORTS.items():
        for target, _, _, _ in visitor.found:
            # importing a.b.c runs a/__init__ and a/b/__init__ first
            parts = target.split(".")
            for end in range(1, len(parts) + 1):
                name = ".".join(parts[:end])
                if name in MODULES and name != module:
                    graph[module].add(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_package_is_read_whole():
    assert f"{PACKAGE}.cli" in MODULES and f"{PACKAGE}.ingest.contracts" in MODULES
    assert len(MODULES) > 30


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_crosses_a_module(module):
    visitor = IMPORTS[module]
    taken = [
        f"line {line}: {name} from {source}"
        for source, names, _, line in visitor.found
        if source.startswith(PACKAGE)
        for name in names
        if name.startswith("_") and name != "__version__"
    ]
    tree = ast.parse(MODULES[module].read_text())
    used = [
        f"line {node.lineno}: {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and visitor.module_aliases.get(node.value.id, "").startswith(PACKAGE)
        and node.attr.startswith("_")
    ]
    assert taken + used == []


@pytest.mark.parametrize("module", sorted(set(MODULES) - LOCAL_IMPORTS_ALLOWED))
def test_the_package_is_imported_at_module_level(module):
    local = [
        f"line {line}: {target}"
        for target, _, inside_function, line in IMPORTS[module].found
        if inside_function and target.startswith(PACKAGE)
    ]
    assert local == []


def test_yaml_is_used_only_where_the_input_or_output_is_yaml():
    users = {module for module, visitor in IMPORTS.items() if any(t == "yaml" for t, _, _, _ in visitor.found)}
    assert users == set(YAML_USERS)
