/* model_source.c — see model_source.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_data.h"
#include "model_source.h"

static const char *const grad_modes[] = {"simplified", "jacobian", NULL};
static const char *const activations[] = {"relu", "sigmoid", "tanh", NULL};

/* B rows of inputs and labels: from data rows index.., or N(0, 1) inputs
 * and random (or given) labels. Targets made from the labels (sord, dldl)
 * are made as training makes them; a teacher's logits (kl, distill) are a
 * random row (these commands read no teacher). */
static int fill_batch(nn_model *m, const char *cmd, const model_source *s, int B) {
    int F = m->arch.sizes[0], K = m->arch.sizes[m->arch.n_sizes - 1];
    nn_real *x = nn_input_data(m->g, m->x);   /* (B, F) */
    int32_t *y = nn_label_data(m->g, m->labels); /* (B) */
    nn_rng rng;
    nn_rng_seed(&rng, s->seed + 1);
    if (s->data) {
        nn_dataset d;
        if (!load_data_for_model(&d, cmd, s->data, m, 0, 0)) return 0;
        if (s->index + B > d.n) {
            cli_error(cmd, "--index %d: %s has %d rows, %d needed from there", s->index, s->data, d.n, B);
            nn_dataset_free(&d);
            return 0;
        }
        int idx[256];
        for (int b = 0; b < B; b++) idx[b] = s->index + b;
        nn_dataset_gather(&d, idx, B, x, y);
        nn_dataset_free(&d);
    } else {
        if (s->label >= K) {
            cli_error(cmd, "--label %d: the model has %d classes", s->label, K);
            return 0;
        }
        for (size_t i = 0; i < (size_t)B * F; i++) x[i] = (nn_real)nn_rng_normal(&rng);
        for (int b = 0; b < B; b++) y[b] = s->label >= 0 ? s->label : (int32_t)nn_rng_below(&rng, (uint32_t)K);
    }
    const nn_loss_info *l = nn_loss_find(m->arch.loss);
    if (m->targets >= 0 && l && l->targets) { /* soft labels (sord, dldl): made from the labels */
        nn_dataset rows = {.n = B, .labels = y};
        nn_error err;
        if (nn_model_prepare_targets(m, &rows, &err)) {
            cli_error(cmd, "%s", err.msg);
            return 0;
        }
        memcpy(nn_input_data(m->g, m->targets), rows.targets, (size_t)B * rows.target_width * sizeof(nn_real));
        free(rows.targets);
    } else if (m->targets >= 0) { /* a teacher's logits: random */
        int W = nn_node_width(m->g, m->targets);
        nn_real *t = nn_input_data(m->g, m->targets); /* (B, W) */
        for (int b = 0; b < B; b++) {
            nn_real *row = t + (size_t)b * W; /* (W): random logits, then their softmax */
            for (int k = 0; k < W; k++) row[k] = (nn_real)nn_rng_normal(&rng);
            nn_softmax_row(row, row, W, 1.0);
        }
    }
    return 1;
}

int model_source_options(model_source *s, const char *cmd, const arg_option *own, arg_option *out,
                         int cap) {
    loss_options_init(&s->settings, "with --arch: ");
    const arg_option source[] = {MODEL_SOURCE_OPTIONS(*s), OPT_END};
    if (!loss_options_table(&s->settings, source, own, out, cap)) {
        cli_error(cmd, "too many options");
        return 0;
    }
    s->opts = out;
    return 1;
}

