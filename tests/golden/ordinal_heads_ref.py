#!/usr/bin/python3
"""Reference values for the ordinal heads (CORAL, CORN, cumulative link), with
PyTorch in float64, written from the papers' definitions.

    /usr/bin/python3 tests/golden/ordinal_heads_ref.py > tests/golden/ordinal_heads_ref.h

Every case fixes its inputs (rounded to float32 so that both C precisions read
the same numbers), builds the net the C test builds, and records the total
loss nn_graph_forward must return, its gradient with respect to the input x
and to every parameter of the head (in nn's parameter order), the class
probabilities (B, K) and the rank rule of the head's logits.

Nets (z: the K - 1 logits):
  coral   x (B, F) -> z_k = <w, x> + b_k            -> CORAL loss   params w (F), b (K-1)
  corn    x (B, K-1) = z                            -> CORN loss    no params
  clm     x (B, 1) = s -> z_k = s - theta_k          -> NLL          params t, r (K-2)
          theta_0 = t, theta_k = theta_{k-1} + softplus(r_k)
  probs_cumulative / probs_conditional
          x (B, K-1) = z -> p (B, K) -> mu = sum_k k p_k -> 1/2 (mu - target)^2
The losses are written independently of the C code: CORAL as coral-pytorch's
coral_loss, CORN as its corn_loss (task k on the samples with y > k - 1,
divided by the number of (sample, task) pairs), the cumulative link as
-log(F(theta_y - s) - F(theta_{y-1} - s)) taken directly (the C code never
forms that difference); the extreme cases, where that difference underflows,
use log-sigmoids and are checked against the direct form where both work.

The probit link (clm_probit: P(y <= k) = Phi(theta_k - s)) is taken directly,
-log(ndtr(theta_y - s) - ndtr(theta_{y-1} - s)), and checked against mpmath
at 50 digits; its extreme and tail cases, where that difference loses every
digit, take value and dL/dz from mpmath and only the linear map z = s - theta
from autograd. coral with task_weights multiplies each task's term by its
weight, as coral-pytorch's coral_loss(importance_weights=...). The CORAL
auto weights are the paper's code's task_importance_weights (coral-cnn),
copied below.
"""
import mpmath as mp
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(20261201)


def f32(a):
    return np.asarray(np.asarray(a, dtype=np.float32), dtype=np.float64)


def t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def reduce(l, n, s, reduction):
    s = torch.ones_like(l) if s is None else t(s)
    if reduction == "sum":
        return (s * l).sum()
    return (s * l).sum() / (s * n).sum()


def coral_loss(z, y, s=None, reduction="mean", importance_weights=None):
    """coral-pytorch's coral_loss (term1 *= importance_weights), plus sample weights."""
    K = z.shape[1] + 1
    levels = (torch.arange(K - 1)[None, :] < torch.tensor(y, dtype=torch.long)[:, None]).double()
    term1 = F.logsigmoid(z) * levels + (F.logsigmoid(z) - z) * (1 - levels)
    if importance_weights is not None:
        term1 = term1 * t(importance_weights)
    l = -term1.sum(1)
    return reduce(l, torch.ones_like(l), s, reduction)


def corn_loss(z, y, s=None, reduction="mean"):
    """coral-pytorch's corn_loss, plus sample weights s_b on every task term."""
    K = z.shape[1] + 1
    yy = torch.tensor(y, dtype=torch.long)
    sw = torch.ones(len(y)) if s is None else t(s)
    total, count = 0.0, 0.0
    for k in range(K - 1):
        mask = yy > k - 1
        if mask.sum() == 0:
            continue
        lab = (yy[mask] > k).double()
        pred = z[mask, k]
        term = -(F.logsigmoid(pred) * lab + (F.logsigmoid(pred) - pred) * (1 - lab))
        total = total + (sw[mask] * term).sum()
        count = count + sw[mask].sum()
    return total if reduction == "sum" else total / count


def thresholds(tr):
    theta = [tr[0]]
    for k in range(1, tr.shape[0]):
        theta.append(theta[-1] + F.softplus(tr[k]))
    return torch.stack(theta)


