/* optim.c — SGD (momentum, Nesterov, weight decay), Adam and AdamW, with the
 * update rules of torch.optim so results can be compared line by line.
 *
 * The state (velocity, or first and second moments) is one buffer per moment
 * laid out like the graph's parameter buffer, so a step is one flat loop.
 */
#include <math.h>
#include <stdlib.h>

#include "nn/graph_internal.h"

struct nn_optimizer {
    nn_graph *g;
    nn_optimizer_options o;
    nn_real *m; /* (n_params) SGD velocity, or Adam first moment */
    nn_real *v; /* (n_params) Adam second moment, NULL for SGD */
    long t;     /* steps taken */
};

nn_optimizer *nn_optimizer_create(nn_graph *g, const nn_optimizer_options *opts,
                                  nn_error *err) {
    if (!g || !g->compiled) {
        nn_set_error(err, NN_ERR_ARG, "optimizer: the graph must be compiled first");
        return NULL;
    }
    if (!opts) {
        nn_set_error(err, NN_ERR_ARG, "optimizer: no options given (kind and lr are required)");
        return NULL;
    }
    nn_optimizer_options o = *opts; /* taken literally: no field means "default" */
    const int adam = o.kind == NN_OPT_ADAM || o.kind == NN_OPT_ADAMW;
    const char *bad = NULL;
    if (o.kind != NN_OPT_SGD && o.kind != NN_OPT_ADAM && o.kind != NN_OPT_ADAMW) bad = "unknown optimizer kind";
    else if (!(o.lr > 0) || !isfinite(o.lr)) bad = "learning rate must be positive and finite";
    else if (!(o.momentum >= 0 && o.momentum < 1)) bad = "momentum must be in [0, 1)";
    else if (o.nesterov && !(o.momentum > 0)) bad = "Nesterov momentum needs momentum > 0";
    else if (!(o.weight_decay >= 0) || !isfinite(o.weight_decay)) bad = "weight decay must be >= 0";
    else if (adam && (!(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1)))
        bad = "betas must be in [0, 1) (start from nn_optimizer_defaults())";
    else if (adam && !(o.eps > 0 && isfinite(o.eps)))
        bad = "eps must be positive (start from nn_optimizer_defaults())";
    if (bad) {
        nn_set_error(err, NN_ERR_ARG, "optimizer: %s", bad);
        return NULL;
    }
    nn_optimizer *opt = calloc(1, sizeof *opt);
    size_t n = g->n_params ? g->n_params : 1;
    if (opt) {
        opt->m = calloc(n, sizeof(nn_real));
        if (o.kind != NN_OPT_SGD) opt->v = calloc(n, sizeof(nn_real));
    }
    if (!opt || !opt->m || (o.kind != NN_OPT_SGD && !opt->v)) {
        nn_optimizer_free(opt);
        nn_set_error(err, NN_ERR_NOMEM, "optimizer: out of memory for %zu parameters", n);
        return NULL;
    }
    opt->g = g;
    opt->o = o;
    return opt;
}

