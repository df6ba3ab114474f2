"""The size of an SBML model's math once function calls and assignment rules are expanded,
computed without expanding anything.

A call of a function definition is replaced by the function's body with the arguments
substituted, and an assignment rule's variable by the rule's right-hand side.  Nested
definitions multiply: twenty functions, each calling the previous one twice, make a tree of
2^20 nodes out of 250 bytes, which sympy then walks (``free_symbols``) for minutes.  Here
each expression's expanded size is computed by memoised arithmetic over the call graph:

    size(f(a_1, ..., a_k)) = c_f + sum_i n_{f,i} size(a_i)

where ``c_f`` counts the nodes of f's expanded body that are not its parameters and
``n_{f,i}`` how often parameter i occurs in it (both computed once per function, callees
first); an assignment rule's variable counts as the expanded size of its right-hand side.
The counts saturate just above :data:`MAX_EXPANDED_NODES`, so no number grows large.  An
expression beyond the limit, or a function definition that calls itself, is refused with a
:class:`~antagonism._core.errors.LimitError` before any expression is built.
"""
from __future__ import annotations

from antagonism._core.errors import LimitError, NetworkFileError

#: most nodes one expression (a rate law, a rule, an initial assignment, the output) may
#: have once functions and assignment rules are expanded
MAX_EXPANDED_NODES = 20_000
_CAP = MAX_EXPANDED_NODES + 1


class _Form:
    """A size as ``const + sum coeff[key] * size(key)`` (keys: parameters, rule names)."""

    __slots__ = ("const", "coeff")

    def __init__(self, const=0, coeff=None):
        self.const, self.coeff = min(const, _CAP), coeff or {}

    def add(self, other, times=1):
        self.const = min(_CAP, self.const + times * other.const)
        for k, v in other.coeff.items():
            self.coeff[k] = min(_CAP, self.coeff.get(k, 0) + times * v)
        return self


class _Sizer:
    def __init__(self, functions, rules, libsbml):
        self.functions, self.rules, self.lib = functions, set(rules), libsbml
        self.forms = {}  # function name -> (parameters, _Form of its body)

    def form(self, node, params):
        """The expanded size of the libsbml AST ``node`` (inside a body with ``params``)."""
        lib = self.lib
        kind = node.getType()
        if kind == lib.AST_NAME:
            name = node.getName()
            if name in params or name in self.rules:
                return _Form(0, {name: 1})
            return _Form(1)
        kids = [self.form(node.getChild(i), params) for i in range(node.getNumChildren())]
        name = node.getName() if kind == lib.AST_FUNCTION else None
        if name in self.forms:
            fparams, body = self.forms[name]
            out = _Form(body.const, {k: v for k, v in body.coeff.items() if k not in fparams})
            for p, kid in zip(fparams, kids):
                out.add(kid, body.coeff.get(p, 0))
            return out
        out = _Form(1)
        for kid in kids:
            out.add(kid)
        return out

    def add_functions(self):
        """Forms of every function definition, callees first; a cycle is refused."""
        calls = {f: self._callees(body) & set(self.functions)
                 for f, (_, body) in self.functions.items()}
        done = set()
        while len(done) < len(calls):
            ready = [f for f in calls if f not in done and calls[f] <= done]
            if not ready:
                cycle = sorted(set(calls) - done)
                raise NetworkFileError("SBML function definitions call each other in a "
                                       f"cycle: {', '.join(cycle)[:200]}")
            for f in ready:
                params, body = self.functions[f]
                self.forms[f] = (list(params), self.form(body, set(params)))
                done.add(f)

    def _callees(self, node):
        found, todo = set(), [node]
        while todo:
            n = todo.pop()
            if n.getType() == self.lib.AST_FUNCTION:
                found.add(n.getName())
            todo.extend(n.getChild(i) for i in range(n.getNumChildren()))
        return found


def _resolve(form, rule_sizes):
    return min(_CAP, form.const + sum(v * rule_sizes.get(k, 1) for k, v in form.coeff.items()))


def _refuse(where, size):
    shown = f"more than {MAX_EXPANDED_NODES}" if size >= _CAP else str(size)
    raise LimitError(f"the {where}: its math has {shown} nodes once function definitions "
                     f"and assignment rules are expanded (limit {MAX_EXPANDED_NODES})")


def check_expanded_sizes(model, functions, libsbml):
    """Refuse (:class:`LimitError`) an SBML model any of whose expressions -- assignment
    rules, initial assignments, kinetic laws -- would exceed :data:`MAX_EXPANDED_NODES`
    nodes once functions and rules are expanded; refuse function definitions that call
    each other in a cycle.  Returns {rule variable: expanded size} (for the output)."""
    rules = {}
    for k in range(model.getNumRules()):
        rule = model.getRule(k)
        if rule.isAssignment() and rule.isSetMath():
            rules[rule.getVariable()] = rule.getMath()
    sizer = _Sizer(functions, rules, libsbml)
    sizer.add_functions()
    forms = {v: sizer.form(m, set()) for v, m in rules.items()}
    sizes, pending = {}, dict(forms)
    while pending:  # rules use rules: resolve those whose rules are resolved
        ready = [v for v, f in pending.items() if set(f.coeff) & set(rules) <= set(sizes)]
        if not ready:  # a cycle: resolve_rules refuses it with its own message
            sizes.update({v: 1 for v in pending})
            break
        for v in ready:
            sizes[v] = _resolve(pending.pop(v), sizes)
            if sizes[v] > MAX_EXPANDED_NODES:
                _refuse(f"assignment rule for {v}", sizes[v])
    items = [(f"initial assignment of {a.getSymbol()}", a.getMath())
             for a in (model.getInitialAssignment(k)
                       for k in range(model.getNumInitialAssignments()))]
    for k in range(model.getNumReactions()):
        r = model.getReaction(k)
        if r.isSetKineticLaw() and r.getKineticLaw().isSetMath():
            items.append((f"kinetic law of reaction {r.getId()}", r.getKineticLaw().getMath()))
    for where, math_ in items:
        if math_ is not None:
            size = _resolve(sizer.form(math_, set()), sizes)
            if size > MAX_EXPANDED_NODES:
                _refuse(where, size)
    return sizes


def check_output_size(expr, rule_sizes):
    """Refuse an output expression (sympy) larger than the limit once the assignment rules
    it names are expanded (``rule_sizes`` from :func:`check_expanded_sizes`)."""
    import sympy as sp

    size = 0
    for node in sp.preorder_traversal(expr):
        size = min(_CAP, size + rule_sizes.get(str(node), 1) if node.is_Symbol else size + 1)
    if size > MAX_EXPANDED_NODES:
        _refuse("output designation", size)
    return size


__all__ = ["MAX_EXPANDED_NODES", "check_expanded_sizes", "check_output_size"]
