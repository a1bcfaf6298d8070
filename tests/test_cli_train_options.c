/* test_cli_train_options.c — every option of `nn train` (and the parser the
 * other subcommands share) refuses a bad value or combination the same way:
 * exit status 2 when the options alone are wrong (before any data is read),
 * 1 when the data show it; exactly one line "nn CMD: …" naming the option and
 * the problem, nothing else printed, and no file written (no model, plot,
 * checkpoint or temporary). A case is one row of a table; one run that
 * succeeds with the same base command shows the checks can fail. --help
 * states each setting's range and default, from the same table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char dir[64];
#include "cli_run.h"

enum { ROWS = 40 };

/* Files in the scratch directory. */
static int n_files(void) { return tmp_count_entries(dir); }

/* A .npy file of `rows` x `cols` values with numpy dtype `descr`, each
 * value `bytes` long, copied from data (or zeros). */
static void write_npy(const char *name, const char *descr, int rows, int cols, const void *data, size_t bytes) {
    char header[128], path[512];
    int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }", descr,
                     rows, cols);
    while ((10 + n + 1) % 64) header[n++] = ' ';
    header[n++] = '\n';
    FILE *f = fopen(tmp_path(path, dir, name), "wb");
    ck_assert_ptr_nonnull(f);
    unsigned char len[2] = {(unsigned char)(n & 0xff), (unsigned char)(n >> 8)};
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fwrite(len, 1, 2, f);
    fwrite(header, 1, (size_t)n, f);
    size_t total = (size_t)rows * (size_t)cols * bytes;
    unsigned char *zero = calloc(total ? total : 1, 1);
    ck_assert_ptr_nonnull(zero);
    ck_assert_uint_eq(fwrite(data ? data : zero, 1, total, f), total);
    free(zero);
    fclose(f);
}

/* Float32 logits (rows, 2), all 1 except one value `bad` at row 3. */
static void write_logits(const char *name, int rows, float bad) {
    float v[2 * ROWS + 2];
    for (int i = 0; i < 2 * rows; i++) v[i] = 1;
    v[7] = bad;
    write_npy(name, "<f4", rows, 2, v, sizeof *v);
}

static void setup(void) {
    tmp_dir(dir);
    cli_hi_lo_table("d.csv", ROWS, 7);
    cli_write("classes.csv", "a,b,y\n1,2,hi\n2,3,mid\n1,1,lo\n");
    cli_write("columns.csv", "a,c,y\n1,2,hi\n2,3,lo\n");
    cli_write("text.npy", "this is not a model, nor an array");
    write_logits("t.npy", ROWS, 1);
    write_logits("short.npy", ROWS - 1, 1);
    write_logits("nan.npy", ROWS, NAN);
    write_logits("inf.npy", ROWS, INFINITY);
    write_npy("wide.npy", "<f4", ROWS, 3, NULL, 4);
    write_npy("int.npy", "<i4", ROWS, 2, NULL, 4);
    write_npy("half.npy", "<f2", ROWS, 2, NULL, 2);
}

static void teardown(void) { tmp_remove(dir); }

/* The base command: 2 features, 2 classes; every case adds its
 * options after the outputs, so an option at the very end has no value. */
#define BASE "train --data d.csv --arch 2-4-2 --quiet --plot p.svg"

typedef struct {
    const char *args;    /* after BASE (or the whole command when it does not start with "--") */
    const char *option;  /* the line names it */
    const char *message; /* and says this */
    int         status;  /* 2: refused with the options; 1: once the data are read */
    int         no_save; /* no --save m.st (the case is about --save) */
} bad_case;

