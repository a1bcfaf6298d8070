/* train_run.c — the epochs of `nn train`: one nn_trainer_epoch call per
 * epoch, with a shuffling generator whose state lives in the checkpoint, so
 * that an interrupted run resumed with --resume continues exactly where it
 * stopped. The progress bar and the epoch lines are printed here.
 *
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP (see signals.h): the first one lets the
 * current epoch finish, writes its checkpoint and stops with exit status
 * 128 + the signal (130, 143, 129) — the run can be resumed with --resume.
 * The same signal again ends the program at once; the checkpoint on disk is
 * still whole (it is replaced atomically). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "dist.h"
#include "infer.h"
#include "model_data.h"
#include "progress.h"
#include "resume_check.h"
#include "signals.h"
#include "train.h"
#include "train_curves.h"

#define CMD "train"

void train_describe_run(const train_config *c, char *buf, size_t len) {
    /* The loss settings: the six older than the loss registry always, as the
     * checkpoints written before it list them; a later one only when it is
     * not at its default, so that adding a setting keeps those resumable. */
    enum { SETTINGS_BEFORE_REGISTRY = 6 };
    char settings[1024] = "";
    for (int i = 0; i < c->settings.n; i++) {
        const nn_loss_setting *s = nn_loss_settings(i);
        size_t used = strlen(settings);
        if (i < SETTINGS_BEFORE_REGISTRY || c->settings.value[i] != s->def)
            snprintf(settings + used, sizeof settings - used, "%s=%.17g\n", c->settings.name[i] + 2,
                     c->settings.value[i]);
    }
    snprintf(buf, len,
             "data=%s\nval-fraction=%.17g\narch=%s\nactivation=%s\nloss=%s\ngrad=%s\n"
             "optimizer=%s\nlr=%.17g\nmomentum=%.17g\nnesterov=%d\nweight-decay=%.17g\n"
             "teacher=%s\n%svalues=%s\nbatch=%d\nseed=%llu\n"
             "standardize=%d\nno-standardize=%d\nlabel=%s\nfeatures=%s\nimage-size=%s\nrgb=%d\n"
             "skip-bad=%d",
             c->data, c->val_fraction, c->arch, c->activation, c->loss, c->grad, c->optimizer, c->lr,
             c->momentum, c->nesterov, c->weight_decay, c->teacher ? c->teacher : "", settings,
             c->values ? c->values : "", c->batch, (unsigned long long)c->seed,
             c->standardize, c->no_standardize, c->label ? c->label : "",
             c->features ? c->features : "", c->image_size ? c->image_size : "", c->rgb,
             c->skip_bad);
    train_describe_extras(c, buf, len); /* train_extras.c: only what is not at its default */
}

/* Prints the first setting in which two run descriptions differ. */
static void explain_difference(const char *now, const char *then) {
    while (*now || *then) {
        size_t a = strcspn(now, "\n"), b = strcspn(then, "\n");
        if (a != b || strncmp(now, then, a) != 0) {
            cli_error(CMD, "--resume: this run has %.*s but the checkpoint was made with %.*s; "
                      "resume with the same settings", (int)a, now, (int)b, then);
            return;
        }
        now += a + (now[a] == '\n');
        then += b + (then[b] == '\n');
    }
}

/* The early-stopping state after a resume: under nn-mpi rank 0 read it, and
 * every rank needs it to stop at the same epoch (collective). */
static nn_status share_best(nn_early_stop *es, size_t n_params, nn_error *err) {
    if (dist_size() == 1 || !es) return NN_OK;
    nn_early_stop_state bs = nn_early_stop_get(es);
    dist_broadcast(&bs, sizeof bs);
    nn_real *params = NULL;
    if (nn_early_stop_params(es) && bs.epoch > 0) { /* restore_best: the weights too */
        params = malloc(n_params * sizeof *params);
        int ok = params != NULL;
        if (dist_any(!ok)) {
            free(params);
            return nn_set_error(err, NN_ERR_NOMEM, "out of memory for the best epoch's weights");
        }
        if (dist_rank() == 0) memcpy(params, nn_early_stop_params(es), n_params * sizeof *params);
        dist_broadcast(params, n_params * sizeof *params);
    }
    nn_status st = nn_early_stop_set(es, bs, params, params ? n_params : 0, err);
    free(params);
    return st;
}

/* Epochs ck->epoch + 1 .. c->epochs, each followed by its line, the curves
 * and a checkpoint; with --patience, until the monitored metric stops
 * improving. Returns the exit status. */
