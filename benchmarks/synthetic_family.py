"""A synthetic family of T-cell receptor proofreading networks, in Antimony, of any size.

The family keeps the structure of the Ganti et al. (2020) PySB network
(ganti2020_tcr_latpp_8step.ant) in a form that grows linearly with the number of
proofreading steps N: ligand rebinding to modified free receptors, two kinases shared by
every ligand type (sequestered while they work) and an adaptor that the signalling complex
consumes (converts into its phosphorylated form, which relaxes back).

Species (3 N + 8 of them)
-------------------------
    L                 free ligand (the ligand designation; its total is the dose)
    C0 ... CN         ligand-bound receptor with n modifications          (N + 1, hold L)
    X1 ... XN         bound receptor C(n-1) with its kinase attached      (N,     hold L)
    D                 signalling complex CN with the adaptor attached     (1,     holds L)
    R0 ... RN         free receptor that kept n modifications             (N + 1, shared)
    K1, K2            the two kinases (Lck-like, ZAP-70-like)             (2,     shared)
    A, Ap             adaptor (LAT-like) and its consumed, phosphorylated form (2, shared)

Reactions (7 N + 7 of them, all mass action)
--------------------------------------------
    bind_n:    L + Rn -> Cn            kon*L*Rn          n = 0..N  (rebinding to modified
                                                                   free receptors, same kon)
    off_n:     Cn -> L + Rn            koff*Cn           n = 0..N  (the receptor keeps its
                                                                   modifications)
    relax_n:   Rn -> R(n-1)            b*Rn              n = 1..N  (free receptors lose one
                                                                   modification at a time)
    kon_n:     C(n-1) + Kk -> Xn       kk*C(n-1)*Kk      n = 1..N, Kk = K1 for odd n and
    koffK_n:   Xn -> C(n-1) + Kk       kr*Xn                       K2 for even n
    cat_n:     Xn -> Cn + Kk           kcat*Xn
    offX_n:    Xn -> L + R(n-1) + Kk   koff*Xn                     (the ligand leaves; the
                                                                   kinase falls off too)
    adapt_on:  CN + A -> D             ka*CN*A
    adapt_off: D -> CN + A             kda*D
    consume:   D + K2 -> CN + Ap + K2  kcatA*D*K2                  (K2 phosphorylates the
                                                                   adaptor: K2 is used even
                                                                   when N = 1)
    offD:      D -> L + RN + A         koff*D
    regen:     Ap -> A                 gammaA*Ap

Conserved totals, all held by free species at t = 0: R_T = R0(0) (every Rn, Cn, Xn, D),
K1_T = K1(0), K2_T = K2(0), A_T = A(0) (A, Ap, D).  The ligand's total is L(0).  Binding
time tau = 1/koff (directive ``off_rate = koff``).  Output: Ap, the consumed adaptor, a
shared species (summed over ligand types).

Sizes: species_count(N) = 3 N + 8 and reaction_count(N) = 7 N + 7, so
N = 1, 7, 31, 97 give 11, 29, 101, 299 species (about 10, 30, 100, 300):
``steps_for_species(target)`` gives the N nearest a target.

Default rates are per step and do not change with N (so the proofreading output falls
as (phi/(phi + koff))^N, phi ~ kk K kcat/(kr + kcat + koff) ~ 0.9 /s); every rate can be
overridden by keyword: ``synthetic_network(31, koff=0.5, kcat=20)``.

Used by benchmarks/networks.py and tests/test_network_engine.py; on its own:
    python benchmarks/synthetic_family.py        # writes synthetic_N{1,7,31,97}.ant here
    python benchmarks/synthetic_family.py 5 12   # writes synthetic_N5.ant, synthetic_N12.ant
"""
from __future__ import annotations

import sys
from pathlib import Path

#: default parameters (molecules per cell, seconds)
DEFAULTS = {
    "kon": 1e-4,      # ligand binding, 1/(molecule s), to every free receptor Rn
    "koff": 0.1,      # ligand unbinding, 1/s: tau = 1/koff = 10 s
    "b": 0.5,         # loss of one modification by a free receptor, 1/s
    "kk": 1e-4,       # kinase binding to a bound receptor, 1/(molecule s)
    "kr": 1.0,        # kinase unbinding without modifying, 1/s
    "kcat": 10.0,     # modification by the attached kinase, 1/s
    "ka": 1e-5,       # adaptor binding to the last complex CN, 1/(molecule s)
    "kda": 1.0,       # adaptor unbinding, 1/s
    "kcatA": 1e-3,    # adaptor phosphorylation by K2 on D, 1/(molecule s)
    "gammaA": 0.05,   # relaxation of the consumed adaptor Ap -> A, 1/s
}
#: default initial amounts: all totals in the free species, every complex at 0
INITIAL = {"L": 1000.0, "R0": 3e4, "K1": 1e4, "K2": 1e4, "A": 1e5}

#: numbers of steps giving about 10, 30, 100 and 300 species
FAMILY = (1, 7, 31, 97)


def species_count(n_steps: int) -> int:
    """Number of species of ``synthetic_network(n_steps)``: 3 N + 8."""
    _check(n_steps)
    return 3 * n_steps + 8


