# nn — build, test, demo. `make help` lists the targets.
#
#   make              libnn.a, libnn.so, the nn program and the examples (float)
#   make demo         train 784-256-128-10 on Fashion-MNIST
#   make test         the Check suite, in double and in float precision
#   make walkthrough  backpropagation step by step, with finite differences; its graph drawn by Graphviz
#   make ordinal      eight ordinal losses (softmax, CORAL, CORN, cumulative logit and probit), 5 splits
#   make distill      distillation at T = 1..8: two regimes, two teachers, 5 seeds
#   make bench        nn against PyTorch and the sgemm bound (bench-compare BASE=REV: against REV)
#   make asan         the Check suite under AddressSanitizer + UBSan
#   make valgrind     the Check suite under valgrind memcheck
#   make fuzz         every parser under libFuzzer (FUZZ_SECONDS each)
#   make install      PREFIX=/usr/local: library, headers, nn.pc, bin/nn
#   make mpi          build/nn-mpi: data-parallel `nn train` under mpirun
#   make bench-mpi    epoch time on 1 and 2 ranks, allreduce time and bytes
#
# Missing Debian packages are installed first (apt-get, with sudo when not
# root). REAL=double builds the library with nn_real = double.

REAL   ?= float
SAN    ?=
CC     ?= cc
OPT    ?= -O2

ifeq ($(REAL),double)
  BUILD    := build/double
  REALFLAG := -DNN_DOUBLE
else ifeq ($(REAL),float)
  BUILD    := build
  REALFLAG :=
else
  $(error REAL must be float or double, not '$(REAL)')
endif
ifeq ($(SAN),1)
  BUILD    := $(BUILD)/asan
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  OPT      := -O1
endif

DEB_PACKAGES  := libc6-dev libopenblas-dev libstb-dev check zlib1g-dev pkg-config
DEMO_PACKAGES := dataset-fashion-mnist
FMNIST        := /usr/share/datasets/fashion-mnist

# Recursive (=) so that pkg-config runs only after `deps` has installed it.
PKGS      = openblas zlib
CPPFLAGS  = -I. $(REALFLAG) $(EXTRA_CPPFLAGS) -D_POSIX_C_SOURCE=200809L $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS    = -std=c11 -Wall -Wextra -Werror -g $(OPT) -fPIC -MMD -MP $(SANFLAGS)
LDFLAGS   = $(SANFLAGS)
LDLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CHECKLIBS = $(shell pkg-config --libs check 2>/dev/null)

