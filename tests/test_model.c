/* test_model.c — model files (safetensors layout), their validation, and
 * checkpoints that resume a run exactly. */
#include <dirent.h>
#include <math.h>

#include "nn/io/data_checksum.h"
#include "nn/io/json.h"
#include "nn/model/model_internal.h"
#include "testutil.h"
#include "tmpfiles.h"

static char dir[64], path[512];

static void setup(void) { tmp_dir(dir); }
static void teardown(void) { tmp_remove(dir); }

/* A 3-5-4 model with every optional description filled in. */
static void small_model(nn_model *m, int max_batch, int with_loss) {
    nn_error err;
    nn_arch a = nn_arch_defaults();
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "3-5-4", &err), NN_OK);
    nn_dataset d = {.n_features = 3, .n_classes = 4, .image_shape = {1, 3, 1}};
    double values[4] = {1, 2, 4, 8}, mean[3] = {0.5, -1, 2}, sd[3] = {1, 0.25, 3};
    char *names[4] = {"one", "two", "four", "eight \"8\""}, *features[3] = {"a", "b", "c"};
    d.values = values, d.label_names = names, d.feature_names = features;
    d.feature_mean = mean, d.feature_std = sd, d.label_column = "grade";
    ck_assert_int_eq(nn_model_build(m, &a, &d, max_batch, with_loss, 11, &err), NN_OK);
}

/* Runs rows x (B, 3) through m; copies the probabilities (B, 4) to p. */
static void predict(nn_model *m, const nn_real *x, int B, nn_real *p) {
    memcpy(nn_input_data(m->g, m->x), x, (size_t)B * 3 * sizeof *x);
    nn_graph_forward(m->g, B);
    memcpy(p, nn_output(m->g, m->probs), (size_t)B * 4 * sizeof *p);
}

START_TEST(test_round_trip_predicts_identically) {
    nn_model m, back;
    nn_error err;
    small_model(&m, 8, 1);
    nn_real x[8 * 3], p1[8 * 4], p2[8 * 4];
    fill_uniform(x, 24, -2, 2, 5);
    /* a few SGD steps so the weights are not just the initialisation */
    nn_optimizer *opt = nn_optimizer_create(m.g, &(nn_optimizer_options){.kind = NN_OPT_SGD, .lr = 0.1}, &err);
    int32_t *lab = nn_label_data(m.g, m.labels);
    for (int step = 0; step < 5; step++) {
        memcpy(nn_input_data(m.g, m.x), x, sizeof x);
        for (int b = 0; b < 8; b++) lab[b] = b % 4;
        nn_graph_zero_grad(m.g);
        nn_graph_forward(m.g, 8);
        nn_graph_backward(m.g, 8);
        nn_optimizer_step(opt);
    }
    nn_optimizer_free(opt);
    predict(&m, x, 8, p1);
    ck_assert_int_eq(nn_model_save(&m, tmp_path(path, dir, "m.safetensors"), &err), NN_OK);
    ck_assert_int_eq(nn_model_load(&back, path, 8, 0, &err), NN_OK);
    ck_assert_int_eq(back.loss, -1);
    predict(&back, x, 8, p2);
    ck_assert_mem_eq(p1, p2, sizeof p1);
    ck_assert_mem_eq(nn_graph_params(m.g), nn_graph_params(back.g), nn_graph_n_params(m.g) * sizeof(nn_real));
    ck_assert_int_eq(back.arch.n_sizes, 3);
    ck_assert_str_eq(back.arch.activation, "relu");
    ck_assert_str_eq(back.arch.loss, "ce");
    ck_assert_double_eq(back.data.values[3], 8);
    ck_assert_str_eq(back.data.label_names[3], "eight \"8\"");
    ck_assert_str_eq(back.data.feature_names[1], "b");
    ck_assert_str_eq(back.data.label_column, "grade");
    ck_assert_double_eq(back.data.feature_std[1], 0.25);
    ck_assert_int_eq(back.data.image_shape[1], 3);
    nn_model_free(&m);
    nn_model_free(&back);
}
END_TEST