static int run_trainer(const train_config *c, nn_model *m, nn_optimizer *opt, nn_trainer *t,
                       const nn_dataset *val, const nn_dataset *test, nn_checkpoint_info *ck, train_curves *k,
                       nn_early_stop *es) {
    nn_error err;
    int warned = 0; /* about the jacobian mode's clamp, once per run */
    signals_catch();
    if (es && nn_early_stop_should_stop(es) && ck->epoch < c->epochs) { /* resumed after it stopped */
        nn_early_stop_state bs = nn_early_stop_get(es);
        if (!c->quiet)
            printf("the run stopped early after epoch %d: %s had not improved for %d epochs (best %.6g at epoch %d)\n",
                   ck->epoch, c->monitor, c->patience, bs.value, bs.epoch);
        k->stopped = ck->epoch;
        return 0;
    }
    for (int e = ck->epoch + 1; e <= c->epochs; e++) {
        nn_epoch_stats s;
        nn_eval_stats v = {.accuracy = NAN, .loss = NAN}, tv = {.accuracy = NAN, .loss = NAN};
        double mae = NAN, qwk = NAN, test_mae = NAN, test_qwk = NAN;
        nn_status st = nn_trainer_epoch(t, &s, &err);
        /* nn-mpi: each rank scores its rows, the figures are all ranks' */
        if (val) st = train_evaluate_part(t, m->g, val, &v, st, &err);
        if (test) st = train_evaluate_part(t, m->g, test, &tv, st, &err);
        if (val && k->ordinal) /* nn-mpi: every rank takes part, even after a failure */
            st = train_ordinal_scores(m, val, &mae, &qwk, st, &err);
        if (test && k->ordinal) st = train_ordinal_scores(m, test, &test_mae, &test_qwk, st, &err);
        if (!c->quiet && progress_wanted() && dist_size() == 1) progress_clear();
        if ((st = dist_agree(st, &err))) { /* under nn-mpi: every rank stops, or none */
            cli_error(CMD, "%s", err.msg);
            return 1;
        }
        train_reduce_stats(&s); /* under nn-mpi: over all ranks' rows */
        /* --monitor val_qwk watches the QWK the epoch line prints: by the
         * model's prediction rule, and exact over all ranks under nn-mpi */
        if (val && k->ordinal) v.qwk = qwk;
        if (train_check_ranks_agree(m->g, e, &err)) {
            cli_error(CMD, "%s", err.msg);
            return 1;
        }
        if (!c->quiet) {
            printf("epoch %3d/%d  loss %.4f  train acc %6.2f%%", e, c->epochs, s.loss,
                   100 * s.train_acc);
            if (val) printf("  val loss %.4f  val acc %6.2f%%", v.loss, 100 * v.accuracy);
            if (val && k->ordinal) printf("  val MAE %.4f  QWK %.4f", mae, qwk);
            if (test) printf("  test acc %6.2f%%", 100 * tv.accuracy);
            printf("  (%.2f s)\n", s.seconds);
            cli_flush_stdout();
        }
        if (s.clamped > 0 && dist_rank() == 0 && !warned++)
            fprintf(stderr, "nn train: warning: --grad jacobian: in epoch %d, %ld probabilities with target mass "
                            "were below the clamp NN_PROB_MIN = %g, so their rows' gradients were wrong (the "
                            "softmax's backward subtracts <dL/dp, p> from every class; a label at p ~ 0 gets no "
                            "gradient at all); --grad simplified is exact there (docs/losses.md); shown once per run\n",
                    e, s.clamped, (double)NN_PROB_MIN);
        const double at[N_CURVES] = {
            [CURVE_LOSS] = s.loss, [CURVE_TRAIN_ACC] = s.train_acc, [CURVE_VAL_ACC] = v.accuracy,
            [CURVE_VAL_MAE] = mae, [CURVE_VAL_QWK] = qwk, [CURVE_TEST_LOSS] = tv.loss, [CURVE_TEST_ACC] = tv.accuracy,
            [CURVE_VAL_LOSS] = v.loss, [CURVE_TEST_MAE] = test_mae, [CURVE_TEST_QWK] = test_qwk};
        for (int i = 0; i < N_CURVES; i++) k->y[i][e - 1] = at[i];
        if (es) nn_early_stop_update(es, m->g, e, &v);
        k->best_epoch = es ? nn_early_stop_get(es).epoch : 0;
        ck->epoch = e;
        ck->rng = nn_trainer_rng(t);
        train_curves_history_write(k, e);
        st = c->checkpoint && dist_rank() == 0 ? nn_checkpoint_save(m, opt, ck, c->checkpoint, &err)
                                               : NN_OK;
        if ((st = dist_agree(st, &err))) { /* rank 0 writes; nn-mpi: a signal stops here too */
            cli_error(CMD, "%s", err.msg);
            return 1;
        }
        int sig = dist_size() > 1 ? 0 : signals_caught(); /* nn-mpi: dist_agree, the hook */
        if (sig && e < c->epochs) {
            if (c->checkpoint)
                fprintf(stderr, "nn train: interrupted after epoch %d of %d (%s); checkpoint saved to %s "
                                "(continue with --resume)\n", e, c->epochs, signals_name(sig), c->checkpoint);
            else
                fprintf(stderr, "nn train: interrupted after epoch %d of %d (%s); nothing saved "
                                "(use --checkpoint FILE to be able to resume)\n", e, c->epochs, signals_name(sig));
            return 128 + sig; /* as a shell reports a process the signal ended */
        }
        if (es && nn_early_stop_should_stop(es) && e < c->epochs) {
            nn_early_stop_state bs = nn_early_stop_get(es);
            if (!c->quiet)
                printf("early stop after epoch %d: %s has not improved for %d epochs (best %.6g at epoch %d)\n", e,
                       c->monitor, c->patience, bs.value, bs.epoch);
            k->stopped = e;
            break;
        }
    }
    return 0;
}

