"""JSON output is strict: no NaN or Infinity tokens; a non-finite number is null with its
reason next to it."""
import json
import math

import numpy as np
import pytest

from antagonism._core.result import Result, to_json


def _strict_loads(text):
    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")
    return json.loads(text, parse_constant=refuse)


def test_non_finite_numbers_become_null_with_a_reason():
    payload = {"a": math.inf, "b": -np.inf, "c": float("nan"), "d": 1.5,
               "nested": {"x": [1.0, np.float64(np.inf)]},
               "rows": [Result(tau=np.nan, ok=True)]}
    data = _strict_loads(to_json(payload))
    assert data["a"] is None and data["b"] is None and data["c"] is None and data["d"] == 1.5
    assert data["null_reasons"] == {"a": "+inf", "b": "-inf", "c": "nan"}
    assert data["nested"]["x"] == [1.0, None]
    assert data["nested"]["null_reasons"] == {"x[1]": "+inf"}
    assert data["rows"][0] == {"tau": None, "ok": True, "null_reasons": {"tau": "nan"}}


def test_finite_payloads_are_unchanged():
    payload = {"a": 1, "b": [0.25, np.int64(3)], "c": "text", "d": None, "e": np.bool_(True)}
    assert _strict_loads(to_json(payload)) == {"a": 1, "b": [0.25, 3], "c": "text", "d": None,
                                              "e": True}


@pytest.mark.parametrize("args", [
    ["classify", "--model", "adaptive", "--N", "1", "--m", "0", "--json"],
    ["regimes", "--max-N", "3", "--json"],
])
def test_cli_json_is_strict(args, capsys):
    from antagonism.cli import main

    assert main(args) == 0
    _strict_loads(capsys.readouterr().out)
