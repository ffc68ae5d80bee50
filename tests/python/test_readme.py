"""The README's "Project layout" section must match the tree: every package, area folder and macro folder it names
exists, and every one that exists is named."""

from __future__ import annotations

import re

from cdp_runner.config import PROJECT_DIR


def _layout_block() -> str:
    readme = (PROJECT_DIR / "README.md").read_text()
    section = readme.split("## Project layout", 1)[1]
    return section.split("```", 2)[1]


def test_every_runner_package_and_module_is_in_the_layout():
    block = _layout_block().split("cdp_runner/", 1)[1].split("\nbench/", 1)[0]
    packages = {path.name for path in (PROJECT_DIR / "cdp_runner").iterdir() if (path / "__init__.py").exists()}
    modules = {path.name for path in (PROJECT_DIR / "cdp_runner").glob("*.py") if path.name != "__init__.py"}
    named_packages = set(re.findall(r"^  (\w+)/", block, flags=re.MULTILINE))
    assert named_packages == packages
    named_modules = set(re.findall(r"\b(\w+\.py)\b", block))
    assert modules <= named_modules, f"modules missing from the layout: {sorted(modules - named_modules)}"
    assert named_modules <= modules | {"__init__.py"}, f"no such modules: {sorted(named_modules - modules)}"


def test_every_model_area_and_macro_folder_is_in_the_layout():
    block = _layout_block()
    for layer in ("intermediate", "marts"):
        line = re.split(r"\n  (?=\S)", block.split(f"  {layer}/<area>/", 1)[1], maxsplit=1)[0]
        areas = {path.name for path in (PROJECT_DIR / "models" / layer).iterdir() if path.is_dir()}
        for area in areas:
            assert re.search(rf"\b{area}\b", line), f"models/{layer}/{area} is not in the README's layout"
    macro_line = block.split("macros/", 1)[1].split("\nseeds/", 1)[0]
    named = set(re.findall(r"\b(\w+)/", macro_line))
    assert named == {path.name for path in (PROJECT_DIR / "macros").iterdir() if path.is_dir()}
    for folder in re.findall(r"^(\w[\w/.]*)/?\s", block, flags=re.MULTILINE):
        assert (PROJECT_DIR / folder).exists(), f"the layout names {folder}, which does not exist"
