/* test_train.c — nn_train end to end on a small synthetic problem: it learns,
 * it is reproducible from its seeds, and bad settings are errors.
 *
 * Data: K = 3 Gaussian blobs in F = 6 dimensions, centres 4 apart and unit
 * spread, so a linear classifier separates them almost perfectly (Bayes
 * accuracy > 99%).
 */
#include <stdlib.h>
#include <string.h>

#include "nn/graph_internal.h" /* the training flag */
#include "blobs.h"
#include "testutil.h"

enum { F = 6, K = 3, MAX_B = 16 };

static nn_dataset blobs(int n, uint64_t seed) { return test_blobs(n, F, K, seed); }

typedef struct {
    nn_graph *g;
    nn_optimizer *opt;
    nn_train_nodes nodes;
} net;

static net make_net(uint64_t init_seed) {
    net m;
    m.g = nn_graph_create(MAX_B);
    int x = nn_input(m.g, F), y = nn_labels(m.g, K);
    int h = nn_relu(m.g, nn_dense(m.g, x, 16, NN_INIT_HE));
    int p = nn_softmax(m.g, nn_dense(m.g, h, K, NN_INIT_XAVIER), 1.0);
    nn_loss_options lo = nn_loss_defaults();
    nn_cross_entropy(m.g, p, y, &lo);
    nn_error err;
    ck_assert_msg(nn_graph_compile(m.g, init_seed, &err) == NN_OK, "%s", err.msg);
    m.opt = nn_optimizer_create(
        m.g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.05, .momentum = 0.9}, &err);
    ck_assert_msg(m.opt != NULL, "%s", err.msg);
    m.nodes = (nn_train_nodes){.x = x, .labels = y, .probs = p};
    return m;
}

static void free_net(net *m) {
    nn_optimizer_free(m->opt);
    nn_graph_free(m->g);
}

typedef struct {
    int n;
    nn_epoch_stats s[32];
} history;

static void record(const nn_epoch_stats *s, void *user) {
    history *h = user;
    if (h->n < 32) h->s[h->n++] = *s;
}

START_TEST(test_learns_separable_problem) {
    nn_dataset train = blobs(400, 1), test = blobs(200, 2);
    net m = make_net(7);
    double before = nn_evaluate_accuracy(m.g, &m.nodes, &test);
    history h = {0};
    nn_train_options o = {.epochs = 8, .batch = MAX_B, .seed = 3};
    nn_error err;
    ck_assert_msg(nn_train(m.g, m.opt, &m.nodes, &train, &test, &o, record, &h, &err) == NN_OK,
                  "%s", err.msg);
    ck_assert_int_eq(h.n, 8);
    for (int e = 0; e < 8; e++) {
        ck_assert_int_eq(h.s[e].epoch, e + 1);
        ck_assert(isfinite(h.s[e].loss) && h.s[e].seconds >= 0);
        ck_assert(h.s[e].train_acc >= 0 && h.s[e].train_acc <= 1);
    }
    ck_assert_msg(h.s[7].loss < 0.5 * h.s[0].loss, "loss %g → %g", h.s[0].loss, h.s[7].loss);
    nn_graph_set_training(m.g, 0); /* evaluation keeps the caller's mode */
    double after = nn_evaluate_accuracy(m.g, &m.nodes, &test);
    ck_assert_int_eq(m.g->training, 0);
    nn_graph_set_training(m.g, 1);
    ck_assert_msg(after >= 0.97, "test accuracy %.3f (%.3f before training)", after, before);
    nn_dataset empty = test;
    empty.n = 0;
    ck_assert(isnan(nn_evaluate_accuracy(m.g, &m.nodes, &empty)));
    ck_assert_close(h.s[7].test_acc, after, 0, 0);
    ck_assert(h.s[7].train_acc >= 0.95);
    free_net(&m);
    nn_dataset_free(&train);
    nn_dataset_free(&test);
}
END_TEST

