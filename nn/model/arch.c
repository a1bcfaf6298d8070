/* arch.c — architectures ("784-256-10" + activation + loss) and the graph
 * built from one. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/data/data_internal.h"
#include "nn/model/model_internal.h"

nn_arch nn_arch_defaults(void) {
    nn_arch a;
    memset(&a, 0, sizeof a);
    strcpy(a.activation, "relu");
    strcpy(a.loss, "ce");
    a.grad = NN_GRAD_SIMPLIFIED;
    for (int i = 0; nn_loss_settings(i); i++) a.setting[i] = nn_loss_settings(i)->def;
    return a;
}

/* "architecture 'SPEC'" as messages start: SPEC whole up to 40 bytes,
 * else its first 40 and how long it is, so the reason after it is never
 * cut off. */
static void quote_spec(char *out, size_t size, const char *spec) {
    size_t n = strlen(spec);
    if (n <= 40) snprintf(out, size, "architecture '%s'", spec);
    else snprintf(out, size, "architecture '%.40s...' (%zu characters)", spec, n);
}

nn_status nn_arch_parse_sizes(nn_arch *a, const char *spec, nn_error *err) {
    char shown[112]; /* the spec as quoted in messages: its start, if long */
    quote_spec(shown, sizeof shown, spec);
    int n = 0;
    const char *s = spec;
    for (;;) {
        if (!isdigit((unsigned char)*s))
            return nn_set_error(err, NN_ERR_ARG,
                                "%s: expected widths like 784-256-10", shown);
        errno = 0;
        char *end;
        long w = strtol(s, &end, 10);
        if (errno || w < 1 || w > 1 << 24)
            return nn_set_error(err, NN_ERR_ARG, "%s: width %.*s is not in 1..%d",
                                shown, (int)(end - s > 20 ? 20 : end - s), s, 1 << 24);
        if (n == NN_MAX_LAYERS + 1)
            return nn_set_error(err, NN_ERR_ARG, "%s: more than %d layers", shown,
                                NN_MAX_LAYERS);
        a->sizes[n++] = (int)w;
        s = end;
        if (*s == '\0') break;
        if (*s++ != '-')
            return nn_set_error(err, NN_ERR_ARG,
                                "%s: expected widths like 784-256-10", shown);
    }
    if (n < 2)
        return nn_set_error(err, NN_ERR_ARG,
                            "%s: needs an input width and a class count", shown);
    a->n_sizes = n;
    return NN_OK;
}

void nn_arch_format_sizes(const nn_arch *a, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < a->n_sizes && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, i ? "-%d" : "%d", a->sizes[i]);
}

static int activate(nn_graph *g, const char *name, int x) {
    if (strcmp(name, "relu") == 0) return nn_relu(g, x);
    if (strcmp(name, "sigmoid") == 0) return nn_sigmoid(g, x);
    if (strcmp(name, "tanh") == 0) return nn_tanh(g, x);
    nn_graph_fail(g, "unknown activation '%s' (relu, sigmoid, tanh)", name);
    return -1;
}

/* Adopts d's description (classes, values, names, standardisation, image
 * shape) after checking that its feature and class counts fit the arch. */
static nn_status describe(nn_model *m, const nn_dataset *d, nn_error *err) {
    int F = m->arch.sizes[0], K = m->arch.sizes[m->arch.n_sizes - 1];
    char arch[256];
    nn_arch_format_sizes(&m->arch, arch, sizeof arch);
    if (d->n_features != F)
        return nn_set_error(err, NN_ERR_SHAPE,
                            "architecture %s takes %d inputs, but the data have %d features", arch,
                            F, d->n_features);
    if (d->n_classes > K)
        return nn_set_error(err, NN_ERR_SHAPE,
                            "architecture %s predicts %d classes, but the data have %d", arch, K,
                            d->n_classes);
    if (d->n_classes != K && (d->label_names || d->values))
        return nn_set_error(err, NN_ERR_SHAPE,
                            "architecture %s predicts %d classes, but the data name %d", arch, K,
                            d->n_classes);
    for (int i = 1; d->values && i < K; i++)
        if (!(d->values[i] > d->values[i - 1]))
            return nn_set_error(err, NN_ERR_ARG,
                                "category values must increase: %g follows %g", d->values[i],
                                d->values[i - 1]);
    nn_status st = nn_dataset_copy_meta(&m->data, d, err);
    m->data.n_classes = K;
    return st;
}