static const bad_case train_cases[] = {
    /* values: missing, not a number, trailing junk, NaN/inf, out of range */
    {"--lr", "--lr", "--lr needs a value (LR)", 2, 0},
    {"--teacher --epochs 3", "--teacher", "--teacher needs a value (FILE)", 2, 0},
    {"--lr abc", "--lr", "--lr: 'abc' is not a finite number", 2, 0},
    {"--lr 3x", "--lr", "--lr: '3x' is not a finite number", 2, 0},
    {"--lr ' 0.1'", "--lr", "--lr: ' 0.1' is not a finite number", 2, 0},
    {"--lr 0x10", "--lr", "--lr: '0x10' is not a finite number", 2, 0},
    {"--lr nan", "--lr", "--lr: 'nan' is not a finite number", 2, 0},
    {"--lr inf", "--lr", "--lr: 'inf' is not a finite number", 2, 0},
    {"--lr 1e400", "--lr", "--lr: '1e400' overflows", 2, 0},
    {"--lr -1", "--lr", "--lr: -1 is not in (0, 1000000]", 2, 0},
    {"--lr 0", "--lr", "--lr: 0 is not in (0, 1000000]", 2, 0},
    {"--lr ''", "--lr", "--lr: '' is not a finite number", 2, 0},
    {"--epochs 0", "--epochs", "--epochs: 0 is not in [1, 1000000]", 2, 0},
    {"--epochs -3", "--epochs", "--epochs: -3 is not in [1, 1000000]", 2, 0},
    {"--epochs 3x", "--epochs", "--epochs: '3x' is not an integer", 2, 0},
    {"--epochs 2.5", "--epochs", "--epochs: '2.5' is not an integer", 2, 0},
    {"--epochs 99999999999", "--epochs", "out of range for an integer", 2, 0},
    {"--batch 0", "--batch", "--batch: 0 is not in [1, 65536]", 2, 0},
    {"--seed -1", "--seed", "--seed: '-1' is not a non-negative integer", 2, 0},
    {"--seed 1x", "--seed", "--seed: '1x' is not a non-negative integer", 2, 0},
    {"--seed 99999999999999999999999", "--seed", "is out of range (0 to 18446744073709551615)", 2, 0},
    {"--momentum 1", "--momentum", "--momentum: 1 is not in [0, 0.999999]", 2, 0},
    {"--weight-decay -1", "--weight-decay", "--weight-decay: -1 is not in [0, 1000000]", 2, 0},
    {"--val-fraction 1", "--val-fraction", "--val-fraction: 1 is not in [0, 0.999999]", 2, 0},
    {"--val-fraction -0.1", "--val-fraction", "is not in [0, 0.999999]", 2, 0},
    /* --dropout */
    {"--dropout 1", "--dropout", "--dropout: 1 is not in [0, 0.99]", 2, 0},
    {"--dropout -0.1", "--dropout", "--dropout: -0.1 is not in [0, 0.99]", 2, 0},
    {"--dropout nan", "--dropout", "--dropout: 'nan' is not a finite number", 2, 0},
    {"--dropout 0.5x", "--dropout", "--dropout: '0.5x' is not a finite number", 2, 0},
    {"--dropout", "--dropout", "--dropout needs a value (P)", 2, 0},
    {"train --data d.csv --arch 2-2 --quiet --dropout 0.3", "--dropout", "--arch 2-2 has no hidden layer", 2, 0},
    /* --lr-schedule, --lr-min, --warmup (epochs) */
    {"--lr-schedule linear", "--lr-schedule", "'linear' is not one of constant|step|cosine|onecycle", 2, 0},
    {"--lr-schedule ''", "--lr-schedule", "--lr-schedule: the value is empty (NAME)", 2, 0},
    {"--lr-min 0.001", "--lr-min", "--lr-min is a setting of --lr-schedule cosine or onecycle, not constant", 2, 0},
    {"--lr-schedule constant --lr-min 0.001", "--lr-min", "cosine or onecycle, not constant", 2, 0},
    {"--lr-schedule step --lr-min 0.001", "--lr-min", "cosine or onecycle, not step", 2, 0},
    {"--lr-schedule cosine --lr-min 0.1", "--lr-min", "--lr-min 0.1 is above --lr 0.01", 2, 0},
    {"--lr-schedule onecycle --lr 0.1 --lr-min 0.5", "--lr-min", "--lr-min 0.5 is above --lr 0.1", 2, 0},
    {"--lr-schedule cosine --lr-min -1", "--lr-min", "--lr-min: -1 is not in [0, 1000000]", 2, 0},
    {"--lr-schedule cosine --lr-min nan", "--lr-min", "'nan' is not a finite number", 2, 0},
    {"--warmup -1", "--warmup", "--warmup: -1 is not in [0, 1000000]", 2, 0},
    {"--warmup 1.5", "--warmup", "--warmup: '1.5' is not an integer", 2, 0},
    {"--epochs 3 --warmup 3", "--warmup", "--warmup 3: the warm-up takes the whole run (--epochs 3; --warmup counts epochs, not steps)", 2, 0},
    {"--epochs 3 --warmup 5 --checkpoint c.ckpt --lr-schedule step", "--warmup", "the warm-up takes the whole run", 2, 0},
    {"--epochs 3 --lr-schedule step --warmup 3", "--warmup", "the warm-up takes the whole run", 2, 0},
    {"--epochs 3 --lr-schedule cosine --warmup 5", "--warmup", "the warm-up takes the whole run", 2, 0},
    {"--epochs 3 --lr-schedule onecycle --warmup 0", "--warmup", "--warmup 0: onecycle rises for 1 to 2 epochs (--epochs 3; --warmup counts epochs", 2, 0},
    {"--epochs 3 --lr-schedule onecycle --warmup 3", "--warmup", "onecycle rises for 1 to 2 epochs", 2, 0},
    /* early stopping: --patience, --monitor, --restore-best */
    {"--patience 0", "--patience", "--patience: 0 is not in [1, 1000000]", 2, 0},
    {"--patience -2", "--patience", "--patience: -2 is not in [1, 1000000]", 2, 0},
    {"--patience 2.5", "--patience", "--patience: '2.5' is not an integer", 2, 0},
    {"--patience 3", "--patience", "--patience needs validation data (--val-fraction F); --test is never used", 2, 0},
    {"--val-fraction 0 --patience 3", "--patience", "--patience needs validation data", 2, 0},
    {"--test d.csv --patience 3", "--patience", "--patience needs validation data", 2, 0},
    {"--monitor val_loss", "--monitor", "--monitor needs validation data", 2, 0},
    {"--restore-best", "--restore-best", "--restore-best needs validation data", 2, 0},
    {"--val-fraction 0.25 --monitor val_mae", "--monitor", "--monitor val_mae is an ordinal metric; --loss ce is not ordinal", 2, 0},
    {"--val-fraction 0.25 --monitor val_qwk", "--monitor", "--monitor val_qwk is an ordinal metric", 2, 0},
    {"--val-fraction 0.25 --monitor accuracy", "--monitor", "'accuracy' is not one of val_loss|val_acc|val_mae|val_qwk", 2, 0},
    {"--monitor bogus", "--monitor", "'bogus' is not one of", 2, 0},
    {"--val-fraction 0.25 --monitor ''", "--monitor", "--monitor: the value is empty (METRIC)", 2, 0},
    {"--val-fraction 0.25 --restore-best", "--restore-best", "--restore-best chooses the weights --save writes", 2, 1},
    {"--val-fraction 0.25 --min-delta 0.1", "--min-delta", "--min-delta is the improvement --patience and --restore-best count", 2, 0},
    {"--val-fraction 0.25 --patience 2 --min-delta -1", "--min-delta", "--min-delta: -1 is not in [0,", 2, 0},
    {"--val-fraction 0.25 --patience 2 --min-delta nan", "--min-delta", "--min-delta: 'nan' is not a finite number", 2, 0},
    /* --limit, --limit-seed */
    {"--limit 0", "--limit", "--limit: 0 is not in [1, 2147483647]", 2, 0},
    {"--limit -1", "--limit", "--limit: -1 is not in [1, 2147483647]", 2, 0},
    {"--limit 1x", "--limit", "--limit: '1x' is not an integer", 2, 0},
    {"--limit-seed 3", "--limit-seed", "--limit-seed goes with --limit N", 2, 0},
    {"--limit 5 --limit-seed -1", "--limit-seed", "--limit-seed: '-1' is not a non-negative integer", 2, 0},
    {"--limit 1", "--limit", "--limit 1: every sample drawn is in class", 1, 0},
    {"--limit 41", "--limit", "--limit 41: the training set has 40 samples", 1, 0},
    {"--limit 31 --val-fraction 0.25", "--limit", "--limit 31: the training set has 30 samples (after --val-fraction 0.25", 1, 0},
    /* --class-weights */
    {"--class-weights 1,2,3", "--class-weights", "--class-weights: 3 weights for the 2 classes of --arch 2-4-2", 2, 0},
    {"--class-weights 1", "--class-weights", "--class-weights: 1 weight for the 2 classes", 2, 0},
    {"--class-weights -1,2", "--class-weights", "--class-weights: weight 0 is -1; weights are >= 0", 2, 0},
    {"--class-weights 0,0", "--class-weights", "--class-weights: every weight is 0", 2, 0},
    {"--class-weights a,b", "--class-weights", "'a,b' is not a comma-separated list of finite numbers", 2, 0},
    {"--class-weights 1,", "--class-weights", "'1,' is not a comma-separated list", 2, 0},
    {"--class-weights 1,nan", "--class-weights", "'1,nan' is not a comma-separated list", 2, 0},
    {"--class-weights 1x,2", "--class-weights", "'1x,2' is not a comma-separated list", 2, 0},
    {"--class-weights ''", "--class-weights", "--class-weights: the value is empty", 2, 0},
    {"--loss kl --teacher t.npy --class-weights 1,2", "--class-weights", "--loss kl has none", 2, 0},
    {"--loss coral --class-weights auto", "--class-weights", "--loss coral has none", 2, 0},
    /* --clip-grad-norm */
    {"--clip-grad-norm 0", "--clip-grad-norm", "--clip-grad-norm: 0 is not in (0, 1000000000000]", 2, 0},
    {"--clip-grad-norm -1", "--clip-grad-norm", "--clip-grad-norm: -1 is not in (0,", 2, 0},
    {"--clip-grad-norm nan", "--clip-grad-norm", "--clip-grad-norm: 'nan' is not a finite number", 2, 0},
    {"--clip-grad-norm inf", "--clip-grad-norm", "--clip-grad-norm: 'inf' is not a finite number", 2, 0},
    /* loss settings belong to their losses */
    {"--temperature 2", "--temperature", "--temperature is a setting of --loss kl or distill, not ce", 2, 0},
    {"--loss sord --temperature 2", "--temperature", "not sord", 2, 0},
    {"--sord-scale 2", "--sord-scale", "--sord-scale is a setting of --loss sord, not ce", 2, 0},
    {"--lambda1 1", "--lambda1", "--lambda1 is a setting of --loss mean-variance, not ce", 2, 0},
    {"--loss distill --teacher t.npy --alpha 2", "--alpha", "--alpha: 2 is not in [0, 1]", 2, 0},
    {"--loss kl --teacher t.npy --temperature 0", "--temperature", "--temperature: 0 is not in (0,", 2, 0},
    {"--loss sord --sord-scale 0", "--sord-scale", "--sord-scale: 0 is not in (0,", 2, 0},
    {"--loss bogus", "--loss", "--loss: 'bogus' is not one of ce|kl|distill", 2, 0},
    {"--loss kl", "--teacher", "--loss kl needs --teacher MODEL", 2, 0},
    {"--teacher t.npy", "--teacher", "--teacher is only used by --loss kl or distill, not ce", 2, 0},
    /* --teacher files (read with the data) */
    {"--loss kl --teacher short.npy", "--teacher", "--teacher short.npy holds 39 x 2 logits; the data have 40 samples", 1, 0},
    {"--loss kl --teacher wide.npy", "--teacher", "holds 40 x 3 logits; the data have 40 samples and the student 2 classes", 1, 0},
    {"--loss kl --teacher int.npy", "--teacher", "dtype '<i4' is not supported", 1, 0},
    {"--loss kl --teacher half.npy", "--teacher", "dtype '<f2' is not supported", 1, 0},
    {"--loss kl --teacher nan.npy", "--teacher", "nan.npy: value at row 3, column 1 is nan", 1, 0},
    {"--loss kl --teacher inf.npy", "--teacher", "inf.npy: value at row 3, column 1 is inf", 1, 0},
    {"--loss kl --teacher text.npy", "--teacher", "--teacher text.npy is neither an nn model (safetensors) nor a .npy file of logits", 1, 0},
    {"--loss distill --teacher missing.npy", "--teacher", "--teacher: missing.npy: cannot open", 1, 0},
    /* --test */
    {"--test missing.csv", "--test", "--test missing.csv: no such file, folder or IDX prefix", 2, 0},
    {"--test ''", "--test", "--test: the value is empty (PATH)", 2, 0},
    {"--test classes.csv", "classes.csv", "label 'mid' is not one of the model's 2 classes", 1, 0},
    {"--test columns.csv", "columns.csv", "columns.csv", 1, 0},
    {"--save d.csv", "--save", "--save d.csv is the same file as --data d.csv", 2, 1},
    {"--test d.csv --save d.csv", "--save", "is the same file as", 2, 1},
    /* combinations and flags */
    {"--nesterov --momentum 0", "--nesterov", "--nesterov needs --momentum above 0", 2, 0},
    {"--optimizer adam --momentum 0.5", "--momentum", "--momentum and --nesterov are SGD settings, not adam", 2, 0},
    {"--optimizer adamw --nesterov", "--nesterov", "SGD settings, not adamw", 2, 0},
    {"--loss coral --grad jacobian", "--grad", "--grad chooses how gradients pass a softmax; --loss coral has none", 2, 0},
    {"--loss clm --grad simplified", "--grad", "--loss clm has none", 2, 0},
    {"--grad hessian", "--grad", "'hessian' is not one of simplified|jacobian", 2, 0},
    {"train --data d.csv --arch 2-2 --quiet --activation tanh", "--activation", "--activation tanh: --arch 2-2 has no hidden layer", 2, 0},
    {"--activation gelu", "--activation", "--activation: 'gelu' is not one of relu|sigmoid|tanh", 2, 0},
    {"--optimizer rmsprop", "--optimizer", "'rmsprop' is not one of sgd|adam|adamw", 2, 0},
    {"--resume", "--resume", "--resume needs --checkpoint FILE", 2, 0},
    {"--overwrite", "--overwrite", "--overwrite needs --checkpoint FILE", 2, 0},
    {"--checkpoint c.ckpt --resume --overwrite", "--overwrite", "--resume and --overwrite contradict each other", 2, 0},
    {"--standardize --no-standardize", "--standardize", "contradict each other", 2, 0},
    {"--image-size 3x3", "--image-size", "--image-size applies to image folders, but --data d.csv is a CSV file", 2, 0},
    {"--rgb", "--rgb", "--rgb applies to image folders", 2, 0},
    {"--values 1,2,3", "--values", "--values: 3 values, but --arch 2-4-2 has 2 classes", 2, 0},
    {"--values 2,1", "--values", "--values: must increase", 2, 0},
    {"--values a,b", "--values", "is not a comma-separated list", 2, 0},
    {"--nesterov=1", "--nesterov", "--nesterov takes no value", 2, 0},
    /* given twice, unknown, misspelt, of another subcommand */
    {"--lr 0.1 --lr 0.2", "--lr", "--lr given twice", 2, 0},
    {"--lr=0.1 --lr 0.2", "--lr", "--lr given twice", 2, 0},
    {"--dropout 0.1 --dropout=0.1", "--dropout", "--dropout given twice", 2, 0},
    {"--quiet", "--quiet", "--quiet given twice", 2, 0},
    {"--plot q.svg", "--plot", "--plot given twice", 2, 0},
    {"train --data d.csv --arch 2-4-2 --quiet --save m.st --plot p.png", "--plot", "--plot p.png: the curves are drawn as SVG; give a FILE.svg", 2, 1},
    {"--lrr 0.1", "--lrr", "unknown option '--lrr'; did you mean --lr? (see nn train --help)", 2, 0},
    {"--pateince 3", "--pateince", "did you mean --patience?", 2, 0},
    {"--restore", "--restore", "did you mean --restore-best?", 2, 0},
    {"--warm-up 2", "--warm-up", "did you mean --warmup?", 2, 0},
    {"--val 0.2", "--val", "unknown option '--val'; did you mean --values or --val-fraction?", 2, 0},
    {"--epoch 2", "--epoch", "did you mean --epochs?", 2, 0},
    {"--bogus", "--bogus", "unknown option '--bogus' (see nn train --help)", 2, 0},
    {"--json", "--json", "unknown option '--json'", 2, 0},
    {"--svg g.svg", "--svg", "unknown option '--svg'", 2, 0},
    {"-x", "-x", "unknown option '-x'", 2, 0},
    {"--help=1", "--help", "--help takes no value", 2, 0},
    {"extra", "extra", "takes no arguments, got 'extra'", 2, 0},
};

