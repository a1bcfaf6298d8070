/* loss_registry.c — every loss a model can name, and every setting a loss
 * reads: two tables, declared once and looped over by the model file, the
 * checkpoint, nn_arch_defaults, nn_model_build and the nn program (options,
 * --help, the run description, the "setting of another loss" check).
 * How to add a loss: nn/model/loss_registry.h.
 *
 * Each builder puts the head on the last hidden node — a dense layer of K
 * outputs and a softmax at T = 1 for the softmax losses, K − 1 threshold
 * logits for coral, corn and clm — and, with a loss, the loss on it; the
 * inference graph (with_loss = 0) computes the same probabilities. Category
 * values come from the model's description (NULL: 0..K−1). */
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "nn/graph_internal.h"
#include "nn/model/loss_registry.h"

/* --------------------------------------------------------------- settings
 * Slot i of nn_arch.setting holds entry i; the first six are also the named
 * fields of nn_arch, in this order. Ranges are what the model file, the
 * command line and nn_arch_set accept. */
static const char *const links[] = {"logit", "probit", NULL}; /* nn_clm_link */

static const nn_loss_setting settings[] = {
    {"temperature", "T", 4, 0, 1e6, 1, "distillation temperature T", NULL},
    {"alpha", "A", 0.5, 0, 1, 0, "weight of the soft (KL) term, in [0, 1]", NULL},
    {"lambda1", "L1", 0.2, 0, 1e6, 0, "weight of the mean term 1/2 (mu - y)^2", NULL},
    {"lambda2", "L2", 0.05, 0, 1e6, 0, "weight of the variance term sigma^2", NULL},
    {"sigma", "S", 1, 0, 1e9, 1, "width of the target Gaussian, in value units; = sord with S = 1/(2 sigma^2)", NULL},
    {"sord_scale", "S", 1, 0, 1e9, 1, "targets softmax(-S (v - y)^2), the same as dldl with sigma = 1/sqrt(2 S)", NULL},
    {"link", "NAME", NN_LINK_LOGIT, 0, 1, 0, "P(y <= k) = F(theta_k - s) with F logistic (logit) or normal (probit)",
     links},
};
#define N_SETTINGS ((int)(sizeof settings / sizeof *settings))

_Static_assert(N_SETTINGS <= NN_MAX_LOSS_SETTINGS, "raise NN_MAX_LOSS_SETTINGS in nn/model.h");
_Static_assert(offsetof(nn_arch, sord_scale) == offsetof(nn_arch, setting) + 5 * sizeof(double),
               "the named settings of nn_arch alias setting[0..5]");

/* ---------------------------------------------------------------- helpers */

int nn_loss_head_dense(nn_loss_build *b, int x, int width) {
    int in = nn_node_width(b->g, x);
    b->dense = nn_dense(b->g, x, width, NN_INIT_XAVIER); /* (B, width) */
    char name[32];
    snprintf(name, sizeof name, "dense%d.weight", b->layer);
    nn_loss_head_tensor(b, b->dense, name, (uint64_t)width, (uint64_t)(in > 0 ? in : 0));
    snprintf(name, sizeof name, "dense%d.bias", b->layer);
    nn_loss_head_tensor(b, b->dense, name, (uint64_t)width, 0);
    return b->logits = b->dense;
}

void nn_loss_head_tensor(nn_loss_build *b, int node, const char *name, uint64_t d0, uint64_t d1) {
    int cap = (int)(sizeof b->tensors / sizeof *b->tensors);
    if (b->n_tensors == cap) {
        nn_graph_fail(b->g, "loss head: more than %d parameter tensors", cap);
        return;
    }
    size_t offset = 0;
    for (int i = 0; i < b->n_tensors; i++)
        if (b->tensors[i].node == node) offset += b->tensors[i].d0 * (b->tensors[i].d1 ? b->tensors[i].d1 : 1);
    nn_model_tensor *t = &b->tensors[b->n_tensors++];
    *t = (nn_model_tensor){.node = node, .offset = offset, .d0 = d0, .d1 = d1};
    snprintf(t->name, sizeof t->name, "%s", name);
}

double nn_loss_setting_value(const nn_loss_build *b, const char *key) {
    int i = nn_loss_setting_index(key);
    return i < 0 ? NAN : b->arch->setting[i];
}