def clm_nll_direct(s, theta, y):
    """-log(sigma(theta_y - s) - sigma(theta_{y-1} - s)), the textbook form."""
    B = s.shape[0]
    cum = torch.sigmoid(theta[None, :] - s[:, None])           # (B, K-1) P(y <= k)
    cum = torch.cat([torch.zeros(B, 1), cum, torch.ones(B, 1)], 1)  # (B, K+1)
    yy = torch.tensor(y, dtype=torch.long)
    p = cum[torch.arange(B), yy + 1] - cum[torch.arange(B), yy]
    return -torch.log(p)


def clm_nll_logsig(s, theta, y):
    """The same with log-sigmoids, finite where the difference underflows."""
    M = theta.shape[0]
    out = []
    for b, c in enumerate(y):
        z = s[b] - theta  # (K-1) logits of P(y > k)
        l = 0.0
        if c < M:
            l = l + F.softplus(z[c])
        if c > 0:
            l = l + F.softplus(-z[c - 1])
        if 0 < c < M:
            l = l - torch.log(-torch.expm1(-(theta[c] - theta[c - 1])))
        out.append(l)
    return torch.stack(out)


mp.mp.dps = 50


def mp_pdf(x):
    return mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


def probit_nll_direct(s, theta, y):
    """-log(Phi(theta_y - s) - Phi(theta_{y-1} - s)), the textbook form."""
    B = s.shape[0]
    cum = torch.special.ndtr(theta[None, :] - s[:, None])
    cum = torch.cat([torch.zeros(B, 1), cum, torch.ones(B, 1)], 1)
    yy = torch.tensor(y, dtype=torch.long)
    return -torch.log(cum[torch.arange(B), yy + 1] - cum[torch.arange(B), yy])


def probit_nll_mp(s, params, y):
    """Per-sample -log P(y) and its gradient dl/dz (K-1) at 50 digits, from
    the float64 inputs: theta_0 = t, theta_k = theta_{k-1} + log1p(e^{r_k})."""
    theta = [mp.mpf(float(params[0]))]
    for r in params[1:]:
        theta.append(theta[-1] + mp.log1p(mp.exp(mp.mpf(float(r)))))
    M = len(theta)
    ls, gs = [], []
    for b, c in enumerate(y):
        sb = mp.mpf(float(s[b]))
        hi = theta[c] - sb if c < M else mp.inf       # b = theta_y - s
        lo = theta[c - 1] - sb if c > 0 else -mp.inf  # a = theta_{y-1} - s
        # P = Phi(hi) - Phi(lo), from the nearer tail
        if c > 0 and lo > 0:
            P = mp.ncdf(-lo) - (mp.ncdf(-hi) if c < M else 0)
        else:
            P = (mp.ncdf(hi) if c < M else 1) - (mp.ncdf(lo) if c > 0 else 0)
        g = [mp.mpf(0)] * M
        if c < M:
            g[c] = mp_pdf(hi) / P        # dl/dz_y = phi(b)/P
        if c > 0:
            g[c - 1] = -mp_pdf(lo) / P   # dl/dz_{y-1} = -phi(a)/P
        ls.append(-mp.log(P))
        gs.append([float(v) for v in g])
    return ls, np.array(gs)


def cumulative_probs(z, F_=torch.sigmoid):
    zh = torch.cummin(z, 1).values
    c = F_(zh)
    B = z.shape[0]
    c = torch.cat([torch.ones(B, 1), c, torch.zeros(B, 1)], 1)
    return c[:, :-1] - c[:, 1:]


def conditional_probs(z):
    c = torch.cumprod(torch.sigmoid(z), 1)
    B = z.shape[0]
    c = torch.cat([torch.ones(B, 1), c, torch.zeros(B, 1)], 1)
    return c[:, :-1] - c[:, 1:]


def rank_cumulative(z):
    return (torch.sigmoid(z) > 0.5).sum(1)


def rank_conditional(z):
    return (torch.cumprod(torch.sigmoid(z), 1) > 0.5).sum(1)


CASES = []