/* The other subcommands share the parser (args.c) and the loss settings. */
static const bad_case other_cases[] = {
    {"eval m.st --data", "--data", "nn eval: --data needs a value (PATH)", 2, 0},
    {"eval m.st --data ''", "--data", "nn eval: --data: the value is empty (PATH)", 2, 0},
    {"eval m.st --data d.csv --data d.csv", "--data", "nn eval: --data given twice", 2, 0},
    {"eval m.st --data d.csv --jsn", "--jsn", "nn eval: unknown option '--jsn'; did you mean --json?", 2, 0},
    {"eval m.st --data d.csv --json=1", "--json", "nn eval: --json takes no value", 2, 0},
    {"eval m.st --data d.csv --epochs 3", "--epochs", "nn eval: unknown option '--epochs'", 2, 0},
    {"predict m.st d.csv --rule", "--rule", "nn predict: --rule needs a value (RULE)", 2, 0},
    {"predict m.st d.csv --skip-bad --skip-bad", "--skip-bad", "nn predict: --skip-bad given twice", 2, 0},
    {"trace --arch 2-3-2 --activation bogus", "--activation", "nn trace: --activation: 'bogus' is not one of relu|sigmoid|tanh", 2, 0},
    {"graph --arch 2-2 --activation tanh", "--activation", "nn graph: --activation tanh: --arch 2-2 has no hidden layer", 2, 0},
    {"gradcheck m.st --arch 2-2", "--arch", "nn gradcheck: give either a MODEL file or --arch SIZES", 2, 0},
    {"gradcheck m.st --temperature 2", "--temperature", "nn gradcheck: --temperature goes with --arch; a MODEL file has its own", 2, 0},
    {"trace --arch 4-3 --label 3", "--label", "nn trace: --label 3: the model has 3 classes", 2, 0},
    {"trace --arch 2-2 --index 3", "--index", "nn trace: --index 3 picks a row of --data", 2, 0},
    {"trace --arch 2-2 --jacobian-max 100", "--jacobian-max", "nn trace: --jacobian-max: 100 is not in [0, 64]", 2, 0},
    {"trace --arch 2-2 --jacobian-max 3x", "--jacobian-max", "nn trace: --jacobian-max: '3x' is not an integer", 2, 0},
    {"trace --arch 2-2 --index -1", "--index", "nn trace: --index: -1 is not in [0,", 2, 0},
    {"trace --arch 2-2 --seed ' 1'", "--seed", "nn trace: --seed: ' 1' is not a non-negative integer", 2, 0},
    {"trace --arch 2-2 --temperature 2", "--temperature", "nn trace: --temperature is a setting of --loss kl or distill, not ce", 2, 0},
    {"gradcheck --arch 2-2 --h 0", "--h", "nn gradcheck: --h: 0 is not in (0, 1]", 2, 0},
    {"gradcheck --arch 2-2 --h nan", "--h", "nn gradcheck: --h: 'nan' is not a finite number", 2, 0},
    {"gradcheck --arch 2-2 --batch 300", "--batch", "nn gradcheck: --batch: 300 is not in [1, 256]", 2, 0},
    {"gradcheck --arch 2-2 --max-checks", "--max-checks", "nn gradcheck: --max-checks needs a value (N)", 2, 0},
    {"gradcheck --arch 2-2 --loss distill --alpha 2", "--alpha", "nn gradcheck: --alpha: 2 is not in [0, 1]", 2, 0},
    {"gradcheck --arch 2-2 --loss kl --alpha 0.5", "--alpha", "nn gradcheck: --alpha is a setting of --loss distill, not kl", 2, 0},
    {"graph --arch 2-2 --svg", "--svg", "nn graph: --svg needs a value (FILE)", 2, 0},
    {"graph --arch 2-2 --sv g.svg", "--sv", "nn graph: unknown option '--sv'; did you mean --svg?", 2, 0},
};