/* The softmax head every loss below uses: logits (B, K), probs (B, K). */
static void softmax_head(nn_loss_build *b) {
    nn_loss_head_dense(b, b->hidden, b->n_classes);
    b->probs = nn_softmax(b->g, b->logits, 1.0);
}

/* ---------------------------------------------------------------- builders */

/* ce: cross-entropy of the softmax against the hard labels. */
static void build_ce(nn_loss_build *b) {
    softmax_head(b);
    nn_ce_options co = nn_ce_defaults();
    co.class_weights = b->arch->class_weights;
    if (b->with_loss) b->loss = nn_cross_entropy_ex(b->g, b->probs, b->labels, &co, &b->options);
}

/* kl: KL(softmax(t/T) ‖ softmax(z/T)) against teacher logits t, scaled by T²
 * so its gradient does not shrink as T grows (Hinton et al., 2015): the soft
 * half of distillation on its own. */
static void build_kl(nn_loss_build *b) {
    nn_loss_head_dense(b, b->hidden, b->n_classes);
    if (b->with_loss) {
        double T = b->arch->temperature;
        b->targets = nn_input(b->g, b->n_classes);            /* (B, K) teacher logits */
        int soft = nn_softmax(b->g, b->logits, T);            /* (B, K) */
        nn_kl_options ko = nn_kl_defaults();
        ko.target_temperature = T;
        ko.scale_t2 = 1;
        b->loss = nn_kl_div(b->g, soft, b->targets, &ko, &b->options);
    }
    b->probs = nn_softmax(b->g, b->logits, 1.0);              /* (B, K) */
}

/* distill: α·T²·KL(softmax(t/T) ‖ softmax(z/T)) + (1 − α)·CE(y, softmax(z)). */
static void build_distill(nn_loss_build *b) {
    if (!b->with_loss) {
        softmax_head(b);
        return;
    }
    nn_loss_head_dense(b, b->hidden, b->n_classes);
    b->targets = nn_input(b->g, b->n_classes); /* (B, K) teacher logits */
    nn_distill_options d = {.alpha = b->arch->alpha, .temperature = b->arch->temperature,
                            .class_weights = b->arch->class_weights};
    nn_distill_nodes dn;
    b->loss = nn_distillation(b->g, b->logits, b->targets, b->labels, &d, &b->options, &dn);
    b->probs = dn.probs;
}

/* ev-sq, ev-abs: ½(μ − v_y)² and |μ − v_y| on μ = Σ v_i p_i. */
static void build_ev_sq(nn_loss_build *b) {
    softmax_head(b);
    if (b->with_loss) b->loss = nn_ev_squared(b->g, b->probs, b->labels, b->values, &b->options);
}

static void build_ev_abs(nn_loss_build *b) {
    softmax_head(b);
    if (b->with_loss) b->loss = nn_ev_absolute(b->g, b->probs, b->labels, b->values, &b->options);
}

/* mean-variance: CE + λ₁·½(μ − v_y)² + λ₂·σ². */
static void build_mean_variance(nn_loss_build *b) {
    softmax_head(b);
    if (!b->with_loss) return;
    nn_mean_variance_options mo = {.lambda1 = b->arch->lambda1, .lambda2 = b->arch->lambda2,
                                   .values = b->values, .class_weights = b->arch->class_weights};
    nn_mean_variance_nodes nodes;
    b->loss = nn_mean_variance(b->g, b->probs, b->labels, &mo, &b->options, &nodes);
}

/* sord, dldl: cross-entropy against soft targets (B, K) made from the labels
 * by nn_model_prepare_targets (the entries' `targets`). */
static void build_soft_ce(nn_loss_build *b) {
    if (b->with_loss) {
        nn_loss_head_dense(b, b->hidden, b->n_classes);
        b->targets = nn_input(b->g, b->n_classes); /* (B, K) target distributions */
        b->probs = nn_softmax(b->g, b->logits, 1.0);
        nn_ce_options co = nn_ce_defaults();
        co.class_weights = b->arch->class_weights; /* u_i = w_i ỹ_i */
        b->loss = nn_cross_entropy_ex(b->g, b->probs, b->targets, &co, &b->options);
    } else {
        softmax_head(b);
    }
}