def reaction_count(n_steps: int) -> int:
    """Number of reactions of ``synthetic_network(n_steps)``: 7 N + 7."""
    _check(n_steps)
    return 7 * n_steps + 7


def steps_for_species(target: int) -> int:
    """The number of steps N >= 1 whose species count 3 N + 8 is nearest ``target``."""
    return max(1, round((target - 8) / 3))


def species_names(n_steps: int) -> list[str]:
    n = _check(n_steps)
    return (["L"] + [f"C{i}" for i in range(n + 1)] + [f"X{i}" for i in range(1, n + 1)]
            + ["D"] + [f"R{i}" for i in range(n + 1)] + ["K1", "K2", "A", "Ap"])


def kinase(step: int) -> str:
    """The kinase of proofreading step ``step`` (1-based): K1 for odd, K2 for even steps."""
    return "K1" if step % 2 else "K2"


def synthetic_network(n_steps: int, **params) -> str:
    """Antimony text of the synthetic network with ``n_steps`` proofreading steps.

    Keyword arguments override the rate constants in ``DEFAULTS`` and the initial amounts
    in ``INITIAL`` (``L``, ``R0``, ``K1``, ``K2``, ``A``)."""
    n = _check(n_steps)
    unknown = set(params) - set(DEFAULTS) - set(INITIAL)
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}; known: "
                         f"{sorted(DEFAULTS) + sorted(INITIAL)}")
    rates = {**DEFAULTS, **{k: v for k, v in params.items() if k in DEFAULTS}}
    init = {**INITIAL, **{k: v for k, v in params.items() if k in INITIAL}}
    bound = [f"C{i}" for i in range(n + 1)] + [f"X{i}" for i in range(1, n + 1)] + ["D"]
    out = [
        f"// Synthetic TCR proofreading network with N = {n} proofreading steps: "
        f"{species_count(n)} species, {reaction_count(n)} reactions",
        "// (generated by synthetic_family.py; see its docstring for the reactions).",
        "// Ligand rebinding to modified free receptors Rn, two shared kinases K1 (odd steps)",
        "// and K2 (even steps, and the adaptor), adaptor A consumed into Ap by the",
        "// signalling complex D.  Mass action throughout; tau = 1/koff.",
        "//",
        "// antagonism: ligand = L",
        "// antagonism: output = Ap",
        "// antagonism: off_rate = koff",
        f"// antagonism: bound_states = {', '.join(bound)}",
        f"// antagonism: name = synthetic TCR proofreading, N = {n}",
        "// antagonism: source = synthetic_family.py (after Ganti et al., PNAS 117, 26020, 2020)",
        f"model synthetic_tcr_N{n}",
        "  species " + ", ".join(species_names(n)),
        "",
        "  // ligand binding to every free receptor (rebinding keeps the modifications)",
    ]
    for i in range(n + 1):
        out.append(f"  bind_{i}: L + R{i} -> C{i}; kon*L*R{i}")
    out.append("  // ligand unbinding: the free receptor keeps its modifications")
    for i in range(n + 1):
        out.append(f"  off_{i}: C{i} -> L + R{i}; koff*C{i}")
    out.append("  // free receptors lose their modifications one at a time")
    for i in range(1, n + 1):
        out.append(f"  relax_{i}: R{i} -> R{i - 1}; b*R{i}")
    out.append("  // proofreading step n: the shared kinase binds C(n-1), modifies it, or the "
               "ligand leaves")
    for i in range(1, n + 1):
        k = kinase(i)
        out += [
            f"  kon_{i}: C{i - 1} + {k} -> X{i}; kk*C{i - 1}*{k}",
            f"  koffK_{i}: X{i} -> C{i - 1} + {k}; kr*X{i}",
            f"  cat_{i}: X{i} -> C{i} + {k}; kcat*X{i}",
            f"  offX_{i}: X{i} -> L + R{i - 1} + {k}; koff*X{i}",
        ]
    out += [
        "  // the adaptor: bound by CN, consumed (phosphorylated by K2) into Ap, regenerated",
        f"  adapt_on: C{n} + A -> D; ka*C{n}*A",
        f"  adapt_off: D -> C{n} + A; kda*D",
        f"  consume: D + K2 -> C{n} + Ap + K2; kcatA*D*K2",
        f"  offD: D -> L + R{n} + A; koff*D",
        "  regen: Ap -> A; gammaA*Ap",
        "",
    ]
    out += [f"  {k} = {v!r}" for k, v in rates.items()]
    out.append("")
    for s in species_names(n):
        out.append(f"  {s} = {float(init.get(s, 0.0))!r}")
    out.append("end")
    return "\n".join(out) + "\n"


def _check(n_steps):
    if isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps < 1:
        raise ValueError(f"n_steps must be an integer >= 1, got {n_steps!r}")
    if n_steps > 10_000:
        raise ValueError(f"n_steps must be at most 10000, got {n_steps}")
    return n_steps


def main(argv):
    steps = [int(a) for a in argv] or list(FAMILY)
    here = Path(__file__).resolve().parent
    for n in steps:
        path = here / f"synthetic_N{n}.ant"
        path.write_text(synthetic_network(n))
        print(f"{path.name}: N = {n}, {species_count(n)} species, {reaction_count(n)} reactions")


if __name__ == "__main__":
    main(sys.argv[1:])