LIB_SRC  := $(wildcard nn/*.c nn/*/*.c layers/*.c losses/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
EX_SRC   := $(wildcard examples/*.c)
EX_BIN   := $(EX_SRC:examples/%.c=$(BUILD)/%)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(BUILD)/nn_tests

# Objects that pattern rules reach only through another target are kept (no
# "rm" of intermediates), so a rebuild compiles only what changed.
.PRECIOUS: $(BUILD)/obj/%.o
.PHONY: all deps demo-deps test check asan demo clean help
.DEFAULT_GOAL := all

all: $(BUILD)/libnn.a $(BUILD)/libnn.so $(EX_BIN)

help:
	@sed -n '3,19p' Makefile | sed 's/^# \{0,1\}//'

# Installs what is missing and says so in one line; apt's own output goes to
# build/apt.log and is shown only when the install fails. The package lists
# are fetched (`apt-get update`) only when there are none yet or an install
# from the present ones fails, so a fresh machine updates them once.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "nn: installing Debian packages:$$missing (apt-get; log in build/apt.log)"; \
	  mkdir -p build; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  apt_install() { $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    -o Dpkg::Use-Pty=0 --no-install-recommends $$missing >>build/apt.log 2>&1; }; \
	  { ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 && apt_install; } || \
	  { $$SUDO apt-get update -qq >>build/apt.log 2>&1 && apt_install; } || \
	  { echo "nn: could not install:$$missing; the end of build/apt.log:" >&2; \
	    tail -n 15 build/apt.log >&2; exit 1; }; \
	fi
endef

# A bare Debian has make but no C compiler: gcc comes with the rest.
build/.deps-ok:
	$(call install_missing,$(DEB_PACKAGES) $(if $(shell command -v $(CC) 2>/dev/null),,gcc))
	@mkdir -p build && touch $@
deps: build/.deps-ok

demo-deps: deps
	$(call install_missing,$(DEMO_PACKAGES))

$(BUILD)/obj/%.o: %.c | build/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libnn.a: $(LIB_OBJ)
	ar rcs $@ $^

# The shared library exports the public API only: every nn_* function
# declared in the public headers. Internal helpers (nn_graph_add_node,
# nn_loss_add, the JSON and safetensors readers ...) stay local.
# The public headers are nn/nn.h and the area headers it includes: the same
# list is exported, installed and checked by the CLI suite's link test.
PUBLIC_HEADERS := nn/nn.h $(addprefix nn/,$(shell sed -n 's/^\#include "\(.*\)"/\1/p' nn/nn.h))
$(BUILD)/libnn.map: $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@{ echo '{ global:'; grep -ohE '\bnn_[a-z0-9_]+[[:space:]]*\(' $^ | tr -d '( \t' | sort -u | sed 's/$$/;/'; \
	   echo 'local: *; };'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/libnn.so: $(LIB_OBJ) $(BUILD)/libnn.map
	$(CC) -shared $(LDFLAGS) -Wl,--version-script=$(BUILD)/libnn.map -o $@ $(LIB_OBJ) $(LDLIBS)

$(BUILD)/%: $(BUILD)/obj/examples/%.o $(BUILD)/libnn.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# One SUITE(test_NAME) line per tests/test_NAME.c (see tests/main.c).
# Regenerated on every run but rewritten only when the list changes, so that
# removing a test file (which no timestamp can show) also rebuilds main.o.
$(BUILD)/suites.inc: FORCE
	@mkdir -p $(dir $@)
	@for f in $(sort $(notdir $(basename $(wildcard tests/test_*.c)))); do echo "SUITE($$f)"; done > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
.PHONY: FORCE
FORCE:
$(BUILD)/obj/tests/main.o: EXTRA_CPPFLAGS += -I$(BUILD)
$(BUILD)/obj/tests/main.o: $(BUILD)/suites.inc

# The test binary wraps malloc/calloc/realloc/free so a test can count the
# library's allocations during a training step (tests/test_alloc.c).
$(TEST_BIN): $(TEST_OBJ) $(BUILD)/libnn.a
	$(CC) $(LDFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc -o $@ $^ $(CHECKLIBS) $(LDLIBS)

check: $(TEST_BIN)
	@echo "nn: running the Check suite (REAL=$(REAL)$(if $(SAN), with ASan+UBSan))"
	cd tests && CK_FORK=yes ../$(TEST_BIN)

# Gradient checks are exact in double; numerics (±1e4 logits, underflow)
# matter most in float. Both run.
# The builds use every core (JOBS); the suites run one after the other.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) REAL=double check
	@$(MAKE) --no-print-directory -j$(JOBS) REAL=float check

asan: deps
	@$(MAKE) --no-print-directory -j$(JOBS) REAL=double SAN=1 check
	@$(MAKE) --no-print-directory -j$(JOBS) REAL=float SAN=1 check

demo: demo-deps $(BUILD)/fashion_mnist
	$(BUILD)/fashion_mnist $(FMNIST)

clean:
	rm -rf build

# ------------------------------------------------------------ losses
# Golden values for the loss and lr-schedule tests, from PyTorch in float64. The header is
# committed; `make test` reads it and never needs Python.
.PHONY: golden
golden:
	/usr/bin/python3 tests/golden/losses_ref.py > tests/golden/losses_ref.h.tmp
	sync tests/golden/losses_ref.h.tmp
	mv tests/golden/losses_ref.h.tmp tests/golden/losses_ref.h
	/usr/bin/python3 tests/golden/schedule_ref.py > tests/golden/schedule_ref.h.tmp
	mv tests/golden/schedule_ref.h.tmp tests/golden/schedule_ref.h
	/usr/bin/python3 tests/golden/ordinal_heads_ref.py > tests/golden/ordinal_heads_ref.h.tmp
	mv tests/golden/ordinal_heads_ref.h.tmp tests/golden/ordinal_heads_ref.h


# ------------------------------------------ data, model files, nn CLI
# Image folders are decoded with stb_image (libstb: implementations included).
PKGS += stb

# The `nn` program: one file per subcommand in cli/, linked with libnn.a.
CLI_SRC := $(filter-out cli/mpi.c,$(wildcard cli/*.c)) # mpi.c: nn-mpi only (below)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
CLI_BIN := $(BUILD)/nn
.PHONY: cli
cli: $(CLI_BIN)
all: $(CLI_BIN)
$(CLI_BIN): $(CLI_OBJ) $(BUILD)/libnn.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The CLI suite runs the program it was built with (tests/test_cli.c), and
# installs this build into a scratch prefix (skipped under sanitizers).
$(TEST_BIN): | $(CLI_BIN) $(BUILD)/libnn.so

# make install PREFIX=/some/prefix [DESTDIR=...]: the libraries, the public
# headers (nn/nn.h and the area headers it includes) under include/nn/, an
# nn.pc for pkg-config, and bin/nn. make uninstall removes exactly those.
PREFIX  ?= /usr/local
DESTDIR ?=
NN_VERSION      := 0.1.0
INSTALL_HEADERS  = $(PUBLIC_HEADERS)
INSTALL_ROOT     = $(DESTDIR)$(PREFIX)
.PHONY: install uninstall
install: $(BUILD)/libnn.a $(BUILD)/libnn.so $(CLI_BIN)
	install -d $(INSTALL_ROOT)/lib/pkgconfig $(INSTALL_ROOT)/include/nn $(INSTALL_ROOT)/bin
	install -m 644 $(BUILD)/libnn.a $(INSTALL_ROOT)/lib/libnn.a
	install -m 755 $(BUILD)/libnn.so $(INSTALL_ROOT)/lib/libnn.so
	install -m 644 $(INSTALL_HEADERS) $(INSTALL_ROOT)/include/nn/
	install -m 755 $(CLI_BIN) $(INSTALL_ROOT)/bin/nn
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: nn' 'Description: minimal neural-network training with hand-written backward passes' \
	  'Version: $(NN_VERSION)' 'Requires.private: $(PKGS)' \
	  'Cflags: -I$${includedir}$(if $(REALFLAG), $(REALFLAG))' 'Libs: -L$${libdir} -lnn' \
	  'Libs.private: -lm' > $(INSTALL_ROOT)/lib/pkgconfig/nn.pc
	@echo "nn: installed into $(INSTALL_ROOT) (REAL=$(REAL))"

uninstall:
	rm -f $(INSTALL_ROOT)/lib/libnn.a $(INSTALL_ROOT)/lib/libnn.so \
	  $(INSTALL_ROOT)/lib/pkgconfig/nn.pc $(INSTALL_ROOT)/bin/nn \
	  $(addprefix $(INSTALL_ROOT)/include/nn/,$(notdir $(INSTALL_HEADERS)))
	-rmdir $(INSTALL_ROOT)/include/nn 2>/dev/null


# ------------------------------------------------------ examples
# Each example prints its results and writes its figures (SVG) to EXAMPLES_OUT.
# The walkthrough runs in double so that finite differences match to ~1e-10.
# ordinal reads Fair's marriage ratings from python3-statsmodels (a CSV file),
# then fits statsmodels' OrderedModel on the same splits when Python can;
# distill uses Fashion-MNIST, like the demo.
EXAMPLES_OUT     ?= build/examples-out
ORDINAL_PACKAGES := python3-statsmodels
.PHONY: walkthrough ordinal ordinal-deps distill

# Graphviz draws the walkthrough's graph (and `nn graph --svg`).
GRAPH_PACKAGES := graphviz
walkthrough: deps
	$(call install_missing,$(GRAPH_PACKAGES))
	@$(MAKE) -s --no-print-directory REAL=double build/double/walkthrough
	@mkdir -p $(EXAMPLES_OUT)
	build/double/walkthrough $(EXAMPLES_OUT)
	dot -Tsvg $(EXAMPLES_OUT)/walkthrough_graph.dot -o $(EXAMPLES_OUT)/walkthrough_graph.svg
	@echo "walkthrough: the graph drawn into $(EXAMPLES_OUT)/walkthrough_graph.svg"

ordinal-deps: deps
	$(call install_missing,$(ORDINAL_PACKAGES))

ordinal: ordinal-deps $(BUILD)/ordinal
	@mkdir -p $(EXAMPLES_OUT)
	$(BUILD)/ordinal $(EXAMPLES_OUT)
	@echo; echo "== fair, the classical reference on the same splits (examples/ordered_model.py):"
	@if [ -x /usr/bin/python3 ]; then /usr/bin/python3 examples/ordered_model.py $(EXAMPLES_OUT); \
	 else echo "  OrderedModel       skipped: /usr/bin/python3 is not installed"; fi

# distill takes nn train's options, parsed and checked by nn train's own code.
DISTILL_CLI := args dist_local loss_options train_extras train_options
$(BUILD)/distill: $(BUILD)/obj/examples/distill.o $(DISTILL_CLI:%=$(BUILD)/obj/cli/%.o) $(BUILD)/libnn.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(TEST_BIN): | $(BUILD)/distill

distill: demo-deps $(BUILD)/distill
	@mkdir -p $(EXAMPLES_OUT)
	$(BUILD)/distill $(EXAMPLES_OUT)


# --------------------------------------------------- performance
# `make bench`: nn and PyTorch side by side on the demo network (README,
# section "Performance"). PyTorch runs first, with one and then two threads,
# each writing `key value` lines; bench_epoch then measures nn and prints the
# table. Without torch the bench says so and prints nn's figures alone.
.PHONY: bench
BENCH_EPOCHS ?= 5
# PyTorch with two stacked pools can take a minute per epoch on a busy
# machine; three epochs give its first and a median of two later ones.
BENCH_TORCH2_EPOCHS ?= 3
BENCH_DIR    := $(BUILD)/bench
PYTHON       ?= /usr/bin/python3

all: $(BUILD)/bench_epoch

# GCC vectorizes loops at -O2 only under its "very cheap" cost model, which
# leaves the optimizer, activation and batch-gathering loops scalar (the ReLU
# ones branchy). The dynamic model, the one -O3 uses, vectorizes them: see the
# commit that added this line for the measurement. Clang vectorizes at -O2.
# Recursive: on a bare machine the compiler is installed after parsing.
CC_IS_GCC = $(shell $(CC) -v 2>&1 | grep -c '^gcc version')
$(LIB_OBJ): CFLAGS += $(if $(filter-out 0,$(CC_IS_GCC)),-fvect-cost-model=dynamic)

$(BUILD)/bench_epoch: $(BUILD)/obj/bench/bench_epoch.o $(BUILD)/libnn.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# OPENBLAS_CORETYPE=SkylakeX (for example) makes both frameworks use that
# OpenBLAS kernel; unset, OpenBLAS picks one for the CPU itself.
# OPENBLAS_THREAD_TIMEOUT=4: OpenBLAS's idle threads sleep at once instead of
# spinning on sched_yield for ~0.1 s after each product. Measured here (2
# threads, demo network): 0.70 s/epoch spinning, 0.42 s with 4; one thread
# is unaffected. Both frameworks run with it; BENCH_THREAD_TIMEOUT= (empty)
# leaves OpenBLAS's default.
BENCH_THREAD_TIMEOUT ?= 4
BENCH_ENV = $(if $(OPENBLAS_CORETYPE),OPENBLAS_CORETYPE=$(OPENBLAS_CORETYPE)) \
            $(if $(BENCH_THREAD_TIMEOUT),OPENBLAS_THREAD_TIMEOUT=$(BENCH_THREAD_TIMEOUT))

# PyTorch's run with $(1) threads for $(2) epochs: build/bench/torch$(1).txt,
# or a message.
define torch_run
	@$(BENCH_ENV) $(PYTHON) bench/torch_epoch.py --data $(FMNIST) --epochs $(2) \
	   --threads $(1) > $(BENCH_DIR)/torch$(1).txt.tmp \
	 && mv $(BENCH_DIR)/torch$(1).txt.tmp $(BENCH_DIR)/torch$(1).txt \
	 || echo "nn: no PyTorch figures for $(1) thread(s): torch or numpy missing, or the run failed"
endef

bench: demo-deps $(BUILD)/bench_epoch
	@mkdir -p $(BENCH_DIR)
	@rm -f $(BENCH_DIR)/torch1.txt $(BENCH_DIR)/torch2.txt
	@echo "nn: PyTorch reference (bench/torch_epoch.py), 1 and 2 threads"
	$(call torch_run,1,$(BENCH_EPOCHS))
	$(call torch_run,2,$(BENCH_TORCH2_EPOCHS))
	$(BENCH_ENV) OPENBLAS_NUM_THREADS=1 $(BUILD)/bench_epoch --epochs $(BENCH_EPOCHS) \
	  --torch $(BENCH_DIR)/torch1.txt --torch2 $(BENCH_DIR)/torch2.txt $(FMNIST)

# `make bench-compare BASE=REV`: this tree's one-thread epoch time against
# the tree at REV (a commit, a branch), and this tree with dropout 0.2 after
# both hidden layers, run in turn BENCH_ROUNDS times (bench/alternate.sh):
# "before and after" on a shared machine. REV is checked out and built in
# build/bench-base (a git worktree, removed afterwards); it needs a
# bench_epoch with --train-only.
.PHONY: bench-compare
BASE         ?= HEAD
BENCH_ROUNDS ?= 6
BENCH_BASE   := $(BUILD)/bench-base
bench-compare: demo-deps $(BUILD)/bench_epoch
	@rm -rf $(BENCH_BASE) && git worktree prune
	git worktree add --detach $(BENCH_BASE) $(BASE)
	@env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(MAKE) -C $(BENCH_BASE) build/bench_epoch > $(BUILD)/bench-base.log 2>&1 \
	 || { cat $(BUILD)/bench-base.log; git worktree remove --force $(BENCH_BASE); exit 1; }
	@bench/alternate.sh $(BENCH_ROUNDS) 4 "base=$(BENCH_BASE)/build/bench_epoch $(FMNIST)" \
	   "this=$(BUILD)/bench_epoch $(FMNIST)" "dropout=$(BUILD)/bench_epoch --dropout 0.2 $(FMNIST)" \
	 ; st=$$?; git worktree remove --force $(BENCH_BASE); exit $$st


# --------------------------------------------------- reliability
#   make fuzz        every fuzz/fuzz_*.c target for FUZZ_SECONDS (default 30) each
#   make fuzz-build  only build them (clang-14, libFuzzer + ASan + UBSan)
#   make valgrind    the Check suite under valgrind memcheck, both precisions
#   make bench-finite  the cost of the per-step NaN/inf check on the demo network

.PHONY: fuzz fuzz-build valgrind valgrind-check bench-finite

FUZZ_CC       ?= clang-14
FUZZ_SECONDS  ?= 30
FUZZ_BUILD    := build/fuzz
FUZZ_TARGETS  := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_LIB_OBJ  := $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS    = -std=c11 -Wall -Wextra -Werror -g -O1 -MMD -MP $(FUZZ_SAN)

# The library is instrumented for coverage (fuzzer-no-link); each target
# links libFuzzer's main.
$(FUZZ_BUILD)/obj/%.o: %.c | build/.deps-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/libnn.a: $(FUZZ_LIB_OBJ)
	ar rcs $@ $^

$(FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/memfile.h $(FUZZ_BUILD)/libnn.a
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libnn.a $(LDLIBS)

fuzz-build: deps $(FUZZ_BINS)

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Memcheck of the in-process suite (CK_FORK=no, so leaks are seen), on the
# normal build. No suppressions: OpenBLAS runs single-threaded here.
VALGRIND := valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible \
            --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 --quiet

valgrind-check: $(TEST_BIN)
	@echo "nn: running the Check suite under valgrind memcheck (REAL=$(REAL))"
	cd tests && CK_FORK=no OPENBLAS_NUM_THREADS=1 NN_TEST_UNDER_VALGRIND=1 $(VALGRIND) ../$(TEST_BIN)

valgrind: deps
	$(call install_missing,valgrind)
	@$(MAKE) --no-print-directory REAL=double valgrind-check
	@$(MAKE) --no-print-directory REAL=float valgrind-check


# The per-step cost of nn_train's non-finite check on the demo network.
$(BUILD)/finite_cost: $(BUILD)/obj/bench/finite_cost.o $(BUILD)/libnn.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-finite: deps $(BUILD)/finite_cost
	OPENBLAS_NUM_THREADS=1 $(BUILD)/finite_cost


# ------------------------------------------------- data-parallel (MPI)
# `make mpi`: build/nn-mpi, the nn program linked with Open MPI: cli/mpi.c
# takes the place of cli/dist_local.c, so the library and `nn` never depend
# on MPI. Run it as `mpirun -np N build/nn-mpi train ...` (README, "Training
# on several processes"). `make test` runs the MPI suite (tests/test_mpi.c)
# when mpicc and mpirun are installed, and says it skips it otherwise.
.PHONY: mpi mpi-deps bench-mpi
MPI_PACKAGES := libopenmpi-dev openmpi-bin
MPICC        ?= mpicc
MPI_BIN      := $(BUILD)/nn-mpi
MPI_OBJ      := $(filter-out $(BUILD)/obj/cli/dist_local.o,$(CLI_OBJ)) $(BUILD)/obj/cli/mpi.o
HAVE_MPI     := $(shell command -v $(MPICC) >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1 && echo 1)

mpi-deps: deps
	$(call install_missing,$(MPI_PACKAGES))

mpi: mpi-deps
	@$(MAKE) --no-print-directory $(MPI_BIN)

# mpicc adds Open MPI's include and library flags to the same compiler.
$(BUILD)/obj/cli/mpi.o: cli/mpi.c | build/.deps-ok
	@mkdir -p $(dir $@)
	$(MPICC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(MPI_BIN): $(MPI_OBJ) $(BUILD)/libnn.a
	$(MPICC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# `make bench-mpi` (a benchmark, not a test): the demo network's epoch time in
# one process (1 and 2 OpenBLAS threads) and under mpirun (1 and 2 ranks),
# the bytes reduced per step and the time in MPI_Allreduce (bench/mpi_epoch.sh).
BENCH_MPI_EPOCHS ?= 4
bench-mpi: mpi-deps demo-deps
	@$(MAKE) --no-print-directory $(CLI_BIN) $(MPI_BIN)
	bench/mpi_epoch.sh $(CLI_BIN) $(MPI_BIN) $(FMNIST) $(BENCH_MPI_EPOCHS)

ifeq ($(HAVE_MPI),1)
$(TEST_BIN): | $(MPI_BIN)
endif
# tests/test_walkthrough.c runs the walkthrough of the same build.
$(TEST_BIN): | $(BUILD)/walkthrough

# Every suite may run the programs built beside it (tests/cli_run.h) and
# knows which build it belongs to: one definition for all of them, so a new
# tests/test_*.c needs no line here.
TEST_DEFS = -DNN_CLI_BIN='"$(abspath $(CLI_BIN))"' -DNN_MPI_BIN='"$(abspath $(MPI_BIN))"' \
  -DNN_WALKTHROUGH_BIN='"$(abspath $(BUILD)/walkthrough)"' \
  -DNN_HAVE_MPI=$(if $(HAVE_MPI),1,0) -DNN_SOURCE_DIR='"$(CURDIR)"' \
  -DNN_TEST_REAL='"$(REAL)"' -DNN_TEST_SAN=$(if $(SAN),1,0)
$(TEST_OBJ): EXTRA_CPPFLAGS += $(TEST_DEFS)

-include $(shell find build -name '*.d' 2>/dev/null)
