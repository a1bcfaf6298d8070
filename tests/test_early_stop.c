/* test_early_stop.c — the best epoch of a monitored metric (nn_early_stop):
 * Keras's EarlyStopping rules (first finite value improves, min_delta in the
 * metric's direction, NaN never improves, patience), restore_best, the state
 * in a checkpoint, and `nn train --patience --restore-best` interrupted and
 * resumed ending exactly like the run that was not. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char dir[64], path[512];
#include "cli_run.h"

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* A compiled 3-4-2 graph whose parameters the tests overwrite. */
static nn_graph *small_graph(void) {
    nn_graph *g = nn_graph_create(4);
    int x = nn_input(g, 3); /* (B, 3) */
    nn_dense(g, nn_relu(g, nn_dense(g, x, 4, NN_INIT_HE)), 2, NN_INIT_XAVIER); /* (B, 2) */
    nn_error err;
    ck_assert_int_eq(nn_graph_compile(g, 1, &err), NN_OK);
    return g;
}

static nn_early_stop *make(const nn_graph *g, nn_monitor m, int patience, double min_delta, int restore) {
    nn_error err;
    nn_early_stop_options o = {.monitor = m, .patience = patience, .min_delta = min_delta, .restore_best = restore};
    nn_early_stop *s = nn_early_stop_create(g, &o, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    return s;
}

static int update_loss(nn_early_stop *s, const nn_graph *g, int e, double loss) {
    nn_eval_stats v = {.loss = loss, .accuracy = NAN, .mae = NAN, .qwk = NAN};
    return nn_early_stop_update(s, g, e, &v);
}

START_TEST(test_monitor_names) {
    for (int m = NN_MONITOR_VAL_LOSS; m <= NN_MONITOR_VAL_QWK; m++)
        ck_assert_int_eq(nn_monitor_parse(nn_monitor_name((nn_monitor)m)), m);
    ck_assert_int_eq(nn_monitor_parse("val_accuracy"), -1);
    ck_assert_int_eq(nn_monitor_parse(NULL), -1);
    ck_assert(!nn_monitor_larger_is_better(NN_MONITOR_VAL_LOSS) && !nn_monitor_larger_is_better(NN_MONITOR_VAL_MAE));
    ck_assert(nn_monitor_larger_is_better(NN_MONITOR_VAL_ACC) && nn_monitor_larger_is_better(NN_MONITOR_VAL_QWK));
    nn_eval_stats v = {.loss = 1, .accuracy = 2, .mae = 3, .qwk = 4};
    for (int m = NN_MONITOR_VAL_LOSS; m <= NN_MONITOR_VAL_QWK; m++)
        ck_assert_double_eq(nn_monitor_value((nn_monitor)m, &v), m + 1);
}
END_TEST

/* val_loss 1.0, 0.95, 0.9, 0.899, NaN, 0.5 with min_delta 0.02: epochs 1, 2
 * and 3 improve (by 0.05 each), 0.899 is within min_delta of 0.9 and NaN is
 * never better, so patience 2 says stop after epoch 5; 0.5 would improve. */
START_TEST(test_min_delta_nan_and_patience) {
    nn_graph *g = small_graph();
    nn_early_stop *s = make(g, NN_MONITOR_VAL_LOSS, 2, 0.02, 0);
    nn_early_stop_state st = nn_early_stop_get(s);
    ck_assert_int_eq(st.epoch, 0);
    ck_assert(isnan(st.value));
    const double loss[] = {1.0, 0.95, 0.9, 0.899, NAN};
    const int better[] = {1, 1, 1, 0, 0}, stop[] = {0, 0, 0, 0, 1};
    for (int e = 1; e <= 5; e++) {
        ck_assert_int_eq(update_loss(s, g, e, loss[e - 1]), better[e - 1]);
        ck_assert_int_eq(nn_early_stop_should_stop(s), stop[e - 1]);
    }
    st = nn_early_stop_get(s);
    ck_assert_int_eq(st.epoch, 3);
    ck_assert_double_eq(st.value, 0.9);
    ck_assert_int_eq(st.bad, 2);
    ck_assert_int_eq(st.last, 5);
    ck_assert_int_eq(update_loss(s, g, 6, 0.5), 1);
    ck_assert(!nn_early_stop_should_stop(s));
    nn_early_stop_free(s);
    /* a NaN first epoch is not a best one; patience 0 never stops */
    s = make(g, NN_MONITOR_VAL_LOSS, 0, 0, 0);
    ck_assert_int_eq(update_loss(s, g, 1, NAN), 0);
    ck_assert_int_eq(nn_early_stop_get(s).epoch, 0);
    for (int e = 2; e < 50; e++) update_loss(s, g, e, 1);
    ck_assert(!nn_early_stop_should_stop(s));
    ck_assert_int_eq(nn_early_stop_get(s).epoch, 2);
    nn_early_stop_free(s);
    nn_graph_free(g);
}
END_TEST

/* Higher is better for accuracy: equal is not an improvement (Keras). */
START_TEST(test_accuracy_direction) {
    nn_graph *g = small_graph();
    nn_early_stop *s = make(g, NN_MONITOR_VAL_ACC, 1, 0, 0);
    const double acc[] = {0.5, 0.7, 0.7, 0.6};
    const int better[] = {1, 1, 0, 0};
    for (int e = 1; e <= 4; e++) {
        nn_eval_stats v = {.loss = 100.0 - e, .accuracy = acc[e - 1]};
        ck_assert_int_eq(nn_early_stop_update(s, g, e, &v), better[e - 1]);
    }
    ck_assert_int_eq(nn_early_stop_get(s).epoch, 2);
    ck_assert(nn_early_stop_should_stop(s));
    nn_early_stop_free(s);
    nn_graph_free(g);
}
END_TEST

static void fill(nn_graph *g, double v) {
    nn_real *p = nn_graph_params(g);
    for (size_t i = 0; i < nn_graph_n_params(g); i++) p[i] = (nn_real)(v + 0.001 * (double)i);
}

/* restore_best keeps the parameters of the best epoch, not of the last. */
START_TEST(test_restore_best_weights) {
    nn_graph *g = small_graph();
    nn_error err;
    nn_early_stop *plain = make(g, NN_MONITOR_VAL_LOSS, 0, 0, 0);
    ck_assert_ptr_null(nn_early_stop_params(plain));
    ck_assert_int_eq(nn_early_stop_restore(plain, g, &err), NN_ERR_ARG);
    nn_early_stop_free(plain);
    nn_early_stop *s = make(g, NN_MONITOR_VAL_LOSS, 0, 0, 1);
    ck_assert_int_eq(nn_early_stop_restore(s, g, &err), NN_ERR_ARG); /* no best epoch yet */
    ck_assert_msg(strstr(err.msg, "no epoch had a finite val_loss"), "%s", err.msg);
    const double loss[] = {3, 1, 2, 4};
    for (int e = 1; e <= 4; e++) {
        fill(g, e);
        update_loss(s, g, e, loss[e - 1]);
    }
    ck_assert_int_eq(nn_early_stop_restore(s, g, &err), NN_OK);
    ck_assert(nn_graph_params(g)[0] == (nn_real)(2));
    ck_assert(nn_graph_params(g)[5] == (nn_real)(2 + 0.005));
    nn_early_stop_free(s);
    nn_graph_free(g);
}
END_TEST

START_TEST(test_bad_options_and_states) {
    nn_graph *g = small_graph();
    nn_error err;
    nn_early_stop_options bad[] = {{.monitor = (nn_monitor)7}, {.patience = -1}, {.min_delta = -0.1},
                                   {.min_delta = NAN}, {.min_delta = INFINITY}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_ptr_null(nn_early_stop_create(g, &bad[i], &err));
        ck_assert_int_eq(err.code, NN_ERR_ARG);
    }
    nn_early_stop *s = make(g, NN_MONITOR_VAL_LOSS, 3, 0, 1);
    nn_real p[64] = {0};
    size_t n = nn_graph_n_params(g);
    ck_assert_uint_le(n, 64);
    /* a best epoch past the last one, a NaN best value, no weights, the wrong count */
    ck_assert_int_eq(nn_early_stop_set(s, (nn_early_stop_state){.epoch = 4, .value = 1, .last = 3}, p, n, &err),
                     NN_ERR_ARG);
    ck_assert_int_eq(nn_early_stop_set(s, (nn_early_stop_state){.epoch = 2, .value = NAN, .last = 3}, p, n, &err),
                     NN_ERR_ARG);
    ck_assert_int_eq(nn_early_stop_set(s, (nn_early_stop_state){.epoch = 2, .value = 1, .last = 3}, NULL, 0, &err),
                     NN_ERR_ARG);
    ck_assert_int_eq(nn_early_stop_set(s, (nn_early_stop_state){.epoch = 2, .value = 1, .last = 3}, p, n - 1, &err),
                     NN_ERR_ARG);
    ck_assert_int_eq(nn_early_stop_set(s, (nn_early_stop_state){.epoch = 2, .value = 1, .bad = 1, .last = 3}, p, n,
                                       &err), NN_OK);
    ck_assert_int_eq(nn_early_stop_get(s).bad, 1);
    nn_early_stop_free(s);
    nn_graph_free(g);
}
END_TEST

/* The state and the best weights travel in a checkpoint; a checkpoint
 * without them says so (found = 0); another monitor is refused. */
START_TEST(test_checkpoint_keeps_the_best) {
    nn_error err;
    nn_arch a = nn_arch_defaults();
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "3-5-4", &err), NN_OK);
    nn_model m;
    ck_assert_int_eq(nn_model_build(&m, &a, NULL, 4, 1, 5, &err), NN_OK);
    nn_optimizer_options oo = nn_optimizer_defaults(NN_OPT_SGD, 0.1);
    nn_optimizer *opt = nn_optimizer_create(m.g, &oo, &err);
    ck_assert_ptr_nonnull(opt);
    nn_early_stop *s = make(m.g, NN_MONITOR_VAL_LOSS, 3, 0, 1);
    fill(m.g, 7);
    update_loss(s, m.g, 1, 0.25);
    fill(m.g, 9);
    update_loss(s, m.g, 2, 0.5);
    nn_checkpoint_info c = {.epoch = 2, .best = s};
    nn_rng_seed(&c.rng, 1);
    ck_assert_int_eq(nn_checkpoint_save(&m, opt, &c, tmp_path(path, dir, "b.ckpt"), &err), NN_OK);
    nn_checkpoint_info plain = {.epoch = 2};
    plain.rng = c.rng;
    ck_assert_int_eq(nn_checkpoint_save(&m, opt, &plain, tmp_path(path, dir, "plain.ckpt"), &err), NN_OK);

    nn_early_stop *back = make(m.g, NN_MONITOR_VAL_LOSS, 3, 0, 1);
    int found = -1;
    ck_assert_int_eq(nn_checkpoint_best(tmp_path(path, dir, "b.ckpt"), back, &found, &err), NN_OK);
    ck_assert_int_eq(found, 1);
    nn_early_stop_state st = nn_early_stop_get(back);
    ck_assert_int_eq(st.epoch, 1);
    ck_assert_double_eq(st.value, 0.25);
    ck_assert_int_eq(st.bad, 1);
    ck_assert_int_eq(st.last, 2);
    ck_assert_int_eq(nn_early_stop_restore(back, m.g, &err), NN_OK);
    ck_assert(nn_graph_params(m.g)[0] == (nn_real)(7));
    /* the checkpoint itself still loads, with the last epoch's weights */
    nn_checkpoint_info info = {0};
    ck_assert_int_eq(nn_checkpoint_load(&m, opt, &info, tmp_path(path, dir, "b.ckpt"), &err), NN_OK);
    ck_assert(nn_graph_params(m.g)[0] == (nn_real)(9));

    ck_assert_int_eq(nn_checkpoint_best(tmp_path(path, dir, "plain.ckpt"), back, &found, &err), NN_OK);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(nn_early_stop_get(back).epoch, 1); /* left alone */
    nn_early_stop *acc = make(m.g, NN_MONITOR_VAL_ACC, 3, 0, 0);
    ck_assert_int_ne(nn_checkpoint_best(tmp_path(path, dir, "b.ckpt"), acc, &found, &err), NN_OK);
    ck_assert_msg(strstr(err.msg, "best epoch is by val_loss, this run monitors val_acc"), "%s", err.msg);
    nn_early_stop_free(acc);
    nn_early_stop_free(back);
    nn_early_stop_free(s);
    nn_optimizer_free(opt);
    nn_model_free(&m);
}
END_TEST

