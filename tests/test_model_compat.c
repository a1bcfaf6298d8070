/* test_model_compat.c — files written before the loss registry still load:
 * the model files and checkpoints in tests/data/legacy (see its README) come
 * back with their loss settings and give the probabilities the build that
 * wrote them gave; a checkpoint resumes from the command line. */
#include <sys/wait.h>

#include "testutil.h"
#include "tmpfiles.h"

/* Three fixed input rows (already standardised: the graph's input). */
static const double rows[3][3] = {{0.5, -1, 0.25}, {-1.5, 0.75, 2}, {0, 0, 0}};

typedef struct {
    const char *file, *loss, *activation;
    nn_grad_mode grad;
    double temperature, alpha, lambda1, lambda2, sigma, sord_scale;
    double probs[3][3]; /* (3 rows, K = 3), printed by the writing build */
} legacy_file;

static const legacy_file files[] = {
    {"data/legacy/ce.safetensors", "ce", "relu", NN_GRAD_SIMPLIFIED, 4, 0.5, 0.2, 0.05, 1, 1,
     {{0.292959899, 0.615243912, 0.091796197},
      {0.6819821, 0.292125553, 0.0258923508},
      {0.647130549, 0.321525633, 0.0313438103}}},
    {"data/legacy/sord.safetensors", "sord", "relu", NN_GRAD_SIMPLIFIED, 4, 0.5, 0.2, 0.05, 1, 2.5,
     {{0.503378153, 0.440285772, 0.05633609},
      {0.65380013, 0.318612874, 0.0275869947},
      {0.65380013, 0.318612874, 0.0275869947}}},
    {"data/legacy/distill.safetensors", "distill", "relu", NN_GRAD_JACOBIAN, 3, 0.7, 0.2, 0.05, 1, 1,
     {{0.596018314, 0.375720322, 0.0282613318},
      {0.649477839, 0.327911228, 0.0226109419},
      {0.68422842, 0.298022777, 0.0177488048}}},
    {"data/legacy/mv.safetensors", "mean-variance", "tanh", NN_GRAD_SIMPLIFIED, 4, 0.5, 0.3, 0.01, 1, 1,
     {{0.0785819292, 0.59694612, 0.324471951},
      {0.936458647, 0.0621573962, 0.00138392649},
      {0.209048301, 0.600060225, 0.190891474}}},
    {"data/legacy/sord.ckpt", "sord", "relu", NN_GRAD_SIMPLIFIED, 4, 0.5, 0.2, 0.05, 1, 2.5,
     {{0.503378153, 0.440285772, 0.05633609},
      {0.65380013, 0.318612874, 0.0275869947},
      {0.65380013, 0.318612874, 0.0275869947}}},
    {"data/legacy/distill.ckpt", "distill", "relu", NN_GRAD_JACOBIAN, 3, 0.7, 0.2, 0.05, 1, 1,
     {{0.596018314, 0.375720322, 0.0282613318},
      {0.649477839, 0.327911228, 0.0226109419},
      {0.68422842, 0.298022777, 0.0177488048}}},
};

static void check_settings(const nn_arch *a, const legacy_file *f) {
    char sizes[64];
    nn_arch_format_sizes(a, sizes, sizeof sizes);
    ck_assert_str_eq(sizes, "3-4-3");
    ck_assert_str_eq(a->loss, f->loss);
    ck_assert_str_eq(a->activation, f->activation);
    ck_assert_int_eq(a->grad, f->grad);
    ck_assert_double_eq(a->temperature, f->temperature);
    ck_assert_double_eq(a->alpha, f->alpha);
    ck_assert_double_eq(a->lambda1, f->lambda1);
    ck_assert_double_eq(a->lambda2, f->lambda2);
    ck_assert_double_eq(a->sigma, f->sigma);
    ck_assert_double_eq(a->sord_scale, f->sord_scale);
}

