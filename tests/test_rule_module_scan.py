"""The rule modules that `s2s.NAME` looks in are found again when modules come and go.

`rules._template_modules` keeps the list of ``s2sgrad.templates.*`` modules between lookups
(scanning `sys.modules` for each name cost a few percent of every transformation); a rule
module loaded later, or one removed, must still be seen at the next lookup.
"""
import sys
import types

from s2sgrad import rules


def _load_rule_module(monkeypatch, name, function):
    """Load a rule module `name` defining `function`, and check that a lookup finds it."""
    module = types.ModuleType(name)
    function.__module__ = name
    setattr(module, function.__name__, function)
    monkeypatch.setitem(sys.modules, name, module)
    assert rules.template_helper(function.__name__) is function


def test_a_rule_module_loaded_later_is_looked_in(monkeypatch):
    assert rules.template_helper('scan_probe_helper') is None  # (the list is made now)

    def scan_probe_helper(x):
        return x

    _load_rule_module(monkeypatch, 's2sgrad.templates._scan_probe', scan_probe_helper)
    monkeypatch.delitem(sys.modules, 's2sgrad.templates._scan_probe')
    assert rules.template_helper('scan_probe_helper') is None


def test_a_rule_module_replaced_by_another_module_is_no_longer_looked_in(monkeypatch):
    def scan_probe_other(x):
        return x

    _load_rule_module(monkeypatch, 's2sgrad.templates._scan_probe_other', scan_probe_other)
    # the same number of modules loaded, the rule module gone
    monkeypatch.delitem(sys.modules, 's2sgrad.templates._scan_probe_other')
    monkeypatch.setitem(sys.modules, 'scan_probe_unrelated', types.ModuleType('unrelated'))
    assert rules.template_helper('scan_probe_other') is None
