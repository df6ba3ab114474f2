"""Public names say which layer they belong to: the symbolic derivations (returning a
Derivation) and the numeric theory (returning numbers) share none."""
import types

import pytest

from antagonism import derivations, theory


def test_no_public_name_of_derivations_is_a_public_name_of_theory():
    assert set(derivations.__all__) & set(theory.__all__) == set()
    module_level = {name for name, value in vars(derivations).items()
                    if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert module_level & set(theory.__all__) == set()


@pytest.mark.parametrize("package", [derivations, theory], ids=lambda p: p.__name__)
def test_every_name_in_all_exists(package):
    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert missing == []
    assert len(set(package.__all__)) == len(package.__all__)


def test_the_symbolic_closed_forms_are_reached_by_name():
    for quantity, name in [("tau-star", "derive_critical_binding_time"),
                           ("tau-inflection", "derive_inflection_binding_time"),
                           ("boundary", "derive_decision_boundary"),
                           ("fold-change", "derive_fold_change"),
                           ("weight", "derive_linear_weight")]:
        assert derivations.QUANTITIES[quantity] is getattr(derivations, name)
