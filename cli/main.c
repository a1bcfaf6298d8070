/* main.c — `nn`, the command-line face of the library: one subcommand per
 * file in cli/, each with its own --help. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "blas_limits.h"
#include "commands.h"
#include "dist.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *what;
} commands[] = {
    {"train", cmd_train, "train a network and save it as a model file"},
    {"eval", cmd_eval, "accuracy, confusion matrix and ordinal metrics of a model on data"},
    {"predict", cmd_predict, "class, probabilities, E[X] and spread for images or CSV rows"},
    {"gradcheck", cmd_gradcheck, "analytic gradients against finite differences, per layer"},
    {"trace", cmd_trace, "one sample through the network, forward and backward, step by step"},
    {"graph", cmd_graph, "the layer graph as Graphviz DOT (or SVG), optionally annotated with a sample"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: nn COMMAND [OPTIONS]   (nn COMMAND --help for its options)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].what);
}

/* Whatever a command printed reached stdout, or the exit status says so: a
 * full disk or a closed pipe must not look like success. */
static int run(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return cli_finish_stdout(NULL, 0);
    }
    /* under mpirun, only training is split across the ranks */
    if (dist_size() > 1 && strcmp(argv[1], "train") != 0) {
        cli_note(NULL, "'%s' runs in one process: use nn %s, not mpirun (only train is "
                       "data-parallel)", argv[1], argv[1]);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return cli_finish_stdout(commands[i].name, commands[i].run(argc - 1, argv + 1));
    cli_note(NULL, "unknown command '%s' (see nn --help)", argv[1]);
    return EXIT_USAGE;
}

int main(int argc, char **argv) {
    if (!cli_fit_blas_to_limit()) return 1; /* first: under ulimit -v OpenBLAS can hang */
    if (dist_init(&argc, &argv)) return 1; /* dist_local.c in nn, mpi.c in nn-mpi */
    return dist_finish(run(argc, argv));
}