def case(name, family, x, K, labels=None, params=None, target=None, s=None,
         reduction="mean", extreme=False, task_weights=None):
    x = f32(x)
    B, Fw = x.shape
    X = t(x).requires_grad_(True)
    P = t(f32(params)).requires_grad_(True) if params is not None else None
    task_weights = None if task_weights is None else f32(task_weights)
    if family == "coral":
        z = (X @ P[:Fw])[:, None] + P[Fw:][None, :]
        total = coral_loss(z, labels, s, reduction, task_weights)
        probs, rank = cumulative_probs(z), rank_cumulative(z)
    elif family == "corn":
        z = X
        total = corn_loss(z, labels, s, reduction)
        probs, rank = conditional_probs(z), rank_conditional(z)
    elif family == "clm":
        theta = thresholds(P)
        sc = X[:, 0]
        z = sc[:, None] - theta[None, :]
        l = clm_nll_logsig(sc, theta, labels)
        if not extreme:
            ld = clm_nll_direct(sc, theta, labels)
            assert torch.allclose(l, ld, rtol=1e-10, atol=1e-12), (l, ld)
        total = reduce(l, torch.ones_like(l), s, reduction)
        probs, rank = cumulative_probs(z), rank_cumulative(z)
    elif family == "clm_probit":
        theta = thresholds(P)
        sc = X[:, 0]
        z = sc[:, None] - theta[None, :]
        lm, gm = probit_nll_mp(x[:, 0], f32(params), labels)
        if not extreme:
            ld = probit_nll_direct(sc, theta, labels)
            assert np.allclose([float(v) for v in lm], ld.detach().numpy(), rtol=1e-10, atol=1e-12), (lm, ld)
            total = reduce(ld, torch.ones_like(ld), s, reduction)
        else:
            # mean of the mpmath values; dL/dz = (dl/dz) / B into the linear map
            total = torch.tensor(float(sum(lm) / len(lm)))
            z.backward(torch.tensor(gm / len(lm)))
        probs, rank = cumulative_probs(z, torch.special.ndtr), rank_cumulative(z)
    else:
        z = X
        probs = (cumulative_probs(z) if family == "probs_cumulative"
                 else cumulative_probs(z, torch.special.ndtr) if family == "probs_probit"
                 else conditional_probs(z))
        rank = rank_conditional(z) if family == "probs_conditional" else rank_cumulative(z)
        mu = (probs * torch.arange(K)[None, :]).sum(1)
        total = (0.5 * (mu - t(f32(target))) ** 2).mean()
    if total.requires_grad:
        total.backward()
    c = dict(name=name, family=family, B=B, K=K, F=Fw, x=x, labels=labels,
             params=None if P is None else f32(params), target=None if target is None else f32(target),
             s=None if s is None else f32(s), reduction=reduction, total=total.item(),
             dx=X.grad.numpy().copy(), dparams=None if P is None else P.grad.numpy().copy(),
             probs=probs.detach().numpy().copy(), rank=rank.numpy().astype(np.int32),
             task_weights=None if task_weights is None else f32(task_weights))
    assert np.all(np.isfinite(c["dx"])) and np.isfinite(c["total"]), name
    CASES.append(c)


def labels_of(B, K):
    return rng.integers(0, K, size=B).astype(np.int32)


def coral_params(Fw, K):
    return np.concatenate([rng.normal(0, 0.7, Fw), np.sort(rng.normal(0, 1.5, K - 1))[::-1]])


def clm_params(K):
    """Thresholds spanning about 5 logits whatever K (gaps near 5/K)."""
    r = np.log(np.expm1(5.0 / K)) + rng.normal(0, 0.5, K - 2)
    return np.concatenate([[rng.normal(-2.5, 0.5)], r])


# ------------------------------------------------------------------- CORAL
for K, B, Fw in [(5, 4, 3), (2, 3, 2), (100, 3, 4), (7, 1, 3)]:
    y = labels_of(B, K)
    if K == 5:
        y[:2] = [0, K - 1]  # both ends
    case("coral_K%d_B%d" % (K, B), "coral", rng.normal(0, 1, (B, Fw)), K, y, coral_params(Fw, K))
y = labels_of(4, 5)
case("coral_unordered_sum", "coral", rng.normal(0, 1, (4, 3)), 5, y,
     np.concatenate([rng.normal(0, 0.7, 3), [0.3, 1.2, -0.4, 0.1]]),
     s=[1.0, 0.5, 2.0, 0.0], reduction="sum")
case("coral_extreme", "coral", [[1e4, 0.0], [-1e4, 0.0], [1e4, 0.0]], 4,
     np.array([0, 3, 3], dtype=np.int32), [1.0, 0.5, 0.5, 0.0, -0.5], extreme=True)

# -------------------------------------------------------------------- CORN
for K, B in [(5, 6), (2, 3), (100, 3), (6, 1)]:
    y = labels_of(B, K)
    if K == 5:
        y[:3] = [0, K - 1, K - 2]
    # K = 100: summed, so that gradients are not all ~1/(number of task pairs)
    case("corn_K%d_B%d" % (K, B), "corn", rng.normal(0, 1.5, (B, K - 1)), K, y,
         reduction="sum" if K == 100 else "mean")