/* A model file says which epoch its weights are from, and by what. */
START_TEST(test_model_file_records_the_epoch) {
    nn_error err;
    nn_arch a = nn_arch_defaults();
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "3-5-4", &err), NN_OK);
    nn_model m, back;
    ck_assert_int_eq(nn_model_build(&m, &a, NULL, 4, 0, 5, &err), NN_OK);
    ck_assert_int_eq(nn_model_save(&m, tmp_path(path, dir, "none.st"), &err), NN_OK);
    ck_assert_int_eq(nn_model_load(&back, path, 4, 0, &err), NN_OK);
    ck_assert_int_eq(back.trained.epochs, 0);
    nn_model_free(&back);
    m.trained = (nn_model_training){.epochs = 9, .epoch = 4, .monitor = "val_qwk", .value = 0.75};
    ck_assert_int_eq(nn_model_save(&m, tmp_path(path, dir, "best.st"), &err), NN_OK);
    ck_assert_int_eq(nn_model_load(&back, path, 4, 0, &err), NN_OK);
    ck_assert_int_eq(back.trained.epochs, 9);
    ck_assert_int_eq(back.trained.epoch, 4);
    ck_assert_str_eq(back.trained.monitor, "val_qwk");
    ck_assert_double_eq(back.trained.value, 0.75);
    nn_model_free(&back);
    m.trained = (nn_model_training){.epochs = 3, .epoch = 5}; /* an epoch past the run is refused */
    ck_assert_int_eq(nn_model_save(&m, tmp_path(path, dir, "bad.st"), &err), NN_OK);
    ck_assert_int_eq(nn_model_load(&back, path, 4, 0, &err), NN_ERR_FORMAT);
    ck_assert_msg(strstr(err.msg, "weights_epoch") && strstr(err.msg, "bad.st"), "%s", err.msg);
    nn_model_free(&m);
}
END_TEST

