/* commands.h — the nn subcommands; each returns the process exit status
 * (0 success, 1 failure, 2 usage error). argv[0] is the subcommand name. */
#ifndef NN_CLI_COMMANDS_H
#define NN_CLI_COMMANDS_H

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_gradcheck(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_graph(int argc, char **argv);

#endif