nn_optimizer_options nn_optimizer_defaults(nn_optimizer_kind kind, double lr) {
    return (nn_optimizer_options){.kind = kind, .lr = lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
}

void nn_optimizer_free(nn_optimizer *opt) {
    if (!opt) return;
    free(opt->m);
    free(opt->v);
    free(opt);
}

nn_status nn_optimizer_set_lr(nn_optimizer *opt, double lr) {
    if (!(lr >= 0) || !isfinite(lr)) return NN_ERR_ARG; /* the rate stays as it was */
    opt->o.lr = lr;
    return NN_OK;
}

double nn_optimizer_lr(const nn_optimizer *opt) { return opt->o.lr; }

static void sgd_step(nn_optimizer *opt) {
    const nn_real lr = (nn_real)opt->o.lr, mu = (nn_real)opt->o.momentum,
                  wd = (nn_real)opt->o.weight_decay;
    nn_real *restrict w = opt->g->params, *restrict v = opt->m; /* (n_params) */
    const nn_real *restrict dw = opt->g->grads;                 /* (n_params) */
    const size_t n = opt->g->n_params;
    if (mu == 0) {
        for (size_t i = 0; i < n; i++) w[i] -= lr * (dw[i] + wd * w[i]);
        return;
    }
    /* torch starts the velocity at the first gradient; v is still zero then,
     * so v = keep·v + g with keep = 0 does it. Deciding the branches outside
     * the loops keeps each one a single vectorized pass over w, v and dw. */
    const nn_real keep = opt->t == 0 ? 0 : mu;
    if (opt->o.nesterov) {
        for (size_t i = 0; i < n; i++) {
            nn_real gr = dw[i] + wd * w[i];
            nn_real vi = keep * v[i] + gr;
            v[i] = vi;
            w[i] -= lr * (gr + mu * vi);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            nn_real vi = keep * v[i] + (dw[i] + wd * w[i]);
            v[i] = vi;
            w[i] -= lr * vi;
        }
    }
}

static void adam_step(nn_optimizer *opt) {
    const double b1 = opt->o.beta1, b2 = opt->o.beta2;
    const double bc1 = 1 - pow(b1, (double)opt->t), bc2 = 1 - pow(b2, (double)opt->t);
    /* w -= lr · m̂ / (√v̂ + eps) with m̂ = m/bc1, v̂ = v/bc2, folded into two scalars */
    const nn_real step = (nn_real)(opt->o.lr / bc1), eps = (nn_real)opt->o.eps,
                  inv_sqrt_bc2 = (nn_real)(1 / sqrt(bc2));
    const nn_real wd = (nn_real)opt->o.weight_decay, lr = (nn_real)opt->o.lr;
    const int decoupled = opt->o.kind == NN_OPT_ADAMW;
    nn_real *w = opt->g->params, *m = opt->m, *v = opt->v;
    const nn_real *dw = opt->g->grads;
    for (size_t i = 0; i < opt->g->n_params; i++) {
        nn_real gr = dw[i];
        if (decoupled) w[i] -= lr * wd * w[i]; /* AdamW: decay outside the moments */
        else gr += wd * w[i];                  /* Adam: L2 inside the gradient */
        m[i] = (nn_real)b1 * m[i] + (nn_real)(1 - b1) * gr;
        v[i] = (nn_real)b2 * v[i] + (nn_real)(1 - b2) * gr * gr;
        w[i] -= step * m[i] / ((nn_real)sqrt((double)v[i]) * inv_sqrt_bc2 + eps);
    }
}

void nn_optimizer_step(nn_optimizer *opt) {
    if (opt->o.kind == NN_OPT_SGD) {
        sgd_step(opt);
        opt->t++;
    } else {
        opt->t++;
        adam_step(opt);
    }
}

/* ------------------------------------------------------- checkpoint access */

nn_optimizer_kind nn_optimizer_kind_of(const nn_optimizer *opt) { return opt->o.kind; }

int nn_optimizer_n_state(const nn_optimizer *opt) {
    if (opt->o.kind == NN_OPT_SGD) return opt->o.momentum > 0; /* plain SGD keeps nothing */
    return 2;
}

nn_real *nn_optimizer_state(const nn_optimizer *opt, int i, const char **name) {
    if (i < 0 || i >= nn_optimizer_n_state(opt)) return NULL;
    if (name) *name = opt->o.kind == NN_OPT_SGD ? "momentum_buffer" : i == 0 ? "exp_avg" : "exp_avg_sq";
    return i == 0 ? opt->m : opt->v;
}

long nn_optimizer_steps(const nn_optimizer *opt) { return opt->t; }
void nn_optimizer_set_steps(nn_optimizer *opt, long steps) { opt->t = steps; }
