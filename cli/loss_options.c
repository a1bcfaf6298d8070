/* loss_options.c — see loss_options.h. */
#include <stdio.h>
#include <string.h>

#include "loss_options.h"

/* "kl or distill", "mean-variance": the names of the losses `pick` accepts. */
static void name_losses(int (*pick)(const nn_loss_info *l, const void *arg), const void *arg,
                        char *buf, size_t len) {
    int n = 0, total = 0;
    for (int i = 0; nn_losses(i); i++) total += pick(nn_losses(i), arg);
    buf[0] = '\0';
    for (int i = 0; nn_losses(i); i++) {
        if (!pick(nn_losses(i), arg)) continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", n == 0 ? "" : n == total - 1 ? " or " : ", ",
                 nn_losses(i)->name);
        n++;
    }
}

static int reads(const nn_loss_info *l, const void *key) { return nn_loss_reads(l, key); }

static int needs(const nn_loss_info *l, const void *flags) {
    return (l->needs & *(const unsigned *)flags) == *(const unsigned *)flags;
}

/* The losses reading setting `key`. */
static void readers(const char *key, char *buf, size_t len) { name_losses(reads, key, buf, len); }

void loss_options_with(unsigned flags, char *buf, size_t len) { name_losses(needs, &flags, buf, len); }

void loss_options_init(loss_options *l, const char *prefix) {
    memset(l, 0, sizeof *l);
    nn_arch a = nn_arch_defaults();
    for (int i = 0; nn_loss_settings(i); i++, l->n++) {
        const nn_loss_setting *s = nn_loss_settings(i);
        char who[160];
        readers(s->key, who, sizeof who);
        l->value[i] = a.setting[i];
        snprintf(l->name[i], sizeof l->name[i], "--%s", s->key);
        for (char *c = l->name[i]; *c; c++)
            if (*c == '_') *c = '-';
        /* the range and the default are added by --help from the table (args.c);
         * a choice, given as text, says its default itself */
        if (s->choices) {
            l->choice[i] = nn_loss_setting_choice_name(s, s->def);
            snprintf(l->help[i], sizeof l->help[i], "%s%s: %s (default %s)", prefix, who, s->help, l->choice[i]);
        } else {
            snprintf(l->help[i], sizeof l->help[i], "%s%s: %s", prefix, who, s->help);
        }
    }
    size_t used = (size_t)snprintf(l->loss_help, sizeof l->loss_help, "%sthe loss: ", prefix);
    for (int i = 0; nn_losses(i) && i < LOSS_OPTIONS_MAX_LOSSES; i++) {
        l->names[i] = nn_losses(i)->name;
        if (used < sizeof l->loss_help)
            used += (size_t)snprintf(l->loss_help + used, sizeof l->loss_help - used, "%s%s%s",
                                     i ? ", " : "", l->names[i], i ? "" : " (default)");
    }
}

static int count(const arg_option *o) {
    int n = 0;
    while (o[n].name) n++;
    return n;
}

int loss_options_table(loss_options *l, const arg_option *before, const arg_option *after,
                       arg_option *out, int cap) {
    int nb = count(before), na = count(after);
    if (nb + l->n + na + 1 > cap) return 0;
    memcpy(out, before, (size_t)nb * sizeof *out);
    for (int i = 0; i < l->n; i++) {
        const nn_loss_setting *s = nn_loss_settings(i);
        out[nb + i] = (arg_option){.name = l->name[i], .kind = ARG_REAL, .dest = &l->value[i],
                                   .metavar = s->metavar, .help = l->help[i], .min = s->min,
                                   .max = s->max, .min_open = s->min_open};
        if (s->choices) out[nb + i] = (arg_option){.name = l->name[i], .kind = ARG_STRING, .dest = &l->choice[i],
                                                   .metavar = s->metavar, .help = l->help[i]};
    }
    memcpy(out + nb + l->n, after, (size_t)(na + 1) * sizeof *out);
    return 1;
}

const char *loss_options_given(const loss_options *l, const arg_option *opts) {
    for (int i = 0; i < l->n; i++)
        if (args_find(opts, l->name[i])->seen) return l->name[i];
    return NULL;
}

const nn_loss_info *loss_options_check(const loss_options *l, const char *cmd,
                                       const arg_option *opts, const char *loss) {
    if (!args_choice(cmd, "--loss", loss, l->names)) return NULL;
    const nn_loss_info *entry = nn_loss_find(loss);
    for (int i = 0; i < l->n; i++) {
        const char *key = nn_loss_settings(i)->key;
        if (nn_loss_settings(i)->choices && !args_choice(cmd, l->name[i], l->choice[i], nn_loss_settings(i)->choices))
            return NULL;
        if (args_find(opts, l->name[i])->seen && !nn_loss_reads(entry, key)) {
            char who[160];
            readers(key, who, sizeof who);
            cli_error(cmd, "%s is a setting of --loss %s, not %s", l->name[i], who, loss);
            return NULL;
        }
    }
    return entry;
}

void loss_options_apply(const loss_options *l, nn_arch *a) {
    for (int i = 0; i < l->n; i++) {
        int c = nn_loss_setting_choice(nn_loss_settings(i), l->choice[i]); /* −1: a number */
        a->setting[i] = c >= 0 ? c : l->value[i];
    }
}