static nn_status sord_targets(const nn_arch *a, const double *values, const double *y, int n,
                              int K, nn_real *out, nn_error *err) {
    return nn_sord_targets(out, y, n, K, values, NN_SORD_SQUARED, a->sord_scale, err);
}

static nn_status dldl_targets(const nn_arch *a, const double *values, const double *y, int n,
                              int K, nn_real *out, nn_error *err) {
    return nn_dldl_targets(out, y, n, K, values, a->sigma, err);
}

/* coral, corn, clm: K − 1 threshold logits z and class probabilities from
 * them (nn/ordinal.h, docs/ordinal_heads.md). */

/* CORAL: z_k = ⟨w, h⟩ + b_k, one weight vector shared by the K − 1 tasks. */
static void build_coral(nn_loss_build *b) {
    int H = nn_node_width(b->g, b->hidden);
    b->logits = nn_coral_head(b->g, b->hidden, b->n_classes, NN_INIT_XAVIER); /* (B, K − 1) */
    nn_loss_head_tensor(b, b->logits, "coral.weight", 1, (uint64_t)(H > 0 ? H : 0));
    nn_loss_head_tensor(b, b->logits, "coral.bias", (uint64_t)b->n_classes - 1, 0);
    b->probs = nn_ordinal_probs(b->g, b->logits, NN_ORDINAL_CUMULATIVE);      /* (B, K) */
    if (b->with_loss)
        b->loss = nn_coral_loss_weighted(b->g, b->logits, b->labels, b->arch->task_weights, &b->options);
}

/* CORN: K − 1 independent conditional logits from a dense layer. */
static void build_corn(nn_loss_build *b) {
    nn_loss_head_dense(b, b->hidden, b->n_classes - 1);                       /* (B, K − 1) */
    b->probs = nn_ordinal_probs(b->g, b->logits, NN_ORDINAL_CONDITIONAL);     /* (B, K) */
    if (b->with_loss) b->loss = nn_corn_loss(b->g, b->logits, b->labels, &b->options);
}

/* Cumulative link: a dense score s, then z_k = s − θ_k with ordered θ;
 * P(y ≤ k) = F(θ_k − s), F = σ or Φ (setting "link"). */
static void build_clm(nn_loss_build *b) {
    nn_clm_link link = (nn_clm_link)nn_loss_setting_value(b, "link");
    int s = nn_loss_head_dense(b, b->hidden, 1);                              /* (B, 1) */
    b->logits = nn_clm_thresholds_link(b->g, s, b->n_classes, link);          /* (B, K − 1) */
    nn_loss_head_tensor(b, b->logits, "thresholds", (uint64_t)b->n_classes - 1, 0);
    b->probs = nn_ordinal_probs(b->g, b->logits, link == NN_LINK_PROBIT ? NN_ORDINAL_PROBIT
                                                                         : NN_ORDINAL_CUMULATIVE); /* (B, K) */
    if (b->with_loss) b->loss = nn_clm_loss(b->g, b->logits, b->labels, &b->options);
}

/* ------------------------------------------------------------------ losses */

#define SOFTMAX "dense K, softmax"