/* Same seeds → bit-identical parameters; another shuffling seed → others. */
START_TEST(test_reproducible) {
    nn_dataset train = blobs(100, 5);
    nn_real *first = NULL;
    size_t n = 0;
    for (int run = 0; run < 3; run++) {
        net m = make_net(11);
        nn_train_options o = {.epochs = 3, .batch = 12, .seed = run < 2 ? 4 : 5};
        nn_error err;
        ck_assert_msg(nn_train(m.g, m.opt, &m.nodes, &train, NULL, &o, NULL, NULL, &err) == NN_OK,
                      "%s", err.msg);
        n = nn_graph_n_params(m.g);
        if (run == 0) {
            first = malloc(n * sizeof *first);
            memcpy(first, nn_graph_params(m.g), n * sizeof *first);
        } else {
            int same = memcmp(first, nn_graph_params(m.g), n * sizeof *first) == 0;
            ck_assert_msg(same == (run == 1), "run %d: parameters %s", run,
                          same ? "identical despite another seed" : "differ with the same seeds");
        }
        free_net(&m);
    }
    free(first);
    nn_dataset_free(&train);
}
END_TEST

static void expect_train_error(net *m, const nn_dataset *train, const nn_dataset *test,
                               const nn_train_options *o, nn_status code, const char *needle) {
    nn_error err = {0};
    nn_status st = nn_train(m->g, m->opt, &m->nodes, train, test, o, NULL, NULL, &err);
    ck_assert_msg(st == code, "status %d (%s), expected %d", st, err.msg, code);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "message \"%s\" lacks \"%s\"", err.msg, needle);
}

START_TEST(test_errors) {
    nn_dataset train = blobs(40, 1);
    net m = make_net(1);
    nn_train_options o = {.epochs = 1, .batch = MAX_B, .seed = 1};

    o.batch = MAX_B + 1;
    expect_train_error(&m, &train, NULL, &o, NN_ERR_ARG, "batch 17 outside 1..16");
    o.batch = 0;
    expect_train_error(&m, &train, NULL, &o, NN_ERR_ARG, "batch 0 outside");
    o.batch = MAX_B;
    o.epochs = -1;
    expect_train_error(&m, &train, NULL, &o, NN_ERR_ARG, "epochs");
    o.epochs = 1;

    nn_dataset wide = blobs(10, 2);
    wide.n_features = F + 1; /* same buffer, read as fewer rows of F+1: only the shape matters */
    expect_train_error(&m, &wide, NULL, &o, NN_ERR_SHAPE, "training data have 7 features but the input node takes 6");
    expect_train_error(&m, &train, &wide, &o, NN_ERR_SHAPE, "test data have 7 features");
    wide.n_features = F;
    wide.n_classes = K + 2;
    expect_train_error(&m, &train, &wide, &o, NN_ERR_SHAPE, "test data have 5 classes but the network predicts 3");
    wide.n_classes = K;
    wide.labels[3] = K; /* a label the declared class count does not allow */
    expect_train_error(&m, &wide, NULL, &o, NN_ERR_ARG, "sample 3 has label 3 outside 0..2");
    nn_dataset_free(&wide);

    nn_dataset empty = {.n = 0, .n_features = F, .n_classes = K};
    expect_train_error(&m, &empty, NULL, &o, NN_ERR_ARG, "training set is empty");

    nn_train_nodes keep = m.nodes;
    m.nodes.x = m.nodes.labels;
    expect_train_error(&m, &train, NULL, &o, NN_ERR_ARG, "is not an input node");
    m.nodes = keep;
    m.nodes.labels = m.nodes.x;
    expect_train_error(&m, &train, NULL, &o, NN_ERR_ARG, "is not a labels node");
    m.nodes = keep;
    m.nodes.probs = 99;
    expect_train_error(&m, &train, NULL, &o, NN_ERR_ARG, "prediction node 99 does not exist");
    m.nodes = keep;

    o.epochs = 0; /* nothing to do, and nothing changes */
    nn_real w0 = nn_graph_params(m.g)[0];
    nn_error err;
    ck_assert_int_eq(nn_train(m.g, m.opt, &m.nodes, &train, NULL, &o, NULL, NULL, &err), NN_OK);
    ck_assert(nn_graph_params(m.g)[0] == w0);
    free_net(&m);

    nn_graph *raw = nn_graph_create(4);
    nn_input(raw, F);
    o.epochs = 1;
    ck_assert_int_eq(nn_train(raw, NULL, &keep, &train, NULL, &o, NULL, NULL, &err), NN_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "compile"));
    nn_graph_free(raw);
    nn_dataset_free(&train);
}
END_TEST

Suite *test_train_suite(void) {
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("train");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_learns_separable_problem);
    tcase_add_test(tc, test_reproducible);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}
