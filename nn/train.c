/* train.c — nn_train, a whole run in one call: a loop over nn_trainer_epoch
 * (trainer.c) with an evaluation on the test set after each epoch. Prints
 * nothing; the callback gets each epoch's figures.
 */
#include "nn/trainer.h"

nn_status nn_train(nn_graph *g, nn_optimizer *opt, const nn_train_nodes *nodes,
                   const nn_dataset *train, const nn_dataset *test, const nn_train_options *o,
                   nn_epoch_callback cb, void *user, nn_error *err) {
    if (!o) return nn_set_error(err, NN_ERR_ARG, "train: no options");
    if (o->epochs < 0) return nn_set_error(err, NN_ERR_ARG, "train: epochs must be >= 0");
    nn_trainer_options to = {.batch = o->batch,
                             .seed = o->seed,
                             .first_epoch = o->first_epoch,
                             .on_nonfinite = o->on_nonfinite,
                             .adapt_threads = o->adapt_threads};
    nn_trainer *t = nn_trainer_create(g, opt, nodes, train, &to, err);
    if (!t) return err ? err->code : NN_ERR_ARG;
    nn_status st = NN_OK;
    nn_eval_stats v;
    if (test) st = nn_trainer_check_data(t, test, "train: the test data", err);
    if (o->rng) nn_trainer_set_rng(t, *o->rng);
    while (!st && nn_trainer_next_epoch(t) <= o->epochs) {
        nn_epoch_stats s;
        if ((st = nn_trainer_epoch(t, &s, err))) break;
        if (o->rng) *o->rng = nn_trainer_rng(t);
        if (test) {
            if ((st = nn_trainer_evaluate(t, test, &v, err))) break;
            s.test_acc = v.accuracy;
        }
        if (cb) cb(&s, user);
    }
    nn_trainer_free(t);
    return st;
}