case("corn_sample_weights", "corn", rng.normal(0, 1.5, (4, 4)), 5,
     np.array([0, 2, 4, 1], dtype=np.int32), s=[1.0, 0.5, 2.0, 0.25])
case("corn_extreme", "corn", [[1e4, -1e4, 1e4], [-1e4, 1e4, -1e4], [1e4, 1e4, 1e4]], 4,
     np.array([2, 0, 3], dtype=np.int32), extreme=True)

# ---------------------------------------------------------- cumulative link
for K, B in [(5, 5), (2, 3), (100, 3), (6, 1)]:
    y = labels_of(B, K)
    if K == 5:
        y[:3] = [0, K - 1, 2]
    case("clm_K%d_B%d" % (K, B), "clm", rng.normal(0, 1.5, (B, 1)), K, y, clm_params(K))
case("clm_extreme", "clm", [[1e4], [-1e4], [1e4], [-1e4]], 5,
     np.array([4, 0, 2, 3], dtype=np.int32), [-1.0, 0.2, -0.3, 0.5], extreme=True)

# ------------------------------------------------------ class probabilities
for fam in ["probs_cumulative", "probs_conditional"]:
    for K, B in [(5, 4), (2, 3), (100, 2), (6, 1)]:
        z = rng.normal(0, 1.5, (B, K - 1))
        if fam == "probs_cumulative" and K == 100:
            # ordered with gaps of 0.08, so no finite-difference step crosses
            # a kink of the running minimum
            z = np.linspace(4, -4, K - 1)[None, :] + rng.normal(0, 0.01, (B, K - 1))
        if fam == "probs_cumulative" and K == 5:
            z[0] = [2.0, 0.5, 1.0, -1.5]  # unordered: the running minimum acts
        case("%s_K%d_B%d" % (fam, K, B), fam, z, K, target=rng.uniform(-2, K + 1, B))
    case(fam + "_extreme", fam, [[1e4, 1e4, -1e4], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4]], 4,
         target=[1.0, 2.0, 3.0], extreme=True)


# ------------------------------------------------------------ probit link
for K, B in [(5, 5), (2, 3), (100, 3), (6, 1)]:
    y = labels_of(B, K)
    if K == 5:
        y[:3] = [0, K - 1, 2]
    case("clm_probit_K%d_B%d" % (K, B), "clm_probit", rng.normal(0, 1.5, (B, 1)), K, y, clm_params(K))
case("clm_probit_extreme", "clm_probit", [[1e4], [-1e4], [1e4], [-1e4], [1e4], [-1e4]], 5,
     np.array([4, 0, 2, 3, 0, 4], dtype=np.int32), [-1.0, 0.2, -0.3, 0.5], extreme=True)
# both tails, where Phi(b) - Phi(a) is the difference of two numbers near 0 or
# near 1, with a tiny gap (r = -12: d = 6e-6) and large ones
case("clm_probit_tails_extreme", "clm_probit", [[9.0], [-12.5], [40.0], [-3.0], [25.0], [-60.0]], 5,
     np.array([2, 1, 3, 2, 1, 3], dtype=np.int32), [-2.0, -12.0, 1.5, 3.0], extreme=True)
# gaps of 9e-4 deep in the tails, where the erfcx form (not the series) takes them
case("clm_probit_gaps_extreme", "clm_probit", [[30.0], [-20.0], [0.5], [-1.0]], 5,
     np.array([1, 1, 1, 1], dtype=np.int32), [-2.0, -7.0, 1.5, 3.0], extreme=True)
for K, B in [(5, 4), (100, 2)]:
    z = np.sort(rng.normal(0, 1.5, (B, K - 1)), 1)[:, ::-1]
    if K == 100:
        z = np.linspace(3, -3, K - 1)[None, :] + rng.normal(0, 0.005, (B, K - 1))
    if K == 5:
        z[0] = [2.0, 0.5, 1.0, -1.5]  # unordered: the running minimum acts
    # K = 100: targets near E[X], so that the float build's finite differences
    # of a loss of ~1e3 do not drown in its rounding
    tg = rng.uniform(-2, K + 1, B) if K < 100 else rng.uniform(K / 2 - 5, K / 2 + 5, B)
    case("probs_probit_K%d_B%d" % (K, B), "probs_probit", z, K, target=tg)
