"""Every rule of the model and of the checker is in the catalogue, paired."""

from __future__ import annotations

from planner.catalogue import CATALOGUE
from planner.check import RULES
from planner.model import variables
from planner.model.rules import CONSTRAINTS


def test_every_model_rule_is_catalogued_once_in_the_models_order() -> None:
    named = [name for rule in CATALOGUE for name in rule.model]
    assert named == ["create_variables", *(rule.__name__ for rule in CONSTRAINTS)]
    assert callable(variables.create_variables)


def test_every_checker_rule_is_catalogued_once() -> None:
    named = [name for rule in CATALOGUE for name in rule.checker]
    assert sorted(named) == sorted(RULES)
    assert len(named) == len(set(named))


def test_each_catalogued_rule_has_both_sides_and_words() -> None:
    for rule in CATALOGUE:
        assert rule.model and rule.checker
        assert rule.says.endswith(".")