/* Runs one case; fails unless it is refused as the table says. */
static void check_case(const bad_case *c) {
    char cmd[1024];
    if (strncmp(c->args, "--", 2) == 0 || c->args[0] == '-' || strncmp(c->args, "extra", 5) == 0)
        snprintf(cmd, sizeof cmd, BASE "%s %s", c->no_save ? "" : " --save m.st", c->args);
    else
        snprintf(cmd, sizeof cmd, "%s%s", c->args,
                 strncmp(c->args, "train ", 6) == 0 && !c->no_save ? " --save m.st --plot p.svg" : "");
    int before = n_files();
    int status = cli_nn("%s", cmd);
    ck_assert_msg(status == c->status, "%s: exit status %d, not %d: %s", cmd, status, c->status, cli_out);
    size_t len = strlen(cli_out);
    ck_assert_msg(len > 0 && strchr(cli_out, '\n') == cli_out + len - 1, "%s: not one line: '%s'", cmd, cli_out);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "nn %.*s: ", (int)strcspn(cmd, " "), cmd);
    ck_assert_msg(strncmp(cli_out, prefix, strlen(prefix)) == 0, "%s: '%s' does not start with '%s'", cmd, cli_out,
                  prefix);
    ck_assert_msg(strstr(cli_out + strlen(prefix), c->option) != NULL, "%s: '%s' does not name %s", cmd, cli_out,
                  c->option);
    ck_assert_msg(strstr(cli_out, c->message) != NULL, "%s: '%s' lacks '%s'", cmd, cli_out, c->message);
    ck_assert_msg(n_files() == before && !cli_exists("m.st") && !cli_exists("p.svg") && !cli_exists("c.ckpt"),
                  "%s: wrote a file", cmd);
}

