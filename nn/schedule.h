/* schedule.h — learning-rate schedules: the rate of each optimizer step as
 * a pure function of the step number. Included by nn.h; do not include
 * directly.
 *
 * Usage
 * -----
 *     nn_lr_schedule s = nn_lr_schedule_defaults(NN_LR_COSINE, 0.05, total_steps);
 *     s.warmup = steps_per_epoch;                  // one epoch of warm-up
 *     if (nn_lr_schedule_check(&s, &err)) ...
 *     // before every step (the rate of step t, counting from 0):
 *     nn_optimizer_set_lr(opt, nn_lr_schedule_at(&s, nn_optimizer_steps(opt)));
 *     nn_optimizer_step(opt);
 *
 * The unit is the optimizer step (one mini-batch), for warmup, step_size and
 * total alike. Since the rate depends only on the settings and the step
 * count, a run that restores both (checkpoints keep them) continues its
 * schedule exactly.
 *
 * Warm-up (W = warmup steps, every kind): steps 0 … W−1 rise linearly,
 *     lr(t) = lr · (t + 1)/(W + 1),
 * and step W is the first at the full rate lr. Then, with t' = t − W:
 *
 *   kind      rate after warm-up                       PyTorch equivalent
 *   constant  lr                                       LinearLR(start_factor=1/(W+1),
 *                                                        total_iters=W) alone
 *   step      lr · gamma^⌊t'/step_size⌋                SequentialLR([LinearLR(…),
 *                                                        StepLR(step_size, gamma)], [W])
 *   cosine    lr_min + (lr − lr_min)(1 + cos(π t'/T))/2,  SequentialLR([LinearLR(…),
 *             T = total − W; lr_min from t' ≥ T on       CosineAnnealingLR(T_max=T,
 *                                                        eta_min=lr_min)], [W])
 *   onecycle  no linear warm-up: from lr/25 at step 0     OneCycleLR(max_lr=lr,
 *             up to lr at step W, then down to lr_min     total_steps=total,
 *             at step total − 1, both halves cosine;      pct_start=(W+1)/total,
 *             lr_min from there on                        div_factor=25,
 *                                                        final_div_factor=lr/(25·lr_min),
 *                                                        cycle_momentum=False)
 * (With W = 0 the LinearLR part is absent.) tests/golden/schedule_ref.py
 * computes these with torch.optim.lr_scheduler; the tests compare every step.
 * Unlike CosineAnnealingLR, which rises again after T_max, cosine stays at
 * lr_min; OneCycleLR raises an error past total_steps, onecycle stays at
 * lr_min. onecycle does not cycle the momentum.
 */
#ifndef NN_SCHEDULE_H
#define NN_SCHEDULE_H

typedef enum { NN_LR_CONSTANT, NN_LR_STEP, NN_LR_COSINE, NN_LR_ONECYCLE } nn_lr_schedule_kind;

typedef struct {
    nn_lr_schedule_kind kind;
    double lr;        /* the rate after warm-up (onecycle: the peak), > 0 */
    double lr_min;    /* cosine, onecycle: the final rate, in [0, lr] (onecycle: > 0) */
    long   warmup;    /* W ≥ 0 steps of warm-up (onecycle: the rising phase, ≥ 1) */
    long   total;     /* cosine, onecycle: the steps of the whole run, > W (onecycle: > W + 1) */
    long   step_size; /* step: multiply by gamma every step_size ≥ 1 steps */
    double gamma;     /* step: in (0, 1] */
} nn_lr_schedule;

/* A schedule of `kind` at rate lr over total steps, with torch's defaults:
 * no warm-up (onecycle: W = round(0.3·total) − 1, at least 1, as
 * pct_start = 0.3), lr_min 0 (onecycle: lr/25/1e4, as final_div_factor =
 * 1e4), step_size = max(1, total/3) and gamma 0.1. */
nn_lr_schedule nn_lr_schedule_defaults(nn_lr_schedule_kind kind, double lr, long total);

/* NN_OK, or NN_ERR_ARG naming the first setting out of range. */
nn_status nn_lr_schedule_check(const nn_lr_schedule *s, nn_error *err);

/* The rate of step t ≥ 0 (steps taken before it); s must pass the check. */
double nn_lr_schedule_at(const nn_lr_schedule *s, long t);

/* "constant", "step", "cosine", "onecycle"; NULL for an unknown kind. */
const char *nn_lr_schedule_name(nn_lr_schedule_kind kind);
/* The kind named `name`, or -1. */
int nn_lr_schedule_parse(const char *name);

#endif
