"""The layout of models/, checked on dbt's manifest (target/manifest.json after `dbt parse`).

A model lives in models/<layer>/<area>/..., and the folder decides where it is built and who may read it
(dbt_project.yml configures it by folder; these tests catch a model whose own config says otherwise):

- layer staging, intermediate, marts or audit; its schema is the layer's name;
- access: staging and intermediate protected, marts and audits public;
- group: staging for staging, governance for audits, otherwise the area's (models/intermediate/customers/ and
  models/marts/customers/ are both in the group customers);
- audits (audit_*) live in models/audit/, and only audits do;
- no mart reads a staging model, and what BI tools and exports read (the exposures) are marts: staging used to be
  private to keep marts off it; now that it is protected, this test keeps them off it.

Each rule is also run on doctored copies of the manifest, so that a rule that stops catching its mistake fails.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

import pytest

from cdp_runner.dbt import run_dbt, target_dir

LAYERS = {
    # layer: (schema, access, group; None = the area's group)
    "staging": ("staging", "protected", "staging"),
    "intermediate": ("intermediate", "protected", None),
    "marts": ("marts", "public", None),
    "audit": ("audit", "public", "governance"),
}

# Known departures from the rules: model -> (rules it breaks, why). An entry whose departure is gone fails the test
# as well, so the list only shrinks.
ALLOWED = {
    "identity_record_map": (
        {"reads staging"},
        "the identity stage's record map goes back to every person-bearing source's staged records to give each its "
        "signature's decision (models/marts/identity/identity_record_map.sql)",
    ),
}


@dataclass(frozen=True)
class Problem:
    model: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.model}: {self.rule}: {self.detail}"


def _models(manifest: dict) -> dict[str, dict]:
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == manifest["metadata"]["project_name"]
    }


def _layer(node: dict) -> str:
    return node["fqn"][1] if len(node["fqn"]) > 2 else ""


def layout_problems(manifest: dict) -> list[Problem]:
    """Every departure from the layout rules, in a stable order."""
    models = _models(manifest)
    problems = []
    for node in models.values():
        name, layer, path = node["name"], _layer(node), node["original_file_path"]
        if layer not in LAYERS:
            problems.append(Problem(name, "folder", f"{path} is not under models/<{'|'.join(LAYERS)}>/"))
            continue
        schema, access, group = LAYERS[layer]
        group = group or node["fqn"][2]
        if node["schema"] != schema:
            problems.append(Problem(name, "schema", f"{node['schema']}, but {path} is in the {layer} layer"))
        if node["access"] != access:
            problems.append(Problem(name, "access", f"{node['access']}, but the {layer} layer is {access}"))
        if node["group"] != group:
            problems.append(Problem(name, "group", f"{node['group']}, but {path} belongs to the group {group}"))
        if name.startswith("audit_") != (layer == "audit"):
            problems.append(Problem(name, "audit folder", f"{path}: audits, and only audits, live in models/audit/"))
        if layer == "marts":
            read = sorted(
                models[uid]["name"]
                for uid in node["depends_on"]["nodes"]
                if uid in models and _layer(models[uid]) == "staging"
            )
            if read:
                problems.append(Problem(name, "reads staging", f"a mart reads {', '.join(read)}"))
    for exposure in manifest["exposures"].values():
        read = sorted(
            models[uid]["name"]
            for uid in exposure["depends_on"]["nodes"]
            if uid in models and _layer(models[uid]) != "marts"
        )
        if read:
            problems.append(Problem(exposure["name"], "exposure", f"reads {', '.join(read)}, which are not marts"))
    return sorted(problems, key=lambda problem: (problem.model, problem.rule))


def unexplained(problems: list[Problem], allowed: dict[str, tuple[set[str], str]]) -> list[str]:
    """The problems the allowed departures do not explain, and the allowed departures that no longer happen."""
    found = {(problem.model, problem.rule) for problem in problems}
    messages = [str(problem) for problem in problems if problem.rule not in allowed.get(problem.model, (set(), ""))[0]]
    messages += [
        f"{model}: {rule}: allowed in test_layout.ALLOWED but no longer happens; remove it"
        for model, (rules, _) in sorted(allowed.items())
        for rule in sorted(rules)
        if (model, rule) not in found
    ]
    return messages


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    run_dbt(["parse"], warehouse=tmp_path_factory.mktemp("layout") / "warehouse.duckdb")
    return json.loads((target_dir() / "manifest.json").read_text())


def test_every_model_follows_the_layout(manifest):
    assert len(_models(manifest)) > 60
    assert unexplained(layout_problems(manifest), ALLOWED) == []


def _node(manifest: dict, name: str) -> dict:
    return next(node for node in _models(manifest).values() if node["name"] == name)


def _doctored(manifest: dict, model: str, changes: dict) -> dict:
    doctored = copy.deepcopy(manifest)
    _node(doctored, model).update(changes)
    return doctored


def _new_problems(manifest: dict, doctored: dict) -> set[tuple[str, str]]:
    before = {(problem.model, problem.rule) for problem in layout_problems(manifest)}
    return {(problem.model, problem.rule) for problem in layout_problems(doctored)} - before


def test_a_mart_reading_staging_is_caught(manifest):
    staged = _node(manifest, "stg_web__events")["unique_id"]
    traits = _node(manifest, "customer_traits")
    doctored = _doctored(
        manifest,
        "customer_traits",
        {"depends_on": {**traits["depends_on"], "nodes": [*traits["depends_on"]["nodes"], staged]}},
    )
    assert _new_problems(manifest, doctored) == {("customer_traits", "reads staging")}


@pytest.mark.parametrize(
    ("name", "changes", "rule"),
    [
        ("int_customer_interactions", {"schema": "marts"}, "schema"),
        ("customer_traits", {"schema": "intermediate"}, "schema"),
        ("stg_web__events", {"access": "public"}, "access"),
        ("int_customer_purchases", {"access": "public"}, "access"),
        ("dim_customers", {"access": "protected"}, "access"),
        ("int_customer_purchases", {"group": "staging"}, "group"),
        ("audit_quarantined_rows", {"group": "staging"}, "group"),
        ("int_customer_purchases", {"fqn": ["cdp", "int_customer_purchases"]}, "folder"),
        ("customer_rfm", {"name": "audit_rfm"}, "audit folder"),
    ],
)
def test_a_model_whose_config_disagrees_with_its_folder_is_caught(manifest, name, changes, rule):
    doctored = _doctored(manifest, name, changes)
    assert _new_problems(manifest, doctored) == {(changes.get("name", name), rule)}


def test_an_exposure_reading_an_intermediate_model_is_caught(manifest):
    doctored = copy.deepcopy(manifest)
    exposure = doctored["exposures"]["exposure.cdp.customer_360_dashboard"]
    exposure["depends_on"]["nodes"].append(_node(manifest, "int_customer_interactions")["unique_id"])
    assert _new_problems(manifest, doctored) == {("customer_360_dashboard", "exposure")}


def test_allowed_departures_must_still_happen():
    problems = [Problem("a_mart", "reads staging", "a mart reads stg_x")]
    allowed = {"a_mart": ({"reads staging"}, "why"), "fixed_mart": ({"schema"}, "why")}
    assert unexplained(problems, allowed) == [
        "fixed_mart: schema: allowed in test_layout.ALLOWED but no longer happens; remove it"
    ]
    assert unexplained(problems, {}) == ["a_mart: reads staging: a mart reads stg_x"]