/* Reads the saved file into memory. */
static char *slurp(const char *p, size_t *len) {
    FILE *f = fopen(p, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *buf = malloc(*len + 1);
    ck_assert_uint_eq(fread(buf, 1, *len, f), *len);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

START_TEST(test_file_layout_is_safetensors) {
    nn_model m;
    nn_error err;
    small_model(&m, 1, 0);
    ck_assert_int_eq(nn_model_save(&m, tmp_path(path, dir, "m.safetensors"), &err), NN_OK);
    size_t len;
    char *buf = slurp(path, &len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | (unsigned char)buf[i];
    ck_assert_uint_eq((8 + n) % 8, 0); /* data aligned */
    size_t data = sizeof(nn_real) * (5 * 3 + 5 + 4 * 5 + 4);
    ck_assert_uint_eq(8 + n + data, len);
    char why[200];
    nn_json *h = nn_json_parse(buf + 8, n, why, sizeof why);
    ck_assert_msg(h != NULL, "%s", why);
    const nn_json *w = nn_json_member(h, "dense0.weight");
    ck_assert_ptr_nonnull(w);
    ck_assert_str_eq(nn_json_member(w, "dtype")->str, sizeof(nn_real) == 4 ? "F32" : "F64");
    const nn_json *shape = nn_json_member(w, "shape");
    ck_assert_int_eq(shape->n_children, 2);
    ck_assert_uint_eq(shape->child->uint, 5);
    ck_assert_uint_eq(shape->child->next->uint, 3);
    const nn_json *meta = nn_json_member(h, "__metadata__");
    ck_assert_str_eq(nn_json_member(meta, "arch")->str, "3-5-4");
    ck_assert_str_eq(nn_json_member(meta, "values")->str, "[1,2,4,8]");
    /* the raw bytes of dense0.weight are the parameters, little-endian */
    const nn_json *off = nn_json_member(w, "data_offsets");
    const unsigned char *raw = (const unsigned char *)buf + 8 + n + off->child->uint;
    nn_real first;
    unsigned char le[sizeof first];
    memcpy(&first, nn_graph_params(m.g), sizeof first);
    memcpy(le, &first, sizeof first);
    ck_assert_mem_eq(raw, le, sizeof first); /* the test machine is little-endian */
    nn_json_free(h);
    free(buf);
    nn_model_free(&m);
}
END_TEST

/* Writes bytes to a fresh file and tries to load it. */
static nn_status load_bytes(const char *bytes, size_t len, nn_error *err) {
    tmp_write(tmp_path(path, dir, "bad.safetensors"), bytes, len);
    nn_model m;
    nn_status st = nn_model_load(&m, path, 4, 0, err);
    if (st == NN_OK) nn_model_free(&m);
    return st;
}

START_TEST(test_every_truncation_fails_cleanly) {
    nn_model m;
    nn_error err;
    small_model(&m, 1, 0);
    char good[512];
    ck_assert_int_eq(nn_model_save(&m, tmp_path(good, dir, "m.safetensors"), &err), NN_OK);
    nn_model_free(&m);
    size_t len;
    char *buf = slurp(good, &len);
    int too_short = 0, lying = 0, other = 0;
    for (size_t cut = 0; cut < len; cut++) {
        nn_status st = load_bytes(buf, cut, &err);
        ck_assert_msg(st == NN_ERR_FORMAT, "truncated at %zu: status %d (%s)", cut, st, err.msg);
        ck_assert_msg_contains(err.msg, "bad.safetensors: ");
        if (strstr(err.msg, "too short")) too_short++;
        else if (strstr(err.msg, "header length field says")) lying++;
        else other++;
    }
    ck_assert_int_eq(too_short, 8);          /* cuts inside the length field */
    ck_assert_int_gt(lying, 100);            /* cuts inside the header */
    ck_assert_int_gt(other, 0);              /* cuts inside the data */
    ck_assert_int_eq(load_bytes(buf, len, &err), NN_OK);
    free(buf);
}
END_TEST

/* The saved file of the small model, as text we can edit. */
static char *saved_model(size_t *len, uint64_t *header_len) {
    nn_model m;
    nn_error err;
    small_model(&m, 1, 0);
    char good[512];
    ck_assert_int_eq(nn_model_save(&m, tmp_path(good, dir, "m.safetensors"), &err), NN_OK);
    nn_model_free(&m);
    char *buf = slurp(good, len);
    *header_len = 0;
    for (int i = 7; i >= 0; i--) *header_len = *header_len << 8 | (unsigned char)buf[i];
    return buf;
}

static void set_length(char *buf, uint64_t n) {
    for (int i = 0; i < 8; i++) buf[i] = (char)(n >> (8 * i));
}

/* Replaces the first `from` in the header by `to` (same length). */
static void patch(char *buf, const char *from, const char *to) {
    char *at = strstr(buf + 8, from);
    ck_assert_msg(at != NULL, "'%s' not in the header", from);
    ck_assert_uint_eq(strlen(from), strlen(to));
    memcpy(at, to, strlen(to));
}

START_TEST(test_header_lying_about_its_size) {
    size_t len;
    uint64_t n;
    char *buf = saved_model(&len, &n);
    nn_error err;
    set_length(buf, n + 1000);
    ck_assert_int_eq(load_bytes(buf, len, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "the header length field says");
    set_length(buf, UINT64_MAX);
    ck_assert_int_eq(load_bytes(buf, len, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "the header length field says");
    set_length(buf, n - 9); /* cuts the JSON short */
    ck_assert_int_eq(load_bytes(buf, len, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "the header is not valid JSON");
    set_length(buf, n + 8); /* takes data bytes into the header */
    ck_assert_int_eq(load_bytes(buf, len, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "not valid JSON");
    free(buf);
}
END_TEST

START_TEST(test_corrupted_headers) {
    size_t len;
    uint64_t n;
    nn_error err;
    char *buf = saved_model(&len, &n);
    char *copy = malloc(len + 1);
    struct {
        const char *from, *to, *message;
        nn_status code;
    } cases[] = {
        {"\"F", "\"I", "has dtype 'I", NN_ERR_FORMAT},
        {"\"shape\":[5,3]", "\"shape\":[5,2]", "data bytes, but its shape needs", NN_ERR_FORMAT},
        {"\"shape\":[5,3]", "\"shape\":[3,5]", "has shape [3, 5], the architecture needs [5, 3]", NN_ERR_SHAPE},
        {"\"arch\":\"3-5-4\"", "\"arch\":\"3-6-4\"", "tensor 'dense0.weight' has shape [5, 3]", NN_ERR_SHAPE},
        {"\"arch\":\"3-5-4\"", "\"arch\":\"3-5-x\"", "expected widths", NN_ERR_FORMAT},
        {"dense1.bias", "dense7.bias", "tensor 'dense1.bias' is missing", NN_ERR_FORMAT},
        {"\"format\"", "\"f0rmat\"", "not an nn model file", NN_ERR_FORMAT},
        {"\"activation\":\"relu\"", "\"activation\":\"relx\"", "unknown activation 'relx'", NN_ERR_FORMAT},
        {"\"values\":\"[1,2,4,8]\"", "\"values\":\"[1,2,4,4]\"", "category values must increase: 4 follows 4", NN_ERR_ARG},
        {"\"values\":\"[1,2,4,8]\"", "\"values\":\"[1,2,4]  \"", "is not a list of 4 numbers", NN_ERR_FORMAT},
        {"\"feature_std\":\"[1,", "\"feature_std\":\"[0,", "feature_std[0] = 0 is not positive", NN_ERR_FORMAT},
        {"\"label_column\":\"grade\"", "\"alpha\":\"xxxxxxxxxxxx\"", "'alpha' = 'xxxxxxxxxxxx' is not a finite number", NN_ERR_FORMAT},
        {"\"label_column\":\"grade\"", "\"alpha\":\"1.5\"         ", "alpha = 1.5 is not in [0, 1]", NN_ERR_FORMAT},
        {"\"label_column\":\"grade\"", "\"label_colunm\":\"grade\"", "unknown __metadata__ key 'label_colunm'", NN_ERR_FORMAT},
        {"{\"__metadata__\"", "[\"__metadata__\"", "not valid JSON", NN_ERR_FORMAT},
        {"\"data_offsets\":[0,", "\"data_offsets\":[4,", "data bytes, but its shape needs", NN_ERR_FORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memcpy(copy, buf, len + 1);
        patch(copy, cases[i].from, cases[i].to);
        nn_status st = load_bytes(copy, len, &err);
        ck_assert_msg(st == cases[i].code, "case %zu: status %d, message %s", i, st, err.msg);
        ck_assert_msg_contains(err.msg, cases[i].message);
    }
    free(copy);
    free(buf);
}
END_TEST

/* A hand-written file: two tensors, their offsets set by the caller. */
static nn_status load_two_tensors(const char *offsets_a, const char *offsets_b, size_t data_len,
                                  nn_error *err) {
    char header[512];
    int n = snprintf(header, sizeof header,
                     "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":%s},"
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":%s}}",
                     offsets_a, offsets_b);
    char file[1024] = {0};
    set_length(file, (uint64_t)n);
    memcpy(file + 8, header, (size_t)n);
    tmp_write(tmp_path(path, dir, "raw.safetensors"), file, 8 + (size_t)n + data_len);
    nn_model m;
    nn_status st = nn_model_load(&m, path, 1, 0, err);
    if (!st) nn_model_free(&m);
    return st;
}

START_TEST(test_offsets_checked) {
    nn_error err;
    ck_assert_int_eq(load_two_tensors("[0,8]", "[4,12]", 12, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "tensors 'a' and 'b' overlap");
    ck_assert_int_eq(load_two_tensors("[0,8]", "[12,20]", 20, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "data bytes 8..12 belong to no tensor");
    ck_assert_int_eq(load_two_tensors("[0,8]", "[8,16]", 15, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "lie outside the 15 data bytes");
    ck_assert_int_eq(load_two_tensors("[0,8]", "[8,16]", 20, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "data bytes 16..20 belong to no tensor");
    ck_assert_int_eq(load_two_tensors("[0,8]", "[18446744073709551615,8]", 16, &err), NN_ERR_FORMAT);
    ck_assert_int_eq(load_two_tensors("[0,8]", "[8,99999999999999999999999]", 16, &err), NN_ERR_FORMAT);
    ck_assert_int_eq(load_two_tensors("[0,8]", "[8,16]", 16, &err), NN_ERR_FORMAT); /* valid layout */
    ck_assert_msg_contains(err.msg, "not an nn model file");
}
END_TEST

START_TEST(test_unexpected_tensor_rejected) {
    nn_model m, back;
    nn_error err;
    small_model(&m, 1, 0);
    nn_real extra_data[2] = {1, 2};
    nn_st_out extra = {.name = "dense0.scale", .data = extra_data, .d0 = 2};
    ck_assert_int_eq(nn_model_write(&m, "nn-model/1", &extra, 1, NULL, 0, tmp_path(path, dir, "x.st"), &err), NN_OK);
    ck_assert_int_eq(nn_model_load(&back, path, 1, 0, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "unexpected tensor 'dense0.scale' for architecture 3-5-4");
    nn_model_free(&m);
}
END_TEST

/* Rewrites the data_checksum a saved file records (n: its header length)
 * to match its data as they now are: what a tool that edits weights, or an
 * attacker, would do; the reader's own checks must still hold. */
static void rechecksum(char *buf, size_t len, uint64_t n) {
    char sum[NN_DATA_CHECKSUM_TEXT];
    nn_data_checksum(sum, (const unsigned char *)buf + 8 + n, len - 8 - (size_t)n);
    char *at = strstr(buf + 8, "\"data_checksum\":\"crc32:");
    ck_assert(at != NULL && at < buf + 8 + n);
    memcpy(at + strlen("\"data_checksum\":\""), sum, strlen(sum));
}

START_TEST(test_non_finite_weight_rejected) {
    size_t len;
    uint64_t n;
    nn_error err;
    char *buf = saved_model(&len, &n);
    nn_real bad = (nn_real)NAN;
    memcpy(buf + 8 + n + 2 * sizeof bad, &bad, sizeof bad); /* third weight of dense0 */
    ck_assert_int_eq(load_bytes(buf, len, &err), NN_ERR_FORMAT); /* the checksum sees it */
    rechecksum(buf, len, n);
    ck_assert_int_eq(load_bytes(buf, len, &err), NN_ERR_NUMERIC);
    ck_assert_msg_contains(err.msg, "tensor 'dense0.weight' holds nan at index 2");
    free(buf);
}
END_TEST

START_TEST(test_random_corruption_never_crashes) {
    size_t len;
    uint64_t n;
    nn_error err;
    char *buf = saved_model(&len, &n);
    char *copy = malloc(len);
    nn_rng r;
    nn_rng_seed(&r, 99);
    int failures = 0;
    for (int trial = 0; trial < 400; trial++) { /* run under `make asan` to catch any overread */
        memcpy(copy, buf, len);
        int flips = 1 + (int)nn_rng_below(&r, 3);
        for (int k = 0; k < flips; k++) copy[nn_rng_below(&r, (uint32_t)(8 + n))] = (char)nn_rng_u32(&r);
        nn_status st = load_bytes(copy, len, &err);
        if (st) {
            failures++;
            ck_assert_msg(strlen(err.msg) > 0, "an error without a message");
        }
    }
    ck_assert_int_gt(failures, 200);
    free(copy);
    free(buf);
}
END_TEST

START_TEST(test_save_is_atomic) {
    nn_model m;
    nn_error err;
    small_model(&m, 1, 0);
    ck_assert_int_eq(nn_model_save(&m, "/nonexistent-dir/m.safetensors", &err), NN_ERR_IO);
    ck_assert_msg_contains(err.msg, "/nonexistent-dir/m.safetensors");
    ck_assert_int_eq(nn_model_save(&m, tmp_path(path, dir, "m.safetensors"), &err), NN_OK);
    ck_assert_int_eq(nn_model_save(&m, path, &err), NN_OK); /* replaces it */
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            files++;
            ck_assert_str_eq(e->d_name, "m.safetensors"); /* no temporary file left */
        }
    closedir(d);
    ck_assert_int_eq(files, 1);
    nn_model_free(&m);
}
END_TEST

/* ------------------------------------------------------------ checkpoints */

/* 24 samples of 3 features, 4 classes. */
static void toy_data(nn_dataset *d) {
    memset(d, 0, sizeof *d);
    d->n = 24, d->n_features = 3, d->n_classes = 4;
    d->x_real = malloc(24 * 3 * sizeof(nn_real));
    d->labels = malloc(24 * sizeof(int32_t));
    fill_uniform(d->x_real, 72, -1, 1, 3);
    for (int i = 0; i < 24; i++) d->labels[i] = (d->x_real[3 * i] > 0) + 2 * (d->x_real[3 * i + 1] > 0);
}

static nn_optimizer *make_optimizer(nn_model *m, nn_optimizer_kind kind) {
    nn_error err;
    nn_optimizer_options o = nn_optimizer_defaults(kind, 0.05);
    if (kind == NN_OPT_SGD) o.momentum = 0.9;
    nn_optimizer *opt = nn_optimizer_create(m->g, &o, &err);
    ck_assert_ptr_nonnull(opt);
    return opt;
}

static void run_epochs(nn_model *m, nn_optimizer *opt, const nn_dataset *d, int first, int last,
                       nn_rng *rng) {
    nn_error err;
    nn_train_nodes nodes = {.x = m->x, .labels = m->labels, .probs = m->probs};
    nn_train_options o = {.epochs = last, .first_epoch = first, .batch = 5, .rng = rng};
    ck_assert_int_eq(nn_train(m->g, opt, &nodes, d, NULL, &o, NULL, NULL, &err), NN_OK);
}

static void check_resume(nn_optimizer_kind kind) {
    nn_dataset d;
    toy_data(&d);
    nn_error err;
    nn_model full, part;
    /* uninterrupted: epochs 1..4 */
    small_model(&full, 5, 1);
    nn_optimizer *o1 = make_optimizer(&full, kind);
    nn_rng rng;
    nn_rng_seed(&rng, 1234);
    run_epochs(&full, o1, &d, 1, 4, &rng);
    /* interrupted after epoch 2, checkpointed, resumed in fresh objects */
    small_model(&part, 5, 1);
    nn_optimizer *o2 = make_optimizer(&part, kind);
    nn_checkpoint_info c = {.epoch = 0};
    nn_rng_seed(&c.rng, 1234);
    run_epochs(&part, o2, &d, 1, 2, &c.rng);
    c.epoch = 2;
    strcpy(c.run, "--lr 0.05");
    ck_assert_int_eq(nn_checkpoint_save(&part, o2, &c, tmp_path(path, dir, "run.ckpt"), &err), NN_OK);
    nn_optimizer_free(o2);
    nn_model_free(&part);

    small_model(&part, 5, 1);
    o2 = make_optimizer(&part, kind);
    nn_checkpoint_info back = {0};
    ck_assert_int_eq(nn_checkpoint_load(&part, o2, &back, path, &err), NN_OK);
    ck_assert_int_eq(back.epoch, 2);
    ck_assert_str_eq(back.run, "--lr 0.05");
    ck_assert_int_eq(nn_optimizer_steps(o2), 2 * 5); /* 24 rows in batches of 5 */
    run_epochs(&part, o2, &d, back.epoch + 1, 4, &back.rng);
    ck_assert_mem_eq(nn_graph_params(full.g), nn_graph_params(part.g),
                     nn_graph_n_params(full.g) * sizeof(nn_real));
    /* and the run did move the weights away from where the resume started */
    nn_model fresh;
    small_model(&fresh, 5, 1);
    ck_assert(memcmp(nn_graph_params(fresh.g), nn_graph_params(part.g),
                     nn_graph_n_params(part.g) * sizeof(nn_real)) != 0);
    nn_model_free(&fresh);
    nn_optimizer_free(o1);
    nn_optimizer_free(o2);
    nn_model_free(&full);
    nn_model_free(&part);
    nn_dataset_free(&d);
}

START_TEST(test_resume_sgd_momentum_is_exact) { check_resume(NN_OPT_SGD); }
END_TEST

START_TEST(test_resume_adam_is_exact) { check_resume(NN_OPT_ADAM); }
END_TEST

START_TEST(test_checkpoint_mismatch) {
    nn_model m, other;
    nn_error err;
    small_model(&m, 5, 1);
    nn_optimizer *opt = make_optimizer(&m, NN_OPT_ADAM);
    nn_checkpoint_info c = {.epoch = 1};
    nn_rng_seed(&c.rng, 1);
    ck_assert_int_eq(nn_checkpoint_save(&m, opt, &c, tmp_path(path, dir, "run.ckpt"), &err), NN_OK);
    nn_optimizer *sgd = make_optimizer(&m, NN_OPT_SGD);
    ck_assert_int_eq(nn_checkpoint_load(&m, sgd, &c, path, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "written by optimizer 'adam', not 'sgd'");
    nn_arch a = nn_arch_defaults();
    nn_arch_parse_sizes(&a, "3-6-4", &err);
    ck_assert_int_eq(nn_model_build(&other, &a, NULL, 5, 1, 1, &err), NN_OK);
    nn_optimizer *o3 = make_optimizer(&other, NN_OPT_ADAM);
    ck_assert_int_eq(nn_checkpoint_load(&other, o3, &c, path, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "the checkpoint holds 3-5-4");
    /* a checkpoint is also a model file; a model file is not a checkpoint */
    nn_model loaded;
    ck_assert_int_eq(nn_model_load(&loaded, path, 2, 0, &err), NN_OK);
    nn_model_free(&loaded);
    ck_assert_int_eq(nn_model_save(&m, path, &err), NN_OK);
    ck_assert_int_eq(nn_checkpoint_load(&m, opt, &c, path, &err), NN_ERR_FORMAT);
    ck_assert_msg_contains(err.msg, "not an nn checkpoint");
    nn_optimizer_free(opt);
    nn_optimizer_free(sgd);
    nn_optimizer_free(o3);
    nn_model_free(&m);
    nn_model_free(&other);
}
END_TEST

START_TEST(test_arch_and_data_mismatch) {
    nn_model m;
    nn_error err;
    nn_arch a = nn_arch_defaults();
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "784-10", &err), NN_OK);
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "784", &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "784-0-10", &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "784--10", &err), NN_ERR_ARG);
    ck_assert_int_eq(nn_arch_parse_sizes(&a, "4-8-3", &err), NN_OK);
    nn_dataset d = {.n_features = 5, .n_classes = 3};
    ck_assert_int_eq(nn_model_build(&m, &a, &d, 4, 1, 1, &err), NN_ERR_SHAPE);
    ck_assert_msg_contains(err.msg, "architecture 4-8-3 takes 4 inputs, but the data have 5 features");
    d = (nn_dataset){.n_features = 4, .n_classes = 7};
    ck_assert_int_eq(nn_model_build(&m, &a, &d, 4, 1, 1, &err), NN_ERR_SHAPE);
    ck_assert_msg_contains(err.msg, "predicts 3 classes, but the data have 7");
    double values[3] = {0, 2, 1};
    d = (nn_dataset){.n_features = 4, .n_classes = 3, .values = values};
    ck_assert_int_eq(nn_model_build(&m, &a, &d, 4, 1, 1, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "category values must increase: 1 follows 2");
    strcpy(a.loss, "nonsense");
    ck_assert_int_eq(nn_model_build(&m, &a, NULL, 4, 1, 1, &err), NN_ERR_ARG);
    ck_assert_msg_contains(err.msg, "unknown loss 'nonsense'");
}
END_TEST

/* ------------------------------------------------------------------- JSON */

START_TEST(test_json_reader) {
    char why[200];
    const char *good = " {\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\"} ";
    nn_json *v = nn_json_parse(good, strlen(good), why, sizeof why);
    ck_assert_msg(v != NULL, "%s", why);
    const nn_json *a = nn_json_member(v, "a");
    ck_assert_int_eq(a->n_children, 5);
    ck_assert(a->child->is_uint && a->child->uint == 1);
    ck_assert_double_eq(a->child->next->num, -2500);
    ck_assert(!a->child->next->is_uint);
    ck_assert_str_eq(nn_json_member(v, "s")->str, "x\xc3\xa9\xf0\x9f\x98\x80\n");
    nn_json_free(v);
    const char *bad[] = {"", "{", "{\"a\":}", "[1,]", "\"abc", "\"\\ud800\"", "\"\\u0000\"",
                         "01", "1.", "-", "[1] 2", "{\"a\" 1}", "\"tab\there\"", "nul",
                         "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        v = nn_json_parse(bad[i], strlen(bad[i]), why, sizeof why);
        ck_assert_msg(v == NULL, "'%s' was accepted", bad[i]);
        ck_assert_msg_contains(why, "at byte");
    }
    /* the length bounds the reader, not a NUL */
    v = nn_json_parse("[1,2]xyz", 5, why, sizeof why);
    ck_assert_ptr_nonnull(v);
    nn_json_free(v);
    ck_assert_ptr_null(nn_json_parse("[1,2]", 4, why, sizeof why));
}
END_TEST

Suite *test_model_suite(void) {
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_round_trip_predicts_identically);
    tcase_add_test(tc, test_file_layout_is_safetensors);
    tcase_add_test(tc, test_every_truncation_fails_cleanly);
    tcase_add_test(tc, test_header_lying_about_its_size);
    tcase_add_test(tc, test_corrupted_headers);
    tcase_add_test(tc, test_offsets_checked);
    tcase_add_test(tc, test_unexpected_tensor_rejected);
    tcase_add_test(tc, test_non_finite_weight_rejected);
    tcase_add_test(tc, test_random_corruption_never_crashes);
    tcase_add_test(tc, test_save_is_atomic);
    tcase_add_test(tc, test_arch_and_data_mismatch);
    suite_add_tcase(s, tc);
    tc = tcase_create("checkpoints");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_resume_sgd_momentum_is_exact);
    tcase_add_test(tc, test_resume_adam_is_exact);
    tcase_add_test(tc, test_checkpoint_mismatch);
    suite_add_tcase(s, tc);
    tc = tcase_create("json");
    tcase_add_test(tc, test_json_reader);
    suite_add_tcase(s, tc);
    return s;
}
