#!/usr/bin/python3
"""Reference values for the loss tests, computed with PyTorch in float64.

    /usr/bin/python3 tests/golden/losses_ref.py > tests/golden/losses_ref.h

Every case fixes its inputs here (rounded to float32 so the float and double
builds of nn see exactly the same numbers), computes the total loss the way
nn_graph_forward reports it (coef · value summed over the loss nodes) and its
gradient with respect to the logits by autograd, and writes both into a C
header. The C tests (tests/test_losses_*.c) read the header and never need
Python. Regenerate only when a case is added; the numbers must not change.

Conventions (nn/losses.h): p = softmax(z / T); per-sample values l_b;
reduction mean = sum_b s_b l_b / sum_b s_b n_b (n_b = class weight of a hard
label for class-weighted CE, else 1), sum, batchmean = sum_b s_b l_b / B.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(20240601)


def f32(a):
    """Rounds to float32 and back, so both C precisions read exact inputs."""
    return np.asarray(np.asarray(a, dtype=np.float32), dtype=np.float64)


def t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def reduce(l, s, n, reduction):
    """Batch reduction of per-sample values l (B) with sample weights s."""
    s = torch.ones_like(l) if s is None else t(s)
    num = (s * l).sum()
    if reduction == "sum":
        return num
    if reduction == "batchmean":
        return num / l.shape[0]
    return num / (s * n).sum()


def softmax_stats(p, v):
    """Per-sample mean and variance of category values v under rows p."""
    mu = (p * v).sum(1)
    var = (p * (v - mu[:, None]) ** 2).sum(1)
    return mu, var


CASES = []


def case(name, logits, total_fn, **kw):
    z = t(f32(logits)).requires_grad_(True)
    total = total_fn(z)
    total.backward()
    c = dict(name=name, logits=f32(logits), total=total.item(), grad=z.grad.numpy().copy())
    c.update(kw)
    CASES.append(c)


def labels_of(B, K):
    return rng.integers(0, K, size=B).astype(np.int32)


def probs(B, K, zeros=()):
    p = rng.uniform(0.05, 1.0, size=(B, K))
    for (b, i) in zeros:
        p[b, i] = 0.0
    p = f32(p / p.sum(1, keepdims=True))
    return p


# ---------------------------------------------------------------- cross-entropy
def ce_total(T, y=None, target=None, target_T=0, smoothing=0.0, w=None, s=None,
             reduction="mean"):
    def fn(z):
        K = z.shape[1]
        logp = F.log_softmax(z / T, 1)
        if y is not None:
            onehot = F.one_hot(torch.tensor(y, dtype=torch.long), K).double()
        elif target_T > 0:
            onehot = F.softmax(t(target) / target_T, 1)
        else:
            onehot = t(target)
        u = (1 - smoothing) * onehot + smoothing / K
        ww = torch.ones(K) if w is None else t(w)
        l = -(ww * u * logp).sum(1)
        n = ww[torch.tensor(y, dtype=torch.long)] if y is not None else torch.ones(z.shape[0])
        return reduce(l, s, n, reduction)
    return fn


B, K = 3, 4
z = rng.normal(0, 1.5, size=(B, K))
y = labels_of(B, K)
case("ce_hard", z, ce_total(1.0, y=y), B=B, K=K, T=1.0, labels=y)
# check against PyTorch's own cross_entropy for the plain case
ref = F.cross_entropy(t(f32(z)), torch.tensor(y, dtype=torch.long)).item()
assert abs(ref - CASES[-1]["total"]) < 1e-12

case("ce_hard_T", z, ce_total(2.5, y=y), B=B, K=K, T=2.5, labels=y)

w = f32([0.5, 2.0, 1.0, 1.5])
case("ce_weighted_smooth", z, ce_total(1.0, y=y, smoothing=0.1, w=w), B=B, K=K, T=1.0,
     labels=y, smoothing=0.1, class_weights=w)
ref = F.cross_entropy(t(f32(z)), torch.tensor(y, dtype=torch.long), weight=t(w),
                      label_smoothing=0.1).item()
assert abs(ref - CASES[-1]["total"]) < 1e-12

tp = probs(B, K, zeros=[(0, 1), (2, 3)])
case("ce_soft_weighted", z, ce_total(1.0, target=tp, w=w), B=B, K=K, T=1.0,
     target=tp, target_width=K, class_weights=w)
ref = F.cross_entropy(t(f32(z)), t(tp), weight=t(w)).item()
assert abs(ref - CASES[-1]["total"]) < 1e-12

tl = f32(rng.normal(0, 2, size=(B, K)))
case("ce_teacher_logits", z, ce_total(1.0, target=tl, target_T=3.0), B=B, K=K, T=1.0,
     target=tl, target_width=K, target_T=3.0)

sw = f32([1.0, 0.25, 2.0])
case("ce_sample_weights", z, ce_total(1.0, y=y, w=w, s=sw), B=B, K=K, T=1.0, labels=y,
     class_weights=w, sample_weights=sw)
case("ce_sum", z, ce_total(1.0, y=y, reduction="sum"), B=B, K=K, T=1.0, labels=y,
     reduction="sum")

ze = f32([[1e4, -1e4, 0.0, 5e3], [-1e4, -1e4, 1e4, 1e4]])
ye = np.array([1, 2], dtype=np.int32)
case("ce_extreme", ze, ce_total(1.0, y=ye), B=2, K=4, T=1.0, labels=ye)

# --------------------------------------------------------------- KL divergence
def kl_total(T, target, target_T=0, reverse=False, t2=False, s=None, reduction="mean"):
    def fn(z):
        logq = F.log_softmax(z / T, 1)
        if target_T > 0:
            logt = F.log_softmax(t(target) / target_T, 1)
            tt = logt.exp()
        else:
            tt = t(target)
            logt = torch.log(tt.clamp_min(1e-30))
        if reverse:
            l = (logq.exp() * (logq - logt)).sum(1)
        else:
            l = torch.where(tt > 0, tt * (logt - logq), torch.zeros(())).sum(1)
        v = reduce(l, s, torch.ones(z.shape[0]), reduction)
        return v * (T * T if t2 else 1.0)
    return fn


tp = probs(B, K, zeros=[(0, 0), (1, 2), (1, 3)])
case("kl_probs_zeros", z, kl_total(1.0, tp), B=B, K=K, T=1.0, target=tp, target_width=K)
ref = F.kl_div(F.log_softmax(t(f32(z)), 1), t(tp), reduction="batchmean").item()
assert abs(ref - CASES[-1]["total"]) < 1e-12

case("kl_logits_T4_t2", z, kl_total(4.0, tl, target_T=4.0, t2=True), B=B, K=K, T=4.0,
     target=tl, target_width=K, target_T=4.0, scale_t2=1)
case("kl_reverse_logits", z, kl_total(2.0, tl, target_T=2.0, reverse=True), B=B, K=K,
     T=2.0, target=tl, target_width=K, target_T=2.0, reverse=1)
ref = F.kl_div(F.log_softmax(t(tl) / 2, 1), F.log_softmax(t(f32(z)) / 2, 1),
               reduction="batchmean", log_target=True).item()
assert abs(ref - CASES[-1]["total"]) < 1e-12

tpos = probs(B, K)
case("kl_reverse_probs", z, kl_total(1.0, tpos, reverse=True), B=B, K=K, T=1.0,
     target=tpos, target_width=K, reverse=1)
case("kl_batchmean_weighted", z, kl_total(1.0, tpos, s=sw, reduction="batchmean"), B=B,
     K=K, T=1.0, target=tpos, target_width=K, sample_weights=sw, reduction="batchmean")

# ---------------------------------------------------------------- distillation
def distill_total(T, alpha, teacher, y, w=None):
    def fn(s):
        soft = F.kl_div(F.log_softmax(s / T, 1), F.softmax(t(teacher) / T, 1),
                        reduction="batchmean")
        hard = F.cross_entropy(s, torch.tensor(y, dtype=torch.long),
                               weight=None if w is None else t(w))
        return alpha * T * T * soft + (1 - alpha) * hard
    return fn


case("distill", z, distill_total(3.0, 0.7, tl, y), B=B, K=K, T=3.0, labels=y, target=tl,
     target_width=K, alpha=0.7)

# ------------------------------------------------------------------- ordinal
def ordinal_total(T, values, kind, y=None, yreal=None, lam1=0.2, lam2=0.05, w=None):
    def fn(z):
        p = F.softmax(z / T, 1)
        v = t(values)
        mu, var = softmax_stats(p, v)
        if y is not None:
            target = v[torch.tensor(y, dtype=torch.long)]
        elif yreal is not None:
            target = t(yreal)[:, 0]
        if kind == "squared":
            return (0.5 * (mu - target) ** 2).mean()
        if kind == "absolute":
            return (mu - target).abs().mean()
        if kind == "variance":
            return var.mean()
        ce = F.cross_entropy(z / T, torch.tensor(y, dtype=torch.long),
                             weight=None if w is None else t(w))
        return ce + lam1 * (0.5 * (mu - target) ** 2).mean() + lam2 * var.mean()
    return fn


B5, K5 = 4, 5
z5 = rng.normal(0, 1.5, size=(B5, K5))
y5 = np.array([0, 4, 2, 1], dtype=np.int32)
vals = f32([1.0, 2.5, 4.0, 7.0, 7.5])
default_vals = np.arange(K5, dtype=np.float64)
case("ev_squared_labels", z5, ordinal_total(1.0, vals, "squared", y=y5), B=B5, K=K5, T=1.0,
     labels=y5, values=vals)
yr = f32([[0.3], [3.9], [2.0], [1.25]])
case("ev_squared_real", z5, ordinal_total(1.5, default_vals, "squared", yreal=yr), B=B5,
     K=K5, T=1.5, target=yr, target_width=1)
case("ev_absolute", z5, ordinal_total(1.0, default_vals, "absolute", y=y5), B=B5, K=K5,
     T=1.0, labels=y5)
case("ev_variance", z5, ordinal_total(1.0, vals, "variance"), B=B5, K=K5, T=1.0,
     values=vals)
case("mean_variance", z5, ordinal_total(1.0, vals, "mv", y=y5), B=B5, K=K5, T=1.0,
     labels=y5, values=vals, lambda1=0.2, lambda2=0.05)

# --------------------------------------------------------------- Gaussian KL
def gauss_total(x):
    D = x.shape[1] // 2
    m, s = x[:, :D], x[:, D:]
    return (0.5 * (m * m + s.exp() - 1 - s).sum(1)).mean()


case("gaussian_kl", rng.normal(0, 1, size=(3, 6)), gauss_total, B=3, K=6, T=1.0)

# --------------------------- class weights in the losses that contain CE
# (cases appended last, drawing nothing from rng: the others keep their numbers)
case("distill_weighted", z, distill_total(3.0, 0.7, tl, y, w=w), B=B, K=K, T=3.0, labels=y,
     target=tl, target_width=K, alpha=0.7, class_weights=w)
w5 = f32([2.0, 0.5, 1.0, 3.0, 0.25])
case("mean_variance_weighted", z5, ordinal_total(1.0, vals, "mv", y=y5, w=w5), B=B5, K=K5,
     T=1.0, labels=y5, values=vals, lambda1=0.2, lambda2=0.05, class_weights=w5)

# ------------------------------------------------------- soft ordinal targets
SOFT = []


def soft_case(name, y, values, kind, param):
    v = t(values)
    yy = t(y)[:, None]
    if kind == "sord_squared":
        out = F.softmax(-param * (v - yy) ** 2, 1)
    elif kind == "sord_absolute":
        out = F.softmax(-param * (v - yy).abs(), 1)
    else:  # dldl: Gaussian of width param, normalised
        g = torch.exp(-(v - yy) ** 2 / (2 * param * param))
        out = g / g.sum(1, keepdim=True)
    SOFT.append(dict(name=name, y=np.asarray(y, dtype=np.float64), values=values,
                     kind=kind, param=param, out=out.numpy()))


soft_case("sord_squared", [0.0, 2.0, 3.7], default_vals, "sord_squared", 1.0)
soft_case("sord_absolute", [1.0, 7.5, 4.2], vals, "sord_absolute", 2.0)
soft_case("dldl", [0.0, 2.4, 4.0], default_vals, "dldl", 0.8)


# --------------------------------------------------------------------- output
def arr(x, ctype="double"):
    x = np.asarray(x).ravel()
    if ctype == "int32_t":
        body = ", ".join(str(int(v)) for v in x)
    else:
        body = ", ".join(repr(float(v)) for v in x)
    return "(const %s[]){%s}" % (ctype, body)


def opt(c, key, ctype="double"):
    return arr(c[key], ctype) if key in c else "NULL"


out = sys.stdout
out.write("""/* losses_ref.h — GENERATED by tests/golden/losses_ref.py (PyTorch %s,
 * float64). Do not edit: regenerate with
 *     /usr/bin/python3 tests/golden/losses_ref.py > tests/golden/losses_ref.h
 * Each case: inputs, the total loss nn_graph_forward must return, and its
 * gradient with respect to the logits (B, K). */
