/* graph.c — `nn graph`: the layer graph as Graphviz DOT on stdout, or as an
 * SVG picture with --svg (Graphviz's dot draws it). With --data, one
 * sample's forward value and gradient norm annotate every node.
 *
 * The SVG is written atomically: DOT goes to a temporary file, dot writes
 * FILE.tmp.XXXXXX beside FILE, and that is fsynced and renamed over FILE only
 * when dot succeeded. dot runs with an argument vector (posix_spawnp), no shell. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "model_source.h"
#include "paths.h"

#define CMD "graph"

extern char **environ;

/* Runs `dot -Tsvg dot_path -o svg_path`; 1 on success, else prints why. */
static int run_dot(const char *dot_path, const char *svg_path) {
    char *argv[] = {"dot", "-Tsvg", (char *)dot_path, "-o", (char *)svg_path, NULL};
    pid_t pid;
    int e = posix_spawnp(&pid, "dot", NULL, NULL, argv, environ);
    if (e == ENOENT) {
        cli_error(CMD, "--svg: Graphviz's dot is not installed (Debian: apt-get install graphviz; "
                       "make walkthrough installs it); without --svg, nn graph writes DOT to stdout");
        return 0;
    }
    if (e) {
        cli_error(CMD, "--svg: cannot run dot: %s", strerror(e));
        return 0;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            cli_error(CMD, "--svg: waiting for dot: %s", strerror(errno));
            return 0;
        }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        cli_error(CMD, "--svg: dot failed (%s %d)", WIFEXITED(status) ? "exit status" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return 0;
    }
    return 1;
}

/* Flushes the file dot wrote to the disk before it is renamed, so that a
 * crash cannot leave FILE empty; 1 on success, else prints why. */
static int sync_file(const char *svg, const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        cli_error(CMD, "--svg %s: %s: %s", svg, path, strerror(errno));
        if (fd >= 0) close(fd);
        return 0;
    }
    close(fd);
    return 1;
}

/* DOT to a temporary file, dot to FILE.tmp.XXXXXX, fsync, rename to FILE. */
static int write_svg(const nn_graph *g, const nn_dot_options *o, const char *svg) {
    const char *tmpdir = getenv("TMPDIR");
    char dot_path[4096], svg_tmp[4096];
    if (snprintf(dot_path, sizeof dot_path, "%s/nn_graph_XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") >=
            (int)sizeof dot_path ||
        snprintf(svg_tmp, sizeof svg_tmp, "%s.tmp.XXXXXX", svg) >= (int)sizeof svg_tmp) {
        cli_error(CMD, "--svg %s: path too long", svg);
        return 0;
    }
    int fd = mkstemp(dot_path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        cli_error(CMD, "cannot create a temporary file in %s: %s", tmpdir && *tmpdir ? tmpdir : "/tmp",
                  strerror(errno));
        if (fd >= 0) close(fd), unlink(dot_path);
        return 0;
    }
    nn_error err;
    int ok = nn_graph_write_dot(f, g, o, &err) == NN_OK;
    if (!ok) cli_error(CMD, "%s: %s", dot_path, err.msg);
    if (fclose(f) != 0 && ok) {
        cli_error(CMD, "%s: %s", dot_path, strerror(errno));
        ok = 0;
    }
    int sfd = ok ? mkstemp(svg_tmp) : -1;
    if (ok && sfd < 0) {
        cli_error(CMD, "--svg %s: cannot create %s: %s", svg, svg_tmp, strerror(errno));
        ok = 0;
    }
    if (sfd >= 0) { /* mkstemp made it 0600; a picture is as readable as any new file */
        mode_t mask = umask(0);
        umask(mask);
        if (fchmod(sfd, 0666 & ~mask) != 0) {
            cli_error(CMD, "--svg %s: %s: %s", svg, svg_tmp, strerror(errno));
            ok = 0;
        }
        close(sfd);
    }
    ok = ok && run_dot(dot_path, svg_tmp) && sync_file(svg, svg_tmp);
    if (ok && rename(svg_tmp, svg) != 0) {
        cli_error(CMD, "--svg %s: %s", svg, strerror(errno));
        ok = 0;
    }
    if (!ok && sfd >= 0) unlink(svg_tmp);
    unlink(dot_path);
    return ok;
}

int cmd_graph(int argc, char **argv) {
    model_source src = {.seed = 1, .label = -1};
    const char *svg = NULL;
    const arg_option own[] = {
        OPT_STRING("--svg", &svg, "FILE", "draw the graph with Graphviz's dot into FILE instead of DOT on stdout"),
        OPT_END,
    };
    arg_option opts[48];
    if (!model_source_options(&src, CMD, own, opts, 48)) return 1;
    const char *pos[1];
    int n_pos;
    int r = args_parse(CMD, "[MODEL | --arch SIZES] [--svg FILE] [--data PATH --index I] [OPTIONS]", opts,
                       argc, argv, pos, 1, &n_pos);
    if (r) return ARGS_EXIT(r);
    const cli_path outputs[] = {{"--svg", svg, 0}};
    const cli_path inputs[] = {{"MODEL", n_pos ? pos[0] : NULL, 0}, {"--data", src.data, 1}};
    if (!paths_check(CMD, outputs, 1, inputs, 2)) return EXIT_USAGE;
    if (!model_source_check(&src, CMD, n_pos ? pos[0] : NULL)) return EXIT_USAGE;
    nn_model m;
    if (!model_source_open(&m, CMD, &src, n_pos ? pos[0] : NULL, 1, -1)) return 1;
    nn_graph *g = m.g;
    char arch[256], title[512];
    nn_arch_format_sizes(&m.arch, arch, sizeof arch);
    int n = snprintf(title, sizeof title, "%s, %s, loss %s, %s gradients", arch, m.arch.activation, m.arch.loss,
                     m.arch.grad == NN_GRAD_JACOBIAN ? "jacobian" : "simplified");
    nn_dot_options o = {.predictions = m.probs, .title = title};
    if (src.data) { /* annotate with one sample, forward and backward */
        nn_error err;
        if (nn_input_requires_grad(g, m.x, &err)) {
            cli_error(CMD, "%s", err.msg);
            nn_model_free(&m);
            return 1;
        }
        nn_graph_zero_grad(g);
        nn_graph_forward(g, 1);
        if (nn_graph_backward(g, 1)) {
            cli_error(CMD, "--data %s, row %d: %s", src.data, src.index, nn_graph_run_error(g));
            nn_model_free(&m);
            return 1;
        }
        o.annotate = 1;
        snprintf(title + n, sizeof title - (size_t)n, "; sample %d of %s, label %d", src.index, src.data,
                 (int)nn_label_data(g, m.labels)[0]);
    }
    int ok;
    if (svg) {
        ok = write_svg(g, &o, svg);
        if (ok) printf("graph of %s drawn by Graphviz's dot into %s\n", arch, svg);
    } else {
        nn_error err;
        /* a failed write is reported once, by main's check of stdout at exit
         * ("write error: No space left on device") */
        ok = nn_graph_write_dot(stdout, g, &o, &err) == NN_OK;
    }
    nn_model_free(&m);
    return ok ? 0 : 1; /* main checks stdout's writes at exit */
}
