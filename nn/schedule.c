/* schedule.c — learning-rate schedules as pure functions of the step (see
 * schedule.h for the formulas and their torch.optim.lr_scheduler
 * equivalents). Nothing here keeps state: the rate of step t is computed
 * from the settings and t alone. */
#include <math.h>
#include <string.h>

#include "nn/nn.h"

static const double PI = 3.14159265358979323846;
static const double ONECYCLE_DIV = 25;         /* torch's div_factor: the start is lr / 25 */
static const double ONECYCLE_FINAL_DIV = 1e4;  /* torch's final_div_factor (default lr_min) */

static const char *const names[] = {"constant", "step", "cosine", "onecycle"};

const char *nn_lr_schedule_name(nn_lr_schedule_kind kind) {
    return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : NULL;
}

int nn_lr_schedule_parse(const char *name) {
    for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
        if (name && strcmp(name, names[i]) == 0) return i;
    return -1;
}

nn_lr_schedule nn_lr_schedule_defaults(nn_lr_schedule_kind kind, double lr, long total) {
    nn_lr_schedule s = {.kind = kind, .lr = lr, .total = total, .gamma = 0.1};
    s.step_size = total / 3 > 1 ? total / 3 : 1;
    if (kind == NN_LR_ONECYCLE) {
        s.lr_min = lr / ONECYCLE_DIV / ONECYCLE_FINAL_DIV;
        s.warmup = lround(0.3 * (double)total) - 1;
        if (s.warmup < 1) s.warmup = 1;
    }
    return s;
}

nn_status nn_lr_schedule_check(const nn_lr_schedule *s, nn_error *err) {
    const char *name = nn_lr_schedule_name(s->kind);
    if (!name) return nn_set_error(err, NN_ERR_ARG, "lr schedule: unknown kind %d", (int)s->kind);
    if (!(s->lr > 0) || !isfinite(s->lr))
        return nn_set_error(err, NN_ERR_ARG, "lr schedule %s: lr must be positive and finite, got %g", name, s->lr);
    if (s->warmup < 0)
        return nn_set_error(err, NN_ERR_ARG, "lr schedule %s: warmup must be >= 0 steps, got %ld", name, s->warmup);
    switch (s->kind) {
    case NN_LR_CONSTANT: break;
    case NN_LR_STEP:
        if (s->step_size < 1)
            return nn_set_error(err, NN_ERR_ARG, "lr schedule step: step_size must be >= 1 step, got %ld", s->step_size);
        if (!(s->gamma > 0 && s->gamma <= 1))
            return nn_set_error(err, NN_ERR_ARG, "lr schedule step: gamma must be in (0, 1], got %g", s->gamma);
        break;
    case NN_LR_COSINE:
    case NN_LR_ONECYCLE: {
        int one = s->kind == NN_LR_ONECYCLE;
        if (!(s->lr_min >= 0 && s->lr_min <= s->lr) || (one && !(s->lr_min > 0)))
            return nn_set_error(err, NN_ERR_ARG, "lr schedule %s: lr_min must be in %s, %g], got %g", name,
                                one ? "(0" : "[0", s->lr, s->lr_min);
        if (one && s->warmup < 1)
            return nn_set_error(err, NN_ERR_ARG, "lr schedule onecycle: warmup (the rising phase) must be >= 1 step");
        long need = s->warmup + 1 + one; /* cosine: T = total − W ≥ 1; onecycle: a falling phase */
        if (s->total < need)
            return nn_set_error(err, NN_ERR_ARG,
                                "lr schedule %s: %ld steps in all leave none after %ld of warm-up (need >= %ld)",
                                name, s->total, s->warmup, need);
        break;
    }
    }
    return NN_OK;
}

/* From `from` at pct = 0 to `to` at pct = 1 along half a cosine (torch's _annealing_cos). */
static double cos_between(double from, double to, double pct) {
    return to + (from - to) / 2 * (cos(PI * pct) + 1);
}

double nn_lr_schedule_at(const nn_lr_schedule *s, long t) {
    const double lr = s->lr;
    const long W = s->warmup;
    if (t < 0) t = 0;
    if (s->kind == NN_LR_ONECYCLE) {
        long last = s->total - 1;
        if (t <= W) return cos_between(lr / ONECYCLE_DIV, lr, (double)t / (double)W);
        if (t >= last) return s->lr_min;
        return cos_between(lr, s->lr_min, (double)(t - W) / (double)(last - W));
    }
    if (t < W) return lr * (double)(t + 1) / (double)(W + 1);
    long after = t - W;
    switch (s->kind) {
    case NN_LR_STEP: return lr * pow(s->gamma, (double)(after / s->step_size));
    case NN_LR_COSINE: {
        long T = s->total - W;
        if (after >= T) return s->lr_min;
        return s->lr_min + (lr - s->lr_min) * (1 + cos(PI * (double)after / (double)T)) / 2;
    }
    default: return lr;
    }
}
