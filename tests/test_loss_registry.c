/* test_loss_registry.c — the loss registry (nn/model/loss_registry.c): the
 * tables are consistent, every loss builds with and without its loss, and
 * every setting survives a model file and a checkpoint at a value that is
 * not its default. A new entry is covered by these tests without edits. */
#include "testutil.h"
#include "tmpfiles.h"

static char dir[64], path[512];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

START_TEST(test_tables_consistent) {
    int n_losses = 0;
    for (int i = 0; nn_losses(i); i++, n_losses++) {
        const nn_loss_info *l = nn_losses(i);
        ck_assert_ptr_eq(nn_loss_find(l->name), l);
        ck_assert_msg(l->build && l->help && l->head, "%s: builder, help and head", l->name);
        ck_assert_msg(!(l->needs & NN_LOSS_TARGETS) == !l->targets, "%s: targets maker", l->name);
        for (int k = 0; l->settings[k]; k++)
            ck_assert_msg(nn_loss_setting_index(l->settings[k]) >= 0, "%s reads unknown setting %s",
                          l->name, l->settings[k]);
    }
    ck_assert_int_ge(n_losses, 8);
    ck_assert_ptr_null(nn_loss_find("nope"));
    nn_arch a = nn_arch_defaults();
    for (int i = 0; nn_loss_settings(i); i++) {
        const nn_loss_setting *s = nn_loss_settings(i);
        ck_assert_int_lt(i, NN_MAX_LOSS_SETTINGS);
        ck_assert_int_eq(nn_loss_setting_index(s->key), i);
        ck_assert_double_eq(a.setting[i], s->def);
        int read = 0;
        for (int k = 0; nn_losses(k); k++) read += nn_loss_reads(nn_losses(k), s->key);
        ck_assert_msg(read > 0, "no loss reads setting %s", s->key);
        nn_error err;
        ck_assert_int_eq(nn_arch_set(&a, s->key, s->def, &err), NN_OK); /* defaults in range */
        ck_assert_int_eq(nn_arch_set(&a, s->key, s->max * 2 + 1, &err), NN_ERR_ARG);
        ck_assert_msg_contains(err.msg, s->key);
        ck_assert_int_eq(nn_arch_set(&a, s->key, s->min_open ? s->min : s->min - 1, &err), NN_ERR_ARG);
    }
    nn_error err;
    ck_assert_int_eq(nn_arch_set(&a, "temprature", 2, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "no loss has a setting 'temprature'");
}
END_TEST

/* The names of nn_arch alias the registry's slots. */
START_TEST(test_named_settings_alias_slots) {
    nn_arch a = nn_arch_defaults();
    nn_error err;
    ck_assert_double_eq(a.temperature, 4); /* the one default, also the CLI's */
    ck_assert_int_eq(nn_arch_set(&a, "temperature", 2.5, &err), NN_OK);
    ck_assert_int_eq(nn_arch_set(&a, "alpha", 0.25, &err), NN_OK);
    ck_assert_int_eq(nn_arch_set(&a, "lambda1", 0.125, &err), NN_OK);
    ck_assert_int_eq(nn_arch_set(&a, "lambda2", 0.0625, &err), NN_OK);
    ck_assert_int_eq(nn_arch_set(&a, "sigma", 3, &err), NN_OK);
    ck_assert_int_eq(nn_arch_set(&a, "sord_scale", 7, &err), NN_OK);
    ck_assert_double_eq(a.temperature, 2.5);
    ck_assert_double_eq(a.alpha, 0.25);
    ck_assert_double_eq(a.lambda1, 0.125);
    ck_assert_double_eq(a.lambda2, 0.0625);
    ck_assert_double_eq(a.sigma, 3);
    ck_assert_double_eq(a.sord_scale, 7);
}
END_TEST

/* A value in range but not the default: the midpoint of a finite range; for
 * a choice, the next one. */
static double off_default(const nn_loss_setting *s) {
    if (s->choices) return nn_loss_setting_choice_name(s, s->def + 1) ? s->def + 1 : 0;
    double v = s->def * 0.5 + (s->min + (s->max < 10 ? s->max : 10)) * 0.25;
    return v == s->def ? v + 0.125 : v;
}

/* Entry _i builds, with and without its loss; its settings go through a model
 * file and a checkpoint; a loaded model predicts what the saved one did. */
START_TEST(test_every_loss_builds_saves_loads) {
    const nn_loss_info *l = nn_losses(_i);
    nn_error err;
    nn_arch a = nn_arch_defaults();
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "3-4-3", &err), NN_OK);
    strcpy(a.loss, l->name);
    for (int k = 0; l->settings[k]; k++) {
        const nn_loss_setting *s = nn_loss_settings(nn_loss_setting_index(l->settings[k]));
        ck_assert_int_eq(nn_arch_set(&a, s->key, off_default(s), &err), NN_OK);
    }
    nn_model m, back, inference;
    ck_assert_msg(nn_model_build(&m, &a, NULL, 2, 1, 5, &err) == NN_OK, "%s: %s", l->name, err.msg);
    ck_assert_int_ge(m.loss, 0);
    ck_assert_int_eq(m.targets >= 0, (l->needs & (NN_LOSS_TEACHER | NN_LOSS_TARGETS)) != 0);
    ck_assert_int_eq(nn_node_width(m.g, m.probs), 3);
    ck_assert_int_eq(nn_model_build(&inference, &a, NULL, 2, 0, 5, &err), NN_OK);
    ck_assert_int_eq(inference.loss, -1);
    ck_assert_int_eq(nn_graph_n_params(inference.g), nn_graph_n_params(m.g));
    ck_assert_int_eq(nn_model_save(&m, tmp_path(path, dir, "m.st"), &err), NN_OK);
    ck_assert_msg(nn_model_load(&back, path, 2, 1, &err) == NN_OK, "%s: %s", l->name, err.msg);
    ck_assert_str_eq(back.arch.loss, l->name);
    for (int k = 0; l->settings[k]; k++) {
        int s = nn_loss_setting_index(l->settings[k]);
        ck_assert_double_eq(back.arch.setting[s], a.setting[s]);
    }
    nn_real x[6] = {0.5, -1, 2, 1, 0, -0.5};
    memcpy(nn_input_data(m.g, m.x), x, sizeof x);
    memcpy(nn_input_data(back.g, back.x), x, sizeof x);
    nn_graph_forward(m.g, 2);
    nn_graph_forward(back.g, 2);
    ck_assert_mem_eq(nn_output(m.g, m.probs), nn_output(back.g, back.probs), 6 * sizeof(nn_real));
    /* a checkpoint of another setting value is refused, naming the setting */
    nn_optimizer *opt = nn_optimizer_create(m.g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.1}, &err);
    nn_checkpoint_info c = {.epoch = 1};
    nn_rng_seed(&c.rng, 1);
    ck_assert_int_eq(nn_checkpoint_save(&m, opt, &c, tmp_path(path, dir, "c.ckpt"), &err), NN_OK);
    ck_assert_msg(nn_checkpoint_load(&m, opt, &c, path, &err) == NN_OK, "%s", err.msg);
    if (l->settings[0]) {
        int s = nn_loss_setting_index(l->settings[0]);
        nn_model other;
        nn_arch b = a;
        b.setting[s] = nn_loss_settings(s)->def;
        ck_assert_int_eq(nn_model_build(&other, &b, NULL, 2, 1, 5, &err), NN_OK);
        nn_optimizer *o2 = nn_optimizer_create(other.g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.1}, &err);
        ck_assert_int_eq(nn_checkpoint_load(&other, o2, &c, path, &err), NN_ERR_ARG);
        ck_assert_msg_contains(err.msg, l->settings[0]);
        nn_optimizer_free(o2);
        nn_model_free(&other);
    }
    nn_optimizer_free(opt);
    nn_model_free(&m);
    nn_model_free(&back);
    nn_model_free(&inference);
}
END_TEST