static void check_probs(nn_model *m, const legacy_file *f) {
    nn_real *x = nn_input_data(m->g, m->x); /* (3, 3) */
    for (int i = 0; i < 9; i++) x[i] = (nn_real)rows[i / 3][i % 3];
    nn_graph_forward(m->g, 3);
    const nn_real *p = nn_output(m->g, m->probs); /* (3, 3) */
    for (int i = 0; i < 9; i++) ck_assert_close(p[i], f->probs[i / 3][i % 3], 1e-6, 1e-5);
}

START_TEST(test_legacy_files_load) {
    const legacy_file *f = &files[_i];
    for (int with_loss = 0; with_loss <= 1; with_loss++) {
        nn_model m;
        nn_error err;
        ck_assert_msg(nn_model_load(&m, f->file, 3, with_loss, &err) == NN_OK, "%s: %s", f->file, err.msg);
        check_settings(&m.arch, f);
        check_probs(&m, f);
        ck_assert_int_eq(m.loss >= 0, with_loss);
        if (strcmp(f->loss, "sord") == 0) { /* the values came back too */
            ck_assert_ptr_nonnull(m.data.values);
            ck_assert_double_eq(m.data.values[2], 4);
        }
        nn_model_free(&m);
    }
}
END_TEST

/* nn_checkpoint_load restores the weights and the epoch into a model built
 * from the same architecture. */
START_TEST(test_legacy_checkpoint_restores) {
    const legacy_file *f = &files[4 + _i];
    nn_model file, m;
    nn_error err;
    ck_assert_msg(nn_model_load(&file, f->file, 3, 0, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(nn_model_build(&m, &file.arch, &file.data, 3, 1, 99, &err), NN_OK);
    nn_model_free(&file);
    nn_optimizer_options oo = nn_optimizer_defaults(NN_OPT_SGD, 0.3);
    oo.momentum = 0.9;
    nn_optimizer *opt = nn_optimizer_create(m.g, &oo, &err);
    ck_assert_ptr_nonnull(opt);
    nn_checkpoint_info c = {0};
    ck_assert_msg(nn_checkpoint_load(&m, opt, &c, f->file, &err) == NN_OK, "%s", err.msg);
    ck_assert_int_eq(c.epoch, 4);
    ck_assert_ptr_nonnull(strstr(c.run, "\nloss="));
    check_probs(&m, f);
    nn_optimizer_free(opt);
    nn_model_free(&m);
}
END_TEST

/* `nn train --resume` accepts a checkpoint written before the registry: the
 * run description it stored still matches the same options. */
START_TEST(test_legacy_checkpoint_resumes) {
    static const char *const options[] = {
        "--loss sord --sord-scale 2.5 --values 1,2,4 --checkpoint sord.ckpt",
        "--loss distill --teacher ce.safetensors --temperature 3 --alpha 0.7 --grad jacobian "
        "--checkpoint distill.ckpt",
    };
    char dir[64], cmd[2048], out[4096];
    tmp_dir(dir);
    snprintf(cmd, sizeof cmd, "cp data/legacy/tiny.csv data/legacy/ce.safetensors data/legacy/*.ckpt '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && OPENBLAS_NUM_THREADS=1 '%s' train --data tiny.csv --arch 3-4-3 --epochs 5 "
             "--batch 8 --lr 0.3 %s --resume 2>&1", dir, NN_CLI_BIN, options[_i]);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    tmp_remove(dir);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
    ck_assert_msg_contains(out, "resuming after epoch 4 of 5");
    ck_assert_msg_contains(out, "epoch   5/5");
}
END_TEST

Suite *test_model_compat_suite(void) {
    Suite *s = suite_create("model_compat");
    TCase *tc = tcase_create("legacy");
    tcase_add_loop_test(tc, test_legacy_files_load, 0, (int)(sizeof files / sizeof *files));
    tcase_add_loop_test(tc, test_legacy_checkpoint_restores, 0, 2);
    tcase_add_loop_test(tc, test_legacy_checkpoint_resumes, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