/* The bytes of file `name` in the test directory (malloc'd). */
static char *slurp(const char *name, size_t *len) {
    FILE *f = fopen(tmp_path(path, dir, name), "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* A 2-class table with label noise, so that the validation loss turns. */
static void write_table(void) {
    char text[8192] = "a,b,y\n";
    nn_rng r;
    nn_rng_seed(&r, 3);
    for (int i = 0; i < 200; i++) {
        double a = 4 * nn_rng_uniform(&r) - 2, b = 4 * nn_rng_uniform(&r) - 2, noise = 1.4 * nn_rng_uniform(&r) - 0.7;
        snprintf(text + strlen(text), sizeof text - strlen(text), "%.3f,%.3f,%s\n", a, b, a + b + noise > 0 ? "hi" : "lo");
    }
    cli_write("d.csv", text);
}

#define RUN "train --data d.csv --arch 2-16-2 --batch 8 --lr 0.5 --val-fraction 0.3 --patience 2 --restore-best"

/* The best epoch and the epoch the run stopped after, from its output. */
static void stop_and_best(int *stop, int *best) {
    const char *p = strstr(cli_out, "early stop after epoch ");
    ck_assert_msg(p != NULL, "the run did not stop early: %s", cli_out);
    ck_assert_int_eq(sscanf(p, "early stop after epoch %d", stop), 1);
    p = strstr(p, "at epoch ");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(sscanf(p, "at epoch %d", best), 1);
}

/* Interrupted between the best epoch and the stop, then resumed, the run
 * stops after the same epoch and saves the same bytes as the run that was
 * not interrupted: the checkpoint kept the best weights and the count of
 * epochs without improvement. Resuming a run that already stopped trains no
 * further. The model file says which epoch it holds. */
START_TEST(test_cli_resume_keeps_the_best) {
    write_table();
    ck_assert_msg(cli_nn(RUN " --epochs 40 --save full.st") == 0, "%s", cli_out);
    int stop, best;
    stop_and_best(&stop, &best);
    ck_assert_msg(best < stop - 1, "best %d, stop %d: no epoch between them to interrupt at", best, stop);
    ck_assert_msg(cli_nn(RUN " --epochs %d --checkpoint c.ckpt", best + 1) == 0, "%s", cli_out);
    ck_assert_msg(cli_nn(RUN " --epochs 40 --checkpoint c.ckpt --resume --save part.st") == 0, "%s", cli_out);
    int stop2, best2;
    stop_and_best(&stop2, &best2);
    ck_assert_int_eq(stop2, stop);
    ck_assert_int_eq(best2, best);
    size_t na, nb;
    char *a = slurp("full.st", &na), *b = slurp("part.st", &nb);
    ck_assert_msg(na == nb && memcmp(a, b, na) == 0, "the resumed run saved other bytes");
    free(a);
    free(b);
    ck_assert_msg(cli_nn(RUN " --epochs 40 --checkpoint c.ckpt --resume --save again.st") == 0, "%s", cli_out);
    ck_assert_msg(strstr(cli_out, "the run stopped early after epoch") && !strstr(cli_out, "epoch  "), "%s",
                  cli_out);
    nn_model m;
    nn_error err;
    ck_assert_int_eq(nn_model_load(&m, tmp_path(path, dir, "again.st"), 4, 0, &err), NN_OK);
    ck_assert_int_eq(m.trained.epochs, stop);
    ck_assert_int_eq(m.trained.epoch, best);
    ck_assert_str_eq(m.trained.monitor, "val_loss");
    nn_model_free(&m);
    ck_assert_int_eq(cli_nn("eval full.st --data d.csv"), 0);
    char want[128];
    snprintf(want, sizeof want, "model: the weights of epoch %d of %d, the best by val_loss", best, stop);
    ck_assert_msg(strstr(cli_out, want), "%s", cli_out);
    /* --min-delta counts only with --patience or --restore-best */
    ck_assert_int_eq(cli_nn("train --data d.csv --arch 2-4-2 --val-fraction 0.3 --min-delta 0.1"), 2);
    ck_assert_msg(strstr(cli_out, "--min-delta"), "%s", cli_out);
}
END_TEST

Suite *test_early_stop_suite(void) {
    Suite *s = suite_create("early_stop");
    TCase *tc = tcase_create("early_stop");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_monitor_names);
    tcase_add_test(tc, test_min_delta_nan_and_patience);
    tcase_add_test(tc, test_accuracy_direction);
    tcase_add_test(tc, test_restore_best_weights);
    tcase_add_test(tc, test_bad_options_and_states);
    tcase_add_test(tc, test_checkpoint_keeps_the_best);
    tcase_add_test(tc, test_model_file_records_the_epoch);
    tcase_add_test(tc, test_cli_resume_keeps_the_best);
    suite_add_tcase(s, tc);
    return s;
}
