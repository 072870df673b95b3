"""The coefficients of include/ctnn/core/rational_tanh.hpp (python3 scripts/fit_tanh.py, ~40 s).

Fits tanh(x) ~ x*P(x^2)/Q(x^2) on |x| <= XMAX, P of degree NP and Q of degree NQ in x^2
(Q(0) = 1), minimizing the largest relative error: linearized weighted least squares
(Sanathanan-Koerner: divide each residual by the previous Q) with Lawson's reweighting
towards the minimax solution. Only mpmath (apt install python3-mpmath; not needed to build or test). Prints the error and P, Q from the
highest degree down, the order of the header's Horner steps."""
import mpmath as mp
mp.mp.dps = 40
XMAX, NP, NQ, N, ITERS = 9, 6, 3, 1200, 60
xs = [XMAX * (1 - mp.cos(mp.pi * (i + 0.5) / (2 * N))) for i in range(N)]  # dense near 0 and XMAX
ts = [x * x for x in xs]
gs = [mp.tanh(x) / x for x in xs]
w = [mp.mpf(1) / N] * N
qprev = [mp.mpf(1)] * N
def solve(w, qprev):
    m = NP + 1 + NQ
    A = mp.matrix(m, m); b = mp.matrix(m, 1)
    for t, g, wi, qp in zip(ts, gs, w, qprev):
        # residual (P(t) - g*(1 + sum q_j t^j)) / (g*qp): unknowns p_0..p_NP, q_1..q_NQ
        row = [t**k for k in range(NP + 1)] + [-g * t**j for j in range(1, NQ + 1)]
        s = wi / (g * qp) ** 2
        for a in range(m):
            b[a] += s * row[a] * g
            for c in range(m): A[a, c] += s * row[a] * row[c]
    c = mp.lu_solve(A, b)
    return [c[k] for k in range(NP + 1)], [mp.mpf(1)] + [c[NP + j] for j in range(1, NQ + 1)]
def horner(c, t):
    r = mp.mpf(0)
    for k in reversed(c): r = r * t + k
    return r
for it in range(ITERS):
    p, q = solve(w, qprev)
    qprev = [horner(q, t) for t in ts]
    err = [abs(horner(p, t) / horner(q, t) / g - 1) for t, g in zip(ts, gs)]
    worst = max(err)
    if it >= 3:  # Lawson: weight the points where the error is large
        w = [wi * e for wi, e in zip(w, err)]
        s = sum(w); w = [wi / s for wi in w]
print("max relative error %.3g" % float(worst))
print("P:", ", ".join(mp.nstr(c, 17) for c in reversed(p)))
print("Q:", ", ".join(mp.nstr(c, 17) for c in reversed(q)))