/* Reads --checkpoint into m, opt and *ck (and the curves so far into k) if
 * it was made with the same settings; returns 0 after printing why not. */
static int resume_from(const train_config *c, nn_model *m, nn_optimizer *opt,
                       nn_checkpoint_info *ck, train_curves *k, nn_early_stop *es) {
    nn_error err;
    nn_checkpoint_info saved = {.epoch = 0};
    int found = 1;
    if (nn_checkpoint_load(m, opt, &saved, c->checkpoint, &err) ||
        (k->history && nn_checkpoint_history(c->checkpoint, k->history, k->history_cap, &err)) ||
        (es && nn_checkpoint_best(c->checkpoint, es, &found, &err))) {
        cli_error(CMD, "%s", err.msg);
        return 0;
    }
    if (!found && (c->patience > 0 || c->restore_best))
        cli_warn(CMD, "%s holds no best epoch (written by an older nn): %s%s counts from epoch %d on",
                 c->checkpoint, c->patience > 0 ? "--patience" : "", c->restore_best ? (c->patience > 0 ?
                 " and --restore-best" : "--restore-best") : "", saved.epoch + 1);
    if (!resume_check(CMD, c->data, ck->run, saved.run, sizeof saved.run, saved.epoch, c->epochs)) return 0;
    if (strcmp(saved.run, ck->run) != 0) {
        explain_difference(ck->run, saved.run);
        return 0;
    }
    *ck = saved;
    ck->history = k->history; /* load leaves these alone: this run's */
    ck->best = es;
    if (k->history) train_curves_history_read(k, k->history); /* --plot draws the whole run */
    if (!c->quiet) printf("resuming after epoch %d of %d from %s\n", ck->epoch, c->epochs, c->checkpoint);
    return 1;
}

/* The epochs of a run whose early-stopping state is es (NULL without
 * validation data), then the best epoch's weights put back (--restore-best)
 * and the model saved. */