case("probs_probit_extreme", "probs_probit", [[1e4, 1e4, -1e4], [-1e4, -1e4, -1e4], [1e4, 9.0, -9.0]], 4,
     target=[1.0, 2.0, 3.0], extreme=True)

# --------------------------------------------------- CORAL task weights
case("coral_task_weights", "coral", rng.normal(0, 1, (4, 3)), 5, np.array([0, 4, 2, 3], dtype=np.int32),
     coral_params(3, 5), task_weights=[1.0, 0.5, 2.0, 0.0])
case("coral_task_weights_sum", "coral", rng.normal(0, 1, (3, 2)), 4, np.array([1, 3, 0], dtype=np.int32),
     coral_params(2, 4), s=[1.0, 0.5, 2.0], reduction="sum", task_weights=[0.25, 1.5, 0.75])
case("coral_task_weights_K2_B1", "coral", rng.normal(0, 1, (1, 2)), 2, np.array([1], dtype=np.int32),
     coral_params(2, 2), task_weights=[0.3])


def task_importance_weights(label_array):
    """coral-cnn's (the CORAL paper's code), verbatim but for the float64 default."""
    uniq = torch.unique(label_array)
    num_examples = label_array.size(0)
    m = torch.zeros(uniq.shape[0])
    for i, t_ in enumerate(torch.arange(torch.min(uniq), torch.max(uniq))):
        m_k = torch.max(torch.tensor([label_array[label_array > t_].size(0),
                                      num_examples - label_array[label_array > t_].size(0)]))
        m[i] = torch.sqrt(m_k.double())
    return m / torch.max(m)


AUTO_K = 6
AUTO_LABELS = np.concatenate([np.full(n, k) for k, n in enumerate([3, 17, 40, 25, 9, 2])]).astype(np.int32)
rng.shuffle(AUTO_LABELS)
AUTO_WEIGHTS = task_importance_weights(torch.tensor(AUTO_LABELS, dtype=torch.float64))[:AUTO_K - 1].numpy()


# ------------------------------------------- log(Phi(b) - Phi(b - d)) itself
def log_diff_mp(b, d):
    """log P, phi(a)/P, phi(b)/P for a = b - d, at 200 digits (mpmath loses
    its digits to the exponent at |b| = 1e30 with fewer)."""
    with mp.workdps(200):
        B, D = mp.mpf(b), mp.mpf(d)
        A = B - D
        P = mp.ncdf(B) - mp.ncdf(A) if A < 0 else mp.ncdf(-A) - mp.ncdf(-B)
        return [float(mp.log(P)), float(mp_pdf(A) / P), float(mp_pdf(B) / P)]


# each branch of layers/normal.c and both sides of its switches: the small-gap
# series ((|m| + 1) d < 1e-2), the lower and upper tails, across 0, and
# erfcx's asymptotic series (t = -x/sqrt(2) >= 26, x <= -36.77)
LOG_DIFF = [(b, d) for b, d in [
    (-3.0, 0.5), (3.0, 0.5), (0.2, 0.5), (0.0, 1e-3), (1e-4, 2e-4),
    (-1.0, 0.00499), (-1.0, 0.00501), (40.0, 2.4e-4), (40.0, 2.5e-4),
    (-36.7, 0.1), (-36.8, 0.1), (-36.77, 1.0), (37.0, 1.0), (-1e4, 1.0), (1e4, 1e-7),
    (-1e4, 3e-6), (1e30, 1e-20), (-1e30, 1e-20), (1e30, 1.0), (5.0, 10.0), (-8.0, 80.0)]]
LOG_DIFF_REF = [log_diff_mp(b, d) for b, d in LOG_DIFF]
with mp.workdps(60):
    ERFCX = [(x, float(mp.exp(mp.mpf(x) ** 2) * mp.erfc(mp.mpf(x))))
             for x in [0.0, 0.3, 5.0, 25.9, 25.999999, 26.000001, 26.1, 30.0, 1e4]]


# --------------------------------------------------------------- the header
def arr(a, ctype="double"):
    a = np.asarray(a).ravel()
    if ctype == "double":
        body = ", ".join(repr(float(v)) for v in a)
    else:
        body = ", ".join(str(int(v)) for v in a)
    return "(const %s[]){%s}" % (ctype, body)


