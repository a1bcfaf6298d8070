#include "commands.h"
int cmd_gradcheck(int argc, char **argv) { (void)argc; (void)argv; return 1; }
