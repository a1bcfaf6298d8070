/* train_task_weights.c — `nn train --task-weights auto|W1,…` for --loss coral:
 * the importance λ_k of each of CORAL's K − 1 binary tasks "y > k". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train.h"

#define CMD "train"

/* w (K − 1; K entries of room) from the list; prints the first problem. */
static int parse_weights(const char *list, int K, double *w) {
    int n = args_real_list(CMD, "--task-weights", list, w, K);
    if (n < 0) return 0;
    if (n != K - 1) {
        cli_error(CMD, "--task-weights: %d weights for %d classes, which have %d tasks y > k (one per "
                  "pair of neighbouring classes)", n, K, K - 1);
        return 0;
    }
    double total = 0;
    for (int k = 0; k < K - 1; k++) {
        if (!(w[k] >= 0) || !isfinite(w[k])) {
            cli_error(CMD, "--task-weights: weight %d of %d is %g; weights are finite and >= 0", k + 1,
                      K - 1, w[k]);
            return 0;
        }
        total += w[k];
    }
    if (!(total > 0)) {
        cli_error(CMD, "--task-weights: every weight is 0, so nothing would be trained");
        return 0;
    }
    return 1;
}

int train_check_task_weights(const train_config *c, const nn_arch *a) {
    if (!c->task_weights) return 1;
    if (strcmp(c->loss, "coral")) {
        cli_error(CMD, "--task-weights weighs the tasks of --loss coral, not %s", c->loss);
        return 0;
    }
    if (!strcmp(c->task_weights, "auto")) return 1;
    int K = a->sizes[a->n_sizes - 1];
    double *w = malloc((size_t)K * sizeof *w);
    if (!w) {
        cli_error(CMD, "out of memory");
        return 0;
    }
    int ok = parse_weights(c->task_weights, K, w);
    free(w);
    return ok;
}

int train_task_weights(const train_config *c, const nn_dataset *train, nn_arch *a, double **wp) {
    if (!c->task_weights) return 1;
    int K = a->sizes[a->n_sizes - 1];
    nn_error err;
    double *w = *wp = malloc((size_t)K * sizeof *w); /* K − 1, and one more to count extras */
    if (!w) {
        cli_error(CMD, "out of memory");
        return 0;
    }
    if (!strcmp(c->task_weights, "auto")) {
        if (nn_coral_task_weights(w, train->labels, train->n, K, &err)) {
            cli_error(CMD, "--task-weights auto: %s", err.msg);
            return 0;
        }
    } else if (!parse_weights(c->task_weights, K, w)) {
        return 0;
    }
    a->task_weights = w;
    return 1;
}
