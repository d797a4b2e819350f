"""The dbt project's layers hold, read from the manifest dbt parses: only staging reads a
source, data flows one way through the model folders, and the graph needs no
`-- depends_on` hints (every ref is called on every build, so dbt sees it at parse)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_dbt_cli import run_dbt

from orchestration.assets.dbt import LAYERS, layer_of

# Below a model's own layer, what it may read.
READABLE = {layer: {"seed", *LAYERS[: index + 1]} for index, layer in enumerate(LAYERS)}
READABLE["staging"] |= {"source"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("layers")
    run_dbt(["parse", "--quiet"], root / "fukan.duckdb", root / "target")
    return json.loads((root / "target" / "manifest.json").read_text(encoding="utf-8"))


def _models(manifest: dict) -> list[dict]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]


def _layer(manifest: dict, unique_id: str) -> str:
    if unique_id.startswith("source."):
        return "source"
    node = manifest["nodes"][unique_id]
    return "seed" if node["resource_type"] == "seed" else layer_of(node)


def test_every_model_sits_in_a_layer_folder(manifest):
    outside = {node["name"]: node["original_file_path"] for node in _models(manifest) if layer_of(node) is None}
    assert outside == {}, f"models outside the layer folders {LAYERS}: {outside}"


def test_only_staging_reads_sources(manifest):
    readers = {
        node["name"]: sorted(parent for parent in node["depends_on"]["nodes"] if parent.startswith("source."))
        for node in _models(manifest)
        if layer_of(node) != "staging"
    }
    assert {name: sources for name, sources in readers.items() if sources} == {}


def test_models_read_only_their_own_layer_or_those_below(manifest):
    upward = {}
    for node in _models(manifest):
        layer = layer_of(node)
        read = {parent: _layer(manifest, parent) for parent in node["depends_on"]["nodes"]}
        wrong = sorted(
            f"{parent} ({parent_layer})"
            for parent, parent_layer in read.items()
            if parent_layer not in READABLE.get(layer, set())
        )
        if wrong:
            upward[f"{node['name']} ({layer})"] = wrong
    assert upward == {}


def test_no_model_or_macro_declares_its_parents_by_hint(manifest):
    hinted = sorted(
        item["original_file_path"]
        for item in [*_models(manifest), *manifest["macros"].values()]
        if item.get("package_name") == "fukan" and "depends_on:" in item.get("raw_code", item.get("macro_sql", ""))
    )
    assert hinted == []


def test_layers_are_the_model_folders_in_order_of_flow():
    folders = {
        path.name
        for path in (Path(__file__).resolve().parents[1] / "dbt_project" / "models").iterdir()
        if path.is_dir()
    }
    assert folders == set(LAYERS)
