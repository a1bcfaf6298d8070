#!/usr/bin/python3
"""The classical reference rows of `make ordinal`: statsmodels' OrderedModel
(maximum likelihood, no tuning) with the logit link (proportional odds) and
the probit link, on the very rows the nn models use, read from
OUT_DIR/fair_split<S>_{train,test}.csv (written by examples/ordinal.c:
standardised features, the rating last).

    /usr/bin/python3 examples/ordered_model.py OUT_DIR

Fitted on each split's training part (the nn models' training part too; they
also use the validation part to choose lr and epoch). The class is the median
of the predicted distribution, as for nn's cumulative-link head. Prints one
table row per link in the format of examples/ordinal.c, or says why they are
skipped.
"""
import os
import sys

try:
    import numpy as np
    from statsmodels.miscmodels.ordinal_model import OrderedModel
except ImportError as e:  # python3-statsmodels missing
    print("  %-18s skipped: %s (install python3-statsmodels)" % ("OrderedModel", e))
    sys.exit(0)

N_SPLITS = 5


def read(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def qwk(pred, y, K):
    """1 - sum (p - y)^2 / expected, on label positions (as nn/metrics.c)."""
    n = len(y)
    num = ((pred - y) ** 2).sum()
    den = (y ** 2).sum() + (pred ** 2).sum() - 2 * y.sum() * pred.sum() / n
    return 1 - num / den


def main(out_dir):
    for distr in ("logit", "probit"):
        if not fit(out_dir, distr):
            return


def fit(out_dir, distr):
    rows = []
    for s in range(1, N_SPLITS + 1):
        paths = [os.path.join(out_dir, "fair_split%d_%s.csv" % (s, part)) for part in ("train", "test")]
        if not all(os.path.exists(p) for p in paths):
            print("  %-18s skipped: %s not found (run build/ordinal first)" % ("OrderedModel", paths[0]))
            return False
        (xtr, ytr), (xte, yte) = read(paths[0]), read(paths[1])
        values = np.unique(ytr)
        K = len(values)
        pos_tr = np.searchsorted(values, ytr)
        pos_te = np.searchsorted(values, yte)
        res = OrderedModel(pos_tr, xtr, distr=distr).fit(method="bfgs", maxiter=2000, disp=False)
        probs = np.asarray(res.model.predict(res.params, exog=xte))  # (n, K)
        mu = probs @ values
        median = (np.cumsum(probs, 1) >= 0.5).argmax(1)
        rows.append((np.abs(mu - yte).mean(), np.abs(values[median] - yte).mean(),
                     qwk(median, pos_te, K), (np.abs(median - pos_te) <= 1).mean()))
    r = np.array(rows)
    cells = "".join("  %5.3f ± %5.3f" % (m, sd) for m, sd in zip(r.mean(0), r.std(0, ddof=1)))
    print("  %-19s%-9s%-15s%s" % ("OrderedModel", "median", distr + ", MLE", cells))
    return True


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ordered_model.py OUT_DIR")
    main(sys.argv[1])