def opt(c, key, ctype="double"):
    return "NULL" if c.get(key) is None else arr(c[key], ctype)


out = []
out.append("""/* ordinal_heads_ref.h — GENERATED by tests/golden/ordinal_heads_ref.py (PyTorch %s,
 * float64). Do not edit: regenerate with
 *     /usr/bin/python3 tests/golden/ordinal_heads_ref.py > tests/golden/ordinal_heads_ref.h
 * Each case: the net's input, labels and head parameters, the total loss
 * nn_graph_forward must return, its gradient with respect to the input and
 * to every head parameter, the class probabilities and the rank rule. */
#ifndef NN_ORDINAL_HEADS_REF_H
#define NN_ORDINAL_HEADS_REF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;
    const char *family;         /* coral, corn, clm, probs_cumulative, probs_conditional */
    int B, K, F;                /* batch, classes, input width */
    const double *x;            /* (B, F) */
    const int32_t *labels;      /* (B) or NULL (probs cases) */
    const double *params;       /* the head's parameters in nn's order, or NULL */
    int n_params;
    const double *target;       /* (B) probs cases: the target of 1/2 (mu - target)^2 */
    const double *sample_weights; /* (B) or NULL */
    const char *reduction;      /* "mean" or "sum" */
    double total;
    const double *dx;           /* (B, F) */
    const double *dparams;      /* (n_params) or NULL */
    const double *probs;        /* (B, K) class probabilities */
    const int32_t *rank;        /* (B) the rank rule */
    const double *task_weights; /* (K - 1) coral's importance weights, or NULL */
} ordinal_golden;

static const ordinal_golden ordinal_golden_cases[] = {
""" % torch.__version__)
for c in CASES:
    out.append("    {.name = \"%s\", .family = \"%s\", .B = %d, .K = %d, .F = %d,\n"
               % (c["name"], c["family"], c["B"], c["K"], c["F"]))
    out.append("     .x = %s,\n     .labels = %s,\n" % (arr(c["x"]), opt(c, "labels", "int32_t")))
    out.append("     .params = %s, .n_params = %d,\n"
               % (opt(c, "params"), 0 if c["params"] is None else len(c["params"])))
    out.append("     .target = %s, .sample_weights = %s, .reduction = \"%s\",\n"
               % (opt(c, "target"), opt(c, "s"), c["reduction"]))
    out.append("     .total = %r,\n     .dx = %s,\n     .dparams = %s,\n"
               % (c["total"], arr(c["dx"]), opt(c, "dparams")))
    out.append("     .probs = %s,\n     .rank = %s,\n     .task_weights = %s},\n"
               % (arr(c["probs"]), arr(c["rank"], "int32_t"), opt(c, "task_weights")))
out.append("""};
#define N_ORDINAL_GOLDEN (sizeof ordinal_golden_cases / sizeof ordinal_golden_cases[0])

/* CORAL's auto task weights: coral-cnn's task_importance_weights of these labels. */
#define CORAL_AUTO_K %d
#define CORAL_AUTO_N %d
static const int32_t coral_auto_labels[] = %s;
static const double coral_auto_weights[] = %s;

/* nn_norm_log_diff(b - d, b, d): {b, d, log(Phi(b) - Phi(b - d)), phi(a)/P, phi(b)/P}
 * from mpmath at 200 digits, across every branch of layers/normal.c. */
static const double log_diff_golden[][5] = {
%s};
#define N_LOG_DIFF_GOLDEN (sizeof log_diff_golden / sizeof log_diff_golden[0])

/* {t, e^{t^2} erfc(t)} on both sides of erfcx's switch to its series (t = 26). */
static const double erfcx_golden[][2] = {%s};
#define N_ERFCX_GOLDEN (sizeof erfcx_golden / sizeof erfcx_golden[0])
""" % (AUTO_K, len(AUTO_LABELS), "{" + arr(AUTO_LABELS, "int32_t").split("{", 1)[1],
       "{" + arr(AUTO_WEIGHTS).split("{", 1)[1],
       "".join("    {%r, %r, %r, %r, %r},\n" % ((b, d) + tuple(r)) for (b, d), r in zip(LOG_DIFF, LOG_DIFF_REF)),
       ", ".join("{%r, %r}" % e for e in ERFCX)) + """
#endif
""")
print("".join(out), end="")
