/* graph_dot.c — the layer graph as Graphviz DOT (nn_graph_write_dot).
 *
 * One DOT node per graph node, in creation order, named n<id>; one edge per
 * input, from producer to consumer, so a fan-out (a softmax feeding a loss
 * and two heads) shows as several edges leaving one node — drawn red when a
 * gradient flows back along them, since backward adds them there. A loss's target and weights
 * edges are dashed: the loss does not differentiate them. Losses are red
 * boxes, heads (nodes read only by losses, or by nobody) double-bordered
 * green boxes, leaves (inputs, labels) blue ellipses. Every write is
 * checked.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h"

typedef struct {
    FILE *f;
    int   failed; /* a write failed; errno kept in err_no */
    int   err_no;
} dot_out;

static void put(dot_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(dot_out *o, const char *fmt, ...) {
    if (o->failed) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(o->f, fmt, ap);
    va_end(ap);
    if (n < 0) o->failed = 1, o->err_no = errno;
}

/* A DOT string body: quotes and backslashes escaped. */
static void put_escaped(dot_out *o, const char *s) {
    for (; *s; s++) put(o, "%s%c", *s == '"' || *s == '\\' ? "\\" : "", *s);
}

static double row_norm(const nn_real *v, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)v[i] * v[i];
    return sqrt(s);
}

/* The sample's forward value: every entry up to 4, else mean, min, max. */
static void put_values(dot_out *o, const nn_real *v, int n) {
    if (n <= 4) {
        put(o, "\\nout = [");
        for (int i = 0; i < n; i++) put(o, i ? ", %.4g" : "%.4g", (double)v[i]);
        put(o, "]");
        return;
    }
    double mean = 0, lo = v[0], hi = v[0];
    for (int i = 0; i < n; i++) {
        mean += v[i];
        lo = fmin(lo, v[i]);
        hi = fmax(hi, v[i]);
    }
    put(o, "\\nout: mean %.4g, min %.4g, max %.4g", mean / n, lo, hi);
}

/* Role of node i, from its ops and its consumers. */
typedef enum { ROLE_LEAF, ROLE_LAYER, ROLE_HEAD, ROLE_LOSS } node_role;

/* A head is an output: the predictions, or a node only losses (or nobody) read. */
static node_role role_of(const nn_graph *g, int i, const int *consumers, const int *loss_only,
                         int predictions) {
    const nn_node *n = &g->nodes[i];
    if (n->is_loss) return ROLE_LOSS;
    if (n->ops->holds != NN_HOLDS_RESULT) return ROLE_LEAF;
    if (i == predictions || consumers[i] == 0 || consumers[i] == loss_only[i]) return ROLE_HEAD;
    return ROLE_LAYER;
}

static void put_node(dot_out *o, const nn_graph *g, int i, node_role role, int fan_out,
                     const nn_dot_options *opt) {
    const nn_node *n = &g->nodes[i];
    int r = opt->row;
    put(o, "  n%d [label=\"[%d] ", i, i);
    put_escaped(o, n->name);
    if (nn_is_softmax(g, i) && nn_softmax_temperature(g, i) != 1)
        put(o, " (T = %g)", nn_softmax_temperature(g, i));
    if (nn_is_labels(g, i)) put(o, "\\n(B) class ids < %d", n->width);
    else put(o, "\\n(B, %d)", n->width);
    if (n->n_params) put(o, "\\n%zu parameters", n->n_params);
    if (role == ROLE_LOSS && n->loss_coef != 1) put(o, "\\nenters the total x %g", n->loss_coef);
    if (n->requires_grad) put(o, "\\nrequires grad");
    if (i == opt->predictions) put(o, "\\npredictions");
    else if (role == ROLE_HEAD) put(o, "\\nhead");
    if (fan_out > 1) put(o, "\\nfeeds %d nodes%s", fan_out, n->needs_grad ? ": their gradients add" : "");
    if (opt->annotate && g->compiled) {
        if (n->labels) put(o, "\\ny = %d", (int)n->labels[r]);
        else if (role == ROLE_LOSS) put(o, "\\nloss %.6g (batch value %.6g)", (double)n->out[r], n->loss_value);
        else put_values(o, n->out + (size_t)r * n->width, n->width);
        double dn = n->dout ? row_norm(n->dout + (size_t)r * n->width, n->width) : 0;
        if (n->dout && role != ROLE_LOSS)
            put(o, "\\n|dL/d(out)| = %.4g%s", dn,
                dn == 0 && nn_is_softmax(g, i) ? " (simplified losses write dL/dz into its input)" : "");
        if (n->n_params) {
            double s = 0;
            for (size_t k = 0; k < n->n_params; k++) s += (double)n->dparams[k] * n->dparams[k];
            put(o, "\\n|dL/d(params)| = %.4g", sqrt(s));
        }
        if (role == ROLE_LOSS && n->clamped) put(o, "\\nCLAMPED %ld (jacobian mode: row wrong)", n->clamped);
    }
    put(o, "\"");
    switch (role) {
    case ROLE_LEAF: put(o, ", shape=ellipse, style=filled, fillcolor=\"#dbe8fb\""); break;
    case ROLE_LAYER: put(o, ", shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\""); break;
    case ROLE_HEAD:
        put(o, ", shape=box, style=\"rounded,filled,bold\", peripheries=2, fillcolor=\"#dcf2dc\"");
        break;
    case ROLE_LOSS: put(o, ", shape=box, style=\"filled,bold\", fillcolor=\"#f9d2d2\""); break;
    }
    put(o, "];\n");
}