/* The base command works and writes its outputs, so the checks above can fail. */
START_TEST(test_base_command_writes_its_outputs) {
    int before = n_files();
    ck_assert_msg(cli_nn(BASE " --save m.st --epochs 3 --batch 8 --val-fraction 0.25 --dropout 0.2 --lr-schedule cosine --warmup 1 "
                              "--lr-min 0.001 --patience 2 --monitor val_acc --restore-best --limit 20 "
                              "--limit-seed 3 --class-weights 1,2 --clip-grad-norm 5 --test d.csv") == 0,
                  "%s", cli_out);
    ck_assert(cli_exists("m.st") && cli_exists("p.svg") && n_files() == before + 2);
    char path[512];
    ck_assert(remove(tmp_path(path, dir, "m.st")) == 0 && remove(tmp_path(path, dir, "p.svg")) == 0);
}
END_TEST

START_TEST(test_train_refuses_bad_options) {
    check_case(&train_cases[_i]);
}
END_TEST

START_TEST(test_other_commands_refuse_bad_options) {
    check_case(&other_cases[_i]);
}
END_TEST

/* The help line of `option`, or fails. */
static const char *help_line(const char *option, char *line, size_t len) {
    char key[64];
    snprintf(key, sizeof key, "\n  %s", option);
    const char *p = strstr(cli_out, key);
    while (p && p[strlen(key)] != ' ' && p[strlen(key)] != '\n') p = strstr(p + 1, key);
    ck_assert_msg(p != NULL, "--help lacks %s", option);
    p += 3;
    size_t n = strcspn(p, "\n");
    if (p[n] == '\n' && strncmp(p + n + 1, "    ", 4) == 0) n += 1 + strcspn(p + n + 1, "\n"); /* wrapped */
    snprintf(line, len, "%.*s", (int)n, p);
    return line;
}