int model_source_check(const model_source *s, const char *cmd, const char *path) {
    nn_error err;
    if (!path == !s->arch) {
        cli_error(cmd, "give either a MODEL file or --arch SIZES (see nn %s --help)", cmd);
        return 0;
    }
    if (s->grad && !args_choice(cmd, "--grad", s->grad, grad_modes)) return 0;
    if (s->activation && !args_choice(cmd, "--activation", s->activation, activations)) return 0;
    if (s->data && s->label >= 0) { /* options that would be ignored */
        cli_error(cmd, "--label sets the label of random inputs; with --data the labels are the data's");
        return 0;
    }
    if (!s->data && s->index > 0) {
        cli_error(cmd, "--index %d picks a row of --data; without --data the inputs are random", s->index);
        return 0;
    }
    if (path) {
        const char *given = loss_options_given(&s->settings, s->opts);
        if (s->activation || s->loss || given) {
            if (given) cli_error(cmd, "%s goes with --arch; a MODEL file has its own", given);
            else cli_error(cmd, "--activation and --loss go with --arch; a MODEL file has its own");
            return 0;
        }
        return 1;
    }
    nn_arch a = nn_arch_defaults();
    if (nn_arch_parse_sizes(&a, s->arch, &err)) {
        cli_error(cmd, "--arch: %s", err.msg);
        return 0;
    }
    if (s->label >= a.sizes[a.n_sizes - 1]) { /* a MODEL's classes are known once it is read */
        cli_error(cmd, "--label %d: the model has %d classes", s->label, a.sizes[a.n_sizes - 1]);
        return 0;
    }
    if (s->activation && a.n_sizes < 3) {
        cli_error(cmd, "--activation %s: --arch %s has no hidden layer", s->activation, s->arch);
        return 0;
    }
    return loss_options_check(&s->settings, cmd, s->opts, s->loss ? s->loss : a.loss) != NULL;
}

int model_source_open(nn_model *m, const char *cmd, const model_source *s, const char *path, int B,
                      int mode) {
    nn_error err;
    if (!model_source_check(s, cmd, path)) return 0;
    nn_arch a = nn_arch_defaults();
    nn_model file;
    if (path) {
        if (nn_model_load(&file, path, 1, 0, &err)) {
            cli_error(cmd, "%s", err.msg);
            return 0;
        }
        a = file.arch; /* rebuilt below for batch B, with its loss */
    } else if (nn_arch_parse_sizes(&a, s->arch, &err)) {
        cli_error(cmd, "--arch: %s", err.msg);
        return 0;
    } else {
        if (s->activation) snprintf(a.activation, sizeof a.activation, "%s", s->activation);
        if (s->loss) snprintf(a.loss, sizeof a.loss, "%s", s->loss);
        loss_options_apply(&s->settings, &a);
    }
    if (s->grad) a.grad = strcmp(s->grad, "jacobian") == 0 ? NN_GRAD_JACOBIAN : NN_GRAD_SIMPLIFIED;
    if (mode >= 0) a.grad = (nn_grad_mode)mode;
    nn_status st = nn_model_build(m, &a, path ? &file.data : NULL, B, 1, s->seed, &err);
    if (!st && path) /* the file's weights, in a graph for batch B with a loss */
        memcpy(nn_graph_params(m->g), nn_graph_params(file.g), nn_graph_n_params(m->g) * sizeof(nn_real));
    if (path) nn_model_free(&file);
    if (st) {
        cli_error(cmd, "%s", err.msg);
        return 0;
    }
    if (!fill_batch(m, cmd, s, B)) {
        nn_model_free(m);
        return 0;
    }
    return 1;
}

void model_source_copy(nn_model *other, nn_model *m, int B) {
    int F = m->arch.sizes[0];
    memcpy(nn_graph_params(other->g), nn_graph_params(m->g), nn_graph_n_params(m->g) * sizeof(nn_real));
    memcpy(nn_input_data(other->g, other->x), nn_input_data(m->g, m->x), (size_t)B * F * sizeof(nn_real));
    memcpy(nn_label_data(other->g, other->labels), nn_label_data(m->g, m->labels), (size_t)B * sizeof(int32_t));
    if (m->targets >= 0) {
        int W = nn_node_width(m->g, m->targets);
        memcpy(nn_input_data(other->g, other->targets), nn_input_data(m->g, m->targets),
               (size_t)B * W * sizeof(nn_real));
    }
}