nn_status nn_graph_write_dot(FILE *f, const nn_graph *g, const nn_dot_options *options,
                             nn_error *err) {
    nn_dot_options opt = options ? *options : (nn_dot_options){.predictions = -1};
    if (!f || !g) return nn_set_error(err, NN_ERR_ARG, "graph_write_dot: no %s", f ? "graph" : "file");
    if (opt.annotate && (!g->compiled || opt.row < 0 || opt.row >= g->max_batch))
        return nn_set_error(err, NN_ERR_ARG, "graph_write_dot: annotating row %d needs a compiled "
                            "graph with max_batch > %d", opt.row, opt.row);
    /* consumers of each node, and how many of them are losses */
    int n = g->n_nodes;
    int *consumers = calloc(n ? (size_t)n * 2 : 1, sizeof *consumers), *loss_only = consumers + n;
    if (!consumers) return nn_set_error(err, NN_ERR_NOMEM, "graph_write_dot: out of memory");
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            consumers[g->nodes[i].inputs[k]]++;
            loss_only[g->nodes[i].inputs[k]] += g->nodes[i].is_loss;
        }
    dot_out o = {.f = f};
    size_t n_params = 0;
    for (int i = 0; i < n; i++) n_params += g->nodes[i].ops->n_params ? g->nodes[i].ops->n_params(&g->nodes[i]) : 0;
    put(&o, "// nn layer graph: %d nodes, %zu parameters; render with dot -Tsvg\n", n, n_params);
    put(&o, "digraph nn {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n"
            "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    if (opt.title) {
        put(&o, "  labelloc=t;\n  label=\"");
        put_escaped(&o, opt.title);
        put(&o, "\";\n");
    }
    for (int i = 0; i < n; i++) put_node(&o, g, i, role_of(g, i, consumers, loss_only, opt.predictions), consumers[i], &opt);
    for (int i = 0; i < n; i++) {
        const nn_node *c = &g->nodes[i];
        for (int k = 0; k < c->n_inputs; k++) {
            int from = c->inputs[k];
            put(&o, "  n%d -> n%d", from, i);
            if (c->is_loss && k > 0)
                put(&o, " [style=dashed, label=\"%s (no gradient)\"]",
                    nn_is_labels(g, from) ? "labels" : "target or weights");
            else if (consumers[from] > 1 && g->nodes[from].needs_grad)
                put(&o, " [color=\"#c03030\", penwidth=2]");
            put(&o, ";\n");
        }
    }
    put(&o, "}\n");
    free(consumers);
    if (!o.failed && (fflush(f) != 0 || ferror(f))) o.failed = 1, o.err_no = errno;
    if (o.failed)
        return nn_set_error(err, NN_ERR_IO, "writing the graph's DOT: %s",
                            o.err_no ? strerror(o.err_no) : "write error");
    return NN_OK;
}