static int run_with(const train_config *c, nn_model *m, nn_optimizer *opt, const nn_dataset *train,
                    const nn_dataset *val, const train_shard *shard, train_curves *k, nn_early_stop *es) {
    nn_error err;
    nn_checkpoint_info ck = {.epoch = 0, .history = k->history}; /* rank 0's curves go in the checkpoint */
    ck.best = es; /* every checkpoint keeps the best epoch so far */
    train_describe_run(c, ck.run, sizeof ck.run);
    if (c->checkpoint && !data_identity_append(CMD, c->data, ck.run, sizeof ck.run)) return 1;
    nn_rng_seed(&ck.rng, c->seed ^ 0x9E3779B97F4A7C15ULL); /* a stream apart from init and split */
    if (c->resume) {
        /* rank 0 reads the checkpoint (under nn-mpi, the others get it from rank 0) */
        if (!train_ranks_ready(dist_rank() > 0 || resume_from(c, m, opt, &ck, k, es))) return 1;
        train_share_state(m, opt, &ck);
        ck.best = es; /* rank 0's pointer came with the broadcast */
        if (dist_agree(share_best(es, nn_graph_n_params(m->g), &err), &err)) {
            cli_error(CMD, "%s", err.msg);
            return 1;
        }
    }
    nn_train_nodes nodes = {.x = m->x, .labels = m->labels, .probs = m->probs, .targets = m->targets};
    /* nn-mpi: no bar; its running loss would be rank 0's rows only */
    int bar = !c->quiet && progress_wanted() && dist_size() == 1;
    int rows_all = shard ? shard->n : train->n; /* nn-mpi: every rank's training rows */
    int steps = (rows_all + c->batch - 1) / c->batch;
    nn_lr_schedule sched = train_schedule(c, steps); /* train_extras.c; resumes from the step count */
    nn_trainer_options to = {.batch = c->batch, .first_epoch = ck.epoch + 1,
                             .on_step = bar ? progress_step : NULL,
                             .schedule = c->lr_schedule || c->warmup > 0 ? &sched : NULL,
                             .clip_grad_norm = c->clip_grad_norm, .values = m->data.values};
    nn_shard rows = {0};
    if (shard) { /* nn-mpi: this rank's rows of every batch, gradients summed over the ranks */
        rows = (nn_shard){.n = shard->n, .row = shard->row};
        to.shard = &rows;
        to.reduce_grads = dist_reduce_grads;
        to.reduce_norms = dist_reduce_norms; /* means not over rows (class weights, CORN) */
    }
    nn_trainer *t = nn_trainer_create(m->g, opt, &nodes, train, &to, &err);
    if (dist_agree(t ? NN_OK : err.code, &err)) {
        cli_error(CMD, "%s", err.msg);
        nn_trainer_free(t);
        return 1;
    }
    nn_trainer_set_rng(t, ck.rng);
    nn_dataset test = {0};
    int status = 0;
    if (c->test && !train_load_test(&test, c, m)) status = 1; /* nn-mpi: this rank's part */
    if (!status) status = run_trainer(c, m, opt, t, val, c->test ? &test : NULL, &ck, k, es);
    nn_trainer_free(t);
    nn_dataset_free(&test);
    /* what the saved model records of its training (nn_model_training) */
    m->trained = (nn_model_training){.epochs = ck.epoch, .epoch = ck.epoch, .value = NAN};
    nn_early_stop_state bs = es ? nn_early_stop_get(es) : (nn_early_stop_state){0};
    if (!status && c->restore_best && bs.epoch == 0)
        cli_warn(CMD, "--restore-best: no epoch had a finite %s; the last epoch's weights are kept", c->monitor);
    if (!status && c->restore_best && bs.epoch > 0) {
        if (nn_early_stop_restore(es, m->g, &err)) {
            cli_error(CMD, "%s", err.msg);
            return 1;
        }
        m->trained.epoch = bs.epoch;
        m->trained.value = bs.value;
        snprintf(m->trained.monitor, sizeof m->trained.monitor, "%s", c->monitor);
        if (!c->quiet)
            printf("restored the weights of epoch %d of %d, the best by %s (%.6g)%s\n", bs.epoch, ck.epoch,
                   c->monitor, bs.value, c->save ? "; they are what is saved, and the file says so" : "");
    }
    if (status) return status;
    if (!c->quiet && dist_size() > 1) {
        dist_reduce_stats r = dist_reduce_report();
        printf("%d ranks: %ld allreduces of %.0f bytes (%.2f MB), %.2f s in MPI_Allreduce on rank 0\n",
               dist_size(), r.steps, r.bytes_per_step, r.bytes_per_step / 1e6, r.seconds);
    }
    if (c->save) {
        if (dist_agree(dist_rank() == 0 ? nn_model_save(m, c->save, &err) : NN_OK, &err)) {
            cli_error(CMD, "%s", err.msg);
            return 1;
        }
        if (!c->quiet) printf("saved %s\n", c->save);
    }
    return 0;
}

static int run_epochs(const train_config *c, nn_model *m, nn_optimizer *opt, const nn_dataset *train,
                      const nn_dataset *val, const train_shard *shard, train_curves *k) {
    nn_error err;
    nn_early_stop *es = NULL; /* with validation data: the best epoch of --monitor */
    if (val) {
        nn_early_stop_options eo = {.monitor = (nn_monitor)nn_monitor_parse(c->monitor), .patience = c->patience,
                                    .min_delta = c->min_delta, .restore_best = c->restore_best};
        if (!(es = nn_early_stop_create(m->g, &eo, &err))) {
            cli_error(CMD, "%s", err.msg);
            return 1;
        }
    }
    int status = run_with(c, m, opt, train, val, shard, k, es);
    nn_early_stop_free(es);
    return status;
}

int train_run(const train_config *c, nn_model *m, nn_optimizer *opt, const nn_dataset *train,
              const nn_dataset *val, const train_shard *shard) {
    train_curves k;
    int status = 1;
    /* rank 0 keeps the curves in the checkpoint */
    if (!train_curves_init(&k, c->epochs, model_is_ordinal(m), dist_rank() == 0 && c->checkpoint))
        cli_error(CMD, "out of memory");
    else if ((status = run_epochs(c, m, opt, train, val, shard, &k)) != 1 && c->plot && dist_rank() == 0 &&
             !train_curves_plot(c, &k, val != NULL))
        status = 1; /* the curves of the epochs run are plotted, interrupted or not */
    train_curves_free(&k);
    return status;
}