/* --help gives every setting of validation-driven training its range and
 * default, and says that --warmup counts epochs. --help wins over a bad
 * option before it. */
START_TEST(test_help_states_ranges_and_defaults) {
    ck_assert_int_eq(cli_nn("train --lr abc --help"), 0);
    static const struct {
        const char *option, *range, *def;
    } lines[] = {
        {"--dropout P", "in [0, 0.99]", "default 0"},
        {"--lr-schedule NAME", "constant (default), step, cosine or onecycle", "(default)"},
        {"--warmup EPOCHS", "in [0, 1000000]", "default 0"},
        {"--lr-min LR", "in [0, 1000000]", "default 0"},
        {"--monitor METRIC", "val_loss, val_acc", "default: val_mae for ordinal losses, else val_loss"},
        {"--patience N", "in [1, 1000000]", "default: off"},
        {"--limit N", "in [1, 2147483647]", "default: off"},
        {"--limit-seed S", "seed", "default 1"},
        {"--class-weights auto|W0,W1,..", "weights >= 0", "default: all 1"},
        {"--clip-grad-norm C", "in (0, 1000000000000]", "default: off"},
        {"--lr LR", "in (0, 1000000]", "default 0.01"},
        {"--epochs N", "in [1, 1000000]", "default 10"},
        {"--temperature T", "in (0, 1000000]", "default 4"},
        {"--alpha A", "in [0, 1]", "default 0.5"},
    };
    char line[512];
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        help_line(lines[i].option, line, sizeof line);
        ck_assert_msg(strstr(line, lines[i].range) && strstr(line, lines[i].def), "%s", line);
    }
    ck_assert_msg(strstr(help_line("--warmup EPOCHS", line, sizeof line), "epochs (not steps)"), "%s", line);
    ck_assert_msg(strstr(help_line("--test PATH", line, sizeof line), "never used for decisions"), "%s", line);
    ck_assert_msg(strstr(help_line("--restore-best", line, sizeof line), "needs --val-fraction"), "%s", line);
}
END_TEST

Suite *test_cli_train_options_suite(void) {
    Suite *s = suite_create("cli_train_options");
    TCase *tc = tcase_create("cli_train_options");
    tcase_add_unchecked_fixture(tc, setup, teardown); /* once: the cases only read the inputs */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_base_command_writes_its_outputs);
    tcase_add_loop_test(tc, test_train_refuses_bad_options, 0, (int)(sizeof train_cases / sizeof *train_cases));
    tcase_add_loop_test(tc, test_other_commands_refuse_bad_options, 0,
                        (int)(sizeof other_cases / sizeof *other_cases));
    tcase_add_test(tc, test_help_states_ranges_and_defaults);
    suite_add_tcase(s, tc);
    return s;
}
