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
"""
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


def coral_loss(z, y, s=None, reduction="mean"):
    K = z.shape[1] + 1
    levels = (torch.arange(K - 1)[None, :] < torch.tensor(y, dtype=torch.long)[:, None]).double()
    l = -(F.logsigmoid(z) * levels + (F.logsigmoid(z) - z) * (1 - levels)).sum(1)
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


def cumulative_probs(z):
    zh = torch.cummin(z, 1).values
    c = torch.sigmoid(zh)
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
         reduction="mean", extreme=False):
    x = f32(x)
    B, Fw = x.shape
    X = t(x).requires_grad_(True)
    P = t(f32(params)).requires_grad_(True) if params is not None else None
    if family == "coral":
        z = (X @ P[:Fw])[:, None] + P[Fw:][None, :]
        total = coral_loss(z, labels, s, reduction)
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
    else:
        z = X
        probs = cumulative_probs(z) if family == "probs_cumulative" else conditional_probs(z)
        rank = rank_cumulative(z) if family == "probs_cumulative" else rank_conditional(z)
        mu = (probs * torch.arange(K)[None, :]).sum(1)
        total = (0.5 * (mu - t(f32(target))) ** 2).mean()
    total.backward()
    c = dict(name=name, family=family, B=B, K=K, F=Fw, x=x, labels=labels,
             params=None if P is None else f32(params), target=None if target is None else f32(target),
             s=None if s is None else f32(s), reduction=reduction, total=total.item(),
             dx=X.grad.numpy().copy(), dparams=None if P is None else P.grad.numpy().copy(),
             probs=probs.detach().numpy().copy(), rank=rank.numpy().astype(np.int32))
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
    out.append("     .probs = %s,\n     .rank = %s},\n" % (arr(c["probs"]), arr(c["rank"], "int32_t")))
out.append("""};
#define N_ORDINAL_GOLDEN (sizeof ordinal_golden_cases / sizeof ordinal_golden_cases[0])

#endif
""")
print("".join(out), end="")