#ifndef NN_LOSSES_REF_H
#define NN_LOSSES_REF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;
    int B, K;
    double T;                     /* model softmax temperature */
    const double *logits;         /* (B, K) (for gaussian_kl: x (B, 2D)) */
    const int32_t *labels;        /* (B) or NULL */
    const double *target;         /* (B, target_width) or NULL */
    int target_width;
    double target_T;              /* > 0: target holds logits at this temperature */
    const double *sample_weights; /* (B) or NULL */
    const char *reduction;        /* "mean", "sum" or "batchmean" */
    double smoothing;
    const double *class_weights;  /* (K) or NULL */
    const double *values;         /* (K) category values or NULL (0..K-1) */
    int reverse, scale_t2;
    double alpha, lambda1, lambda2;
    double total;                 /* nn_graph_forward's return */
    const double *grad;           /* (B, K) d total / d logits */
} golden_case;

static const golden_case golden_cases[] = {
""" % torch.__version__)
for c in CASES:
    out.write("    {.name = \"%s\", .B = %d, .K = %d, .T = %r,\n" % (c["name"], c["B"], c["K"], c["T"]))
    out.write("     .logits = %s,\n" % arr(c["logits"]))
    out.write("     .labels = %s, .target = %s, .target_width = %d, .target_T = %r,\n"
              % (opt(c, "labels", "int32_t"), opt(c, "target"), c.get("target_width", 0),
                 c.get("target_T", 0.0)))
    out.write("     .sample_weights = %s, .reduction = \"%s\", .smoothing = %r,\n"
              % (opt(c, "sample_weights"), c.get("reduction", "mean"), c.get("smoothing", 0.0)))
    out.write("     .class_weights = %s, .values = %s,\n" % (opt(c, "class_weights"), opt(c, "values")))
    out.write("     .reverse = %d, .scale_t2 = %d, .alpha = %r, .lambda1 = %r, .lambda2 = %r,\n"
              % (c.get("reverse", 0), c.get("scale_t2", 0), c.get("alpha", 0.0),
                 c.get("lambda1", 0.0), c.get("lambda2", 0.0)))
    out.write("     .total = %r,\n     .grad = %s},\n" % (c["total"], arr(c["grad"])))
out.write("""};
#define N_GOLDEN_CASES (sizeof golden_cases / sizeof golden_cases[0])

typedef struct {
    const char *name;
    int n, K;
    const double *y;      /* (n) targets in value units */
    const double *values; /* (K) */
    const char *kind;     /* "sord_squared", "sord_absolute", "dldl" */
    double param;         /* SORD scale or DLDL sigma */
    const double *out;    /* (n, K) */
} golden_soft_case;

static const golden_soft_case golden_soft_cases[] = {
""")
for c in SOFT:
    out.write("    {.name = \"%s\", .n = %d, .K = %d, .y = %s, .values = %s, .kind = \"%s\",\n"
              "     .param = %r, .out = %s},\n"
              % (c["name"], len(c["y"]), len(c["values"]), arr(c["y"]), arr(c["values"]),
                 c["kind"], c["param"], arr(c["out"])))
out.write("""};
#define N_GOLDEN_SOFT_CASES (sizeof golden_soft_cases / sizeof golden_soft_cases[0])

/* The case called `name`, or NULL. */
static inline const golden_case *golden_find(const char *name) {
    for (size_t i = 0; i < N_GOLDEN_CASES; i++) {
        const char *a = golden_cases[i].name, *b = name;
        while (*a && *a == *b) a++, b++;
        if (*a == *b) return &golden_cases[i];
    }
    return NULL;
}

#endif
""")