static const nn_loss_info losses[] = {
    {.name = "ce", .head = SOFTMAX, .needs = NN_LOSS_CE, .help = "cross-entropy with the labels", .build = build_ce},
    {.name = "kl", .head = SOFTMAX, .needs = NN_LOSS_TEACHER, .settings = {"temperature"},
     .help = "T^2 KL(softmax(t/T) || softmax(z/T)) to a teacher's logits t", .build = build_kl},
    {.name = "distill", .head = SOFTMAX, .needs = NN_LOSS_TEACHER | NN_LOSS_CE,
     .settings = {"temperature", "alpha"},
     .help = "alpha T^2 KL(...) + (1 - alpha) CE (Hinton et al., 2015)", .build = build_distill},
    {.name = "ev-sq", .head = SOFTMAX, .rule = NN_RULE_EXPECTED,
     .help = "1/2 (mu - v_y)^2 on the expected value mu", .build = build_ev_sq},
    {.name = "ev-abs", .head = SOFTMAX, .rule = NN_RULE_EXPECTED,
     .help = "|mu - v_y| on the expected value mu", .build = build_ev_abs},
    {.name = "mean-variance", .head = SOFTMAX, .rule = NN_RULE_EXPECTED, .needs = NN_LOSS_CE,
     .settings = {"lambda1", "lambda2"},
     .help = "CE + lambda1 1/2 (mu - v_y)^2 + lambda2 sigma^2 (Pan et al., 2018)",
     .build = build_mean_variance},
    {.name = "sord", .head = SOFTMAX, .rule = NN_RULE_MEDIAN, .needs = NN_LOSS_TARGETS | NN_LOSS_CE,
     .settings = {"sord_scale"},
     .help = "CE against softmax(-S (v - v_y)^2) (Diaz & Marathe, 2019); = dldl, sigma 1/sqrt(2S)",
     .build = build_soft_ce, .targets = sord_targets},
    {.name = "dldl", .head = SOFTMAX, .rule = NN_RULE_MEDIAN, .needs = NN_LOSS_TARGETS | NN_LOSS_CE,
     .settings = {"sigma"},
     .help = "CE against a Gaussian of width sigma around v_y (Gao et al., 2017); = sord, S 1/(2 sigma^2)",
     .build = build_soft_ce, .targets = dldl_targets},
    {.name = "coral", .head = "one weight vector, K-1 biases", .rule = NN_RULE_RANK,
     .help = "sum over k of BCE(sigma(z_k), y > k), one shared weight vector (Cao et al., 2020)",
     .build = build_coral},
    {.name = "corn", .head = "dense K-1", .rule = NN_RULE_RANK,
     .help = "BCE of task y > k on the rows with y >= k, chained (Shi et al., 2021)",
     .build = build_corn},
    {.name = "clm", .head = "dense 1, K-1 ordered thresholds", .rule = NN_RULE_MEDIAN,
     .settings = {"link"},
     .help = "cumulative link, -log P(y) with P(y <= k) = F(theta_k - s): proportional odds, or probit",
     .build = build_clm},
};
#define N_LOSSES ((int)(sizeof losses / sizeof *losses))

/* ---------------------------------------------------------------- lookups */

const nn_loss_info *nn_losses(int i) { return i >= 0 && i < N_LOSSES ? &losses[i] : NULL; }

const nn_loss_setting *nn_loss_settings(int i) {
    return i >= 0 && i < N_SETTINGS ? &settings[i] : NULL;
}

const nn_loss_info *nn_loss_find(const char *name) {
    for (int i = 0; name && i < N_LOSSES; i++)
        if (strcmp(losses[i].name, name) == 0) return &losses[i];
    return NULL;
}

int nn_loss_setting_index(const char *key) {
    for (int i = 0; key && i < N_SETTINGS; i++)
        if (strcmp(settings[i].key, key) == 0) return i;
    return -1;
}

int nn_loss_reads(const nn_loss_info *l, const char *key) {
    for (int i = 0; l && l->settings[i]; i++)
        if (strcmp(l->settings[i], key) == 0) return 1;
    return 0;
}

nn_status nn_arch_set(nn_arch *a, const char *key, double value, nn_error *err) {
    int i = nn_loss_setting_index(key);
    if (i < 0) return nn_set_error(err, NN_ERR_ARG, "no loss has a setting '%s'", key);
    const nn_loss_setting *s = &settings[i];
    if (s->choices && !nn_loss_setting_choice_name(s, value)) {
        char names[200] = "";
        for (int c = 0; s->choices[c]; c++) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%d (%s)", c ? ", " : "", c, s->choices[c]);
        }
        return nn_set_error(err, NN_ERR_ARG, "loss setting %s = %g is not one of %s", key, value, names);
    }
    if (!(s->min_open ? value > s->min : value >= s->min) || !(value <= s->max))
        return nn_set_error(err, NN_ERR_ARG, "loss setting %s = %g is not in %c%g, %g]", key, value,
                            s->min_open ? '(' : '[', s->min, s->max);
    a->setting[i] = value;
    return NN_OK;
}

int nn_loss_setting_choice(const nn_loss_setting *s, const char *name) {
    for (int c = 0; s && s->choices && name && s->choices[c]; c++)
        if (strcmp(s->choices[c], name) == 0) return c;
    return -1;
}

const char *nn_loss_setting_choice_name(const nn_loss_setting *s, double v) {
    for (int c = 0; s && s->choices && s->choices[c]; c++)
        if (v == c) return s->choices[c];
    return NULL;
}
