/* fashion_mnist.c — the default model, end to end.
 *
 *   x (B, 784) → dense 256 → relu → dense 128 → relu → dense 10 → softmax
 *              → cross-entropy with the labels
 *
 * trained with SGD + momentum on Fashion-MNIST's 60000 training images and
 * evaluated on its 10000 test images after each epoch.
 *
 * Usage: fashion_mnist [DATA_DIR] [EPOCHS]
 *   DATA_DIR defaults to /usr/share/datasets/fashion-mnist (Debian's
 *   dataset-fashion-mnist package).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nn/nn.h"

/* Progress within an epoch, redrawn in place while stdout is a terminal:
 * the trainer calls this after every step. */
static void show_progress(const nn_step_info *s, void *user) {
    (void)user;
    if (s->step % 64 != 0 && s->step != s->n_steps) return;
    printf("\repoch %3d  %5.1f%%  loss %.4f", s->epoch, 100.0 * s->step / s->n_steps, s->loss);
    fflush(stdout);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
    int epochs = argc > 2 ? atoi(argv[2]) : 10;
    if (argc > 3 || epochs < 1) {
        fprintf(stderr, "usage: fashion_mnist [DATA_DIR] [EPOCHS >= 1]\n");
        return 2;
    }
    nn_error err;
    char images[1024], labels[1024];

    /* 1. Data: gzipped IDX files, kept as bytes and scaled when batched. */
    nn_dataset train, test;
    snprintf(images, sizeof images, "%s/train-images-idx3-ubyte.gz", dir);
    snprintf(labels, sizeof labels, "%s/train-labels-idx1-ubyte.gz", dir);
    if (nn_load_idx(&train, images, labels, &err)) goto fail_data;
    snprintf(images, sizeof images, "%s/t10k-images-idx3-ubyte.gz", dir);
    snprintf(labels, sizeof labels, "%s/t10k-labels-idx1-ubyte.gz", dir);
    if (nn_load_idx(&test, images, labels, &err)) {
        nn_dataset_free(&train);
        goto fail_data;
    }
    printf("Fashion-MNIST: %d training and %d test images of %d pixels, %d classes\n",
           train.n, test.n, train.n_features, train.n_classes);

    /* 2. The network, as a graph of nodes in creation order. */
    const int batch = 64;
    nn_graph *g = nn_graph_create(batch);
    int x = nn_input(g, 784);                               /* (B, 784) */
    int y = nn_labels(g, 10);                               /* (B) */
    int h1 = nn_relu(g, nn_dense(g, x, 256, NN_INIT_HE));   /* (B, 256) */
    int h2 = nn_relu(g, nn_dense(g, h1, 128, NN_INIT_HE));  /* (B, 128) */
    int z = nn_dense(g, h2, 10, NN_INIT_XAVIER);            /* (B, 10) logits */
    int p = nn_softmax(g, z, 1.0);                          /* (B, 10) */
    nn_loss_options lo = nn_loss_defaults();                /* mean over the batch */
    nn_cross_entropy(g, p, y, &lo);
    if (nn_graph_compile(g, 1, &err)) goto fail;
    printf("network 784-256-128-10, %zu parameters\n", nn_graph_n_params(g));

    /* 3. Optimizer and trainer: shuffled mini-batches of 64, one epoch per
     * call, so this loop prints, evaluates and schedules as it likes. */
    const double lr0 = 0.05;
    nn_optimizer *opt = nn_optimizer_create(
        g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = lr0, .momentum = 0.9}, &err);
    if (!opt) goto fail;
    nn_train_nodes nodes = {.x = x, .labels = y, .probs = p};
    nn_trainer_options to = {.batch = batch, .seed = 1,
                             .on_step = isatty(STDOUT_FILENO) ? show_progress : NULL};
    nn_trainer *t = nn_trainer_create(g, opt, &nodes, &train, &to, &err);
    nn_status st = t ? NN_OK : err.code;
    nn_eval_stats v = {.accuracy = NAN};
    for (int e = 1; !st && e <= epochs; e++) {
        nn_epoch_stats s;
        if ((st = nn_trainer_epoch(t, &s, &err)) || (st = nn_trainer_evaluate(t, &test, &v, &err)))
            break;
        if (to.on_step) printf("\r\033[K"); /* erase the progress line */
        printf("epoch %3d  loss %.4f  train acc %.4f  test acc %.4f  (%.2f s)\n", s.epoch, s.loss,
               s.train_acc, v.accuracy, s.seconds);
        fflush(stdout);
        /* Cosine learning-rate decay: lr(e) = lr0 · ½ (1 + cos(π e / E)).
         * Large steps early, small steps late, so the last epochs settle
         * instead of bouncing around the minimum. */
        nn_optimizer_set_lr(opt, lr0 * 0.5 * (1 + cos(3.14159265358979323846 * e / epochs)));
    }
    nn_trainer_free(t);
    nn_optimizer_free(opt);
    if (st) goto fail;
    printf("final test accuracy %.2f%%\n", 100 * v.accuracy);

    nn_graph_free(g);
    nn_dataset_free(&train);
    nn_dataset_free(&test);
    return 0;

fail:
    nn_graph_free(g);
    nn_dataset_free(&train);
    nn_dataset_free(&test);
fail_data:
    fprintf(stderr, "fashion_mnist: %s\n", err.msg);
    return 1;
}