/* nn_model_build checks the settings its loss reads. */
START_TEST(test_build_checks_settings) {
    nn_error err;
    nn_arch a = nn_arch_defaults();
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "3-3", &err), NN_OK);
    strcpy(a.loss, "sord");
    a.sord_scale = 0;
    nn_model m;
    ck_assert_int_eq(nn_model_build(&m, &a, NULL, 2, 1, 1, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "loss sord: loss setting sord_scale = 0 is not in (0, 1e+09]");
    strcpy(a.loss, "ce"); /* a setting ce does not read is not its business */
    ck_assert_int_eq(nn_model_build(&m, &a, NULL, 2, 1, 1, &err), NN_OK);
    nn_model_free(&m);
}
END_TEST

/* A choice setting (clm's link) takes only the indices of its names, is
 * written by name in the model file, and a name nn does not know is refused
 * by the loader in one line. */
START_TEST(test_choice_setting) {
    int i = nn_loss_setting_index("link");
    ck_assert_int_ge(i, 0);
    const nn_loss_setting *s = nn_loss_settings(i);
    ck_assert_int_eq(nn_loss_setting_choice(s, "logit"), NN_LINK_LOGIT);
    ck_assert_int_eq(nn_loss_setting_choice(s, "probit"), NN_LINK_PROBIT);
    ck_assert_int_eq(nn_loss_setting_choice(s, "Probit"), -1);
    ck_assert_int_eq(nn_loss_setting_choice(nn_loss_settings(0), "logit"), -1); /* a number */
    ck_assert_str_eq(nn_loss_setting_choice_name(s, 1), "probit");
    ck_assert_ptr_null(nn_loss_setting_choice_name(s, 0.5));
    nn_arch a = nn_arch_defaults();
    nn_error err;
    ck_assert_double_eq(a.setting[i], NN_LINK_LOGIT);
    ck_assert_int_eq(nn_arch_set(&a, "link", 0.5, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "loss setting link = 0.5 is not one of 0 (logit), 1 (probit)");
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "2-3-4", &err), NN_OK);
    strcpy(a.loss, "clm");
    ck_assert_int_eq(nn_arch_set(&a, "link", NN_LINK_PROBIT, &err), NN_OK);
    nn_model m;
    ck_assert_int_eq(nn_model_build(&m, &a, NULL, 2, 0, 1, &err), NN_OK);
    ck_assert_int_eq(nn_ordinal_probs_kind(m.g, m.probs), NN_ORDINAL_PROBIT);
    ck_assert_int_eq(nn_model_save(&m, tmp_path(path, dir, "p.st"), &err), NN_OK);
    nn_model_free(&m);
    static char buf[1 << 14];
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char *at = NULL;
    for (size_t k = 0; k + 15 < n && !at; k++)
        if (memcmp(buf + k, "\"link\":\"probit\"", 15) == 0) at = buf + k;
    ck_assert_msg(at != NULL, "the model file does not name its link");
    memcpy(at + 8, "cauchy", 6); /* an unknown link, same length */
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
    fclose(f);
    ck_assert_int_eq(nn_model_load(&m, path, 2, 0, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "__metadata__ 'link' = 'cauchy' is not one of logit, probit");
    ck_assert_ptr_null(strchr(err.msg, '\n'));
}
END_TEST

Suite *test_loss_registry_suite(void) {
    Suite *s = suite_create("loss_registry");
    TCase *tc = tcase_create("registry");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_tables_consistent);
    tcase_add_test(tc, test_named_settings_alias_slots);
    int n = 0;
    while (nn_losses(n)) n++;
    tcase_add_loop_test(tc, test_every_loss_builds_saves_loads, 0, n);
    tcase_add_test(tc, test_build_checks_settings);
    tcase_add_test(tc, test_choice_setting);
    suite_add_tcase(s, tc);
    return s;
}