/* The hidden layer's two tensors, as torch.nn.Linear names and stores them. */
static void hidden_tensors(nn_model *m, int i) {
    uint64_t n_out = (uint64_t)m->arch.sizes[i + 1], n_in = (uint64_t)m->arch.sizes[i];
    nn_model_tensor *w = &m->tensors[m->n_tensors++], *b = &m->tensors[m->n_tensors++];
    *w = (nn_model_tensor){.node = m->dense[i], .offset = 0, .d0 = n_out, .d1 = n_in};
    *b = (nn_model_tensor){.node = m->dense[i], .offset = n_out * n_in, .d0 = n_out};
    snprintf(w->name, sizeof w->name, "dense%d.weight", i);
    snprintf(b->name, sizeof b->name, "dense%d.bias", i);
}

nn_status nn_model_build_graph(nn_model *m, const nn_arch *a, const nn_dataset *data,
                               int max_batch, int with_loss, nn_error *err) {
    memset(m, 0, sizeof *m);
    m->loss = m->targets = -1;
    if (a->n_sizes < 2 || a->n_sizes > NN_MAX_LAYERS + 1)
        return nn_set_error(err, NN_ERR_ARG, "model: the architecture has %d widths (need 2..%d)",
                            a->n_sizes, NN_MAX_LAYERS + 1);
    if (!memchr(a->activation, '\0', sizeof a->activation) || !memchr(a->loss, '\0', sizeof a->loss))
        return nn_set_error(err, NN_ERR_ARG, "model: activation or loss name not terminated");
    m->arch = *a;
    int K = a->sizes[a->n_sizes - 1];
    const nn_loss_info *l = nn_model_loss_entry(a, err);
    if (!l) return err->code;
    nn_status st = NN_OK;
    if (data) {
        st = describe(m, data, err);
    } else {
        m->data.n_features = a->sizes[0];
        m->data.n_classes = K;
    }
    if (!st && !(m->g = nn_graph_create(max_batch)))
        st = nn_set_error(err, NN_ERR_NOMEM, "model: cannot create a graph for batch %d", max_batch);
    if (st) {
        nn_model_free(m);
        return st;
    }
    nn_graph *g = m->g;
    m->x = nn_input(g, a->sizes[0]);          /* (B, n0) */
    m->labels = nn_labels(g, K);              /* (B) */
    int h = m->x;
    for (int i = 0; i < a->n_sizes - 2; i++) { /* the hidden layers; the head makes the last */
        nn_init init = strcmp(a->activation, "relu") == 0 ? NN_INIT_HE : NN_INIT_XAVIER;
        h = m->dense[m->n_dense++] = nn_dense(g, h, a->sizes[i + 1], init); /* (B, n_{i+1}) */
        hidden_tensors(m, i);
        h = activate(g, a->activation, h);
        if (a->dropout > 0) h = nn_dropout(g, h, a->dropout); /* identity at evaluation */
    }
    if (!nn_graph_error(g)) st = nn_model_add_head(m, l, h, with_loss, err);
    if (st) nn_model_free(m);
    return st;
}

/* Every parameter belongs to exactly one declared tensor. */
static nn_status check_tensors(nn_model *m, nn_error *err) {
    size_t total = 0;
    for (int i = 0; i < m->n_tensors; i++) {
        const nn_model_tensor *t = &m->tensors[i];
        size_t count = 0, n = (size_t)t->d0 * (size_t)(t->d1 ? t->d1 : 1);
        nn_node_params(m->g, t->node, &count);
        if (t->offset + n > count)
            return nn_set_error(err, NN_ERR_ARG, "model: tensor %s lies outside its node's %zu parameters",
                                t->name, count);
        total += n;
    }
    if (total != nn_graph_n_params(m->g))
        return nn_set_error(err, NN_ERR_ARG,
                            "model: loss %s's head declares %zu of its %zu parameters (nn_loss_head_tensor)",
                            m->arch.loss, total, nn_graph_n_params(m->g));
    return NN_OK;
}

nn_status nn_model_compile(nn_model *m, uint64_t seed, nn_error *err) {
    nn_status st = nn_graph_compile(m->g, seed, err);
    if (!st) st = check_tensors(m, err);
    if (st) nn_model_free(m);
    return st;
}

nn_status nn_model_build(nn_model *m, const nn_arch *a, const nn_dataset *data, int max_batch,
                         int with_loss, uint64_t seed, nn_error *err) {
    nn_status st = nn_model_build_graph(m, a, data, max_batch, with_loss, err);
    return st ? st : nn_model_compile(m, seed, err);
}

void nn_model_free(nn_model *m) {
    if (!m) return;
    nn_graph_free(m->g);
    nn_dataset_free(&m->data);
    memset(m, 0, sizeof *m);
    m->loss = m->targets = -1;
}

nn_class_set nn_model_classes(const nn_model *m) {
    nn_class_set c = {.n = m->data.n_classes,
                      .names = (const char *const *)m->data.label_names,
                      .values = m->data.values};
    return c;
}
