"""The mutation benchmark's table in docs/architecture.md comes from its committed results
(benchmarks/mutation.py, benchmarks/mutation_results.json)."""
from __future__ import annotations


def test_the_mutation_table_in_the_docs_is_the_benchmark_s():
    """docs/architecture.md's mutation table is what ``benchmarks/mutation.py --table``
    prints for the committed results, and every survivor is killed by a test written for it,
    listed as equivalent, or listed in the docs as not killed."""
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("mutation", root / "benchmarks" /
                                                  "mutation.py")
    mutation = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mutation)
    report = json.loads((root / "benchmarks" / "mutation_results.json").read_text())
    equivalent = json.loads((root / "benchmarks" / "mutation_equivalent.json").read_text())
    docs = (root / "docs" / "architecture.md").read_text()
    assert mutation.table(report, equivalent) in docs
    for m in report["mutants"]:
        if m["status"] == "survived" and m.get("recheck") != "killed":
            assert m["id"] in equivalent or f"`{m['id']}`" in docs, m["id"]
