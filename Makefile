# nn — build, test, demo. `make help` lists the targets.
#
#   make            libnn.a, libnn.so and the examples (float)
#   make demo       train 784-256-128-10 on Fashion-MNIST
#   make test       the Check suite, in double and in float precision
#   make asan       the Check suite under AddressSanitizer + UBSan
#   make bench      one-epoch timing of the demo network
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

DEB_PACKAGES  := libopenblas-dev libstb-dev check zlib1g-dev pkg-config
DEMO_PACKAGES := dataset-fashion-mnist
FMNIST        := /usr/share/datasets/fashion-mnist

# Recursive (=) so that pkg-config runs only after `deps` has installed it.
PKGS      = openblas zlib
CPPFLAGS  = $(REALFLAG) $(EXTRA_CPPFLAGS) -D_POSIX_C_SOURCE=200809L $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS    = -std=c11 -Wall -Wextra -Werror -g $(OPT) -fPIC -MMD -MP $(SANFLAGS)
LDFLAGS   = $(SANFLAGS)
LDLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CHECKLIBS = $(shell pkg-config --libs check 2>/dev/null)

LIB_SRC  := $(wildcard nn/*.c layers/*.c losses/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
EX_SRC   := $(wildcard examples/*.c)
EX_BIN   := $(EX_SRC:examples/%.c=$(BUILD)/%)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(BUILD)/nn_tests

.SECONDARY:
.PHONY: all deps demo-deps test check asan demo bench clean help
.DEFAULT_GOAL := all

all: $(BUILD)/libnn.a $(BUILD)/libnn.so $(EX_BIN)

help:
	@sed -n '3,11p' Makefile | sed 's/^# \{0,1\}//'

# Installs what is missing, says what it installs, and stays quiet otherwise.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "nn: installing missing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing \
	    || { echo "nn: could not install:$$missing" >&2; exit 1; }; \
	fi
endef

build/.deps-ok:
	$(call install_missing,$(DEB_PACKAGES))
	@mkdir -p build && touch $@
deps: build/.deps-ok

demo-deps: deps
	$(call install_missing,$(DEMO_PACKAGES))

$(BUILD)/obj/%.o: %.c | build/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libnn.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/libnn.so: $(LIB_OBJ)
	$(CC) -shared $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%: $(BUILD)/obj/examples/%.o $(BUILD)/libnn.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# One SUITE(test_NAME) line per tests/test_NAME.c (see tests/main.c).
$(BUILD)/suites.inc: $(wildcard tests/test_*.c)
	@mkdir -p $(dir $@)
	@for f in $(sort $(notdir $(basename $^))); do echo "SUITE($$f)"; done > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/tests/main.o: EXTRA_CPPFLAGS := -I$(BUILD)
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
test: deps
	@$(MAKE) --no-print-directory REAL=double check
	@$(MAKE) --no-print-directory REAL=float check

asan: deps
	@$(MAKE) --no-print-directory REAL=double SAN=1 check
	@$(MAKE) --no-print-directory REAL=float SAN=1 check

demo: demo-deps $(BUILD)/fashion_mnist
	$(BUILD)/fashion_mnist $(FMNIST)

bench: demo-deps $(BUILD)/bench_epoch
	OPENBLAS_NUM_THREADS=1 $(BUILD)/bench_epoch $(FMNIST)

clean:
	rm -rf build

# ------------------------------------------------------------ losses (issue 3)
# Golden values for the loss tests, from PyTorch in float64. The header is
# committed; `make test` reads it and never needs Python.
.PHONY: golden
golden:
	/usr/bin/python3 tests/golden/losses_ref.py > tests/golden/losses_ref.h.tmp
	sync tests/golden/losses_ref.h.tmp
	mv tests/golden/losses_ref.h.tmp tests/golden/losses_ref.h


# ------------------------------------------ data, model files, nn CLI (issue 4)


# ------------------------------------------------------ examples (issue 5)


# --------------------------------------------------- performance (issue 6)


# --------------------------------------------------- reliability (issue 7)


-include $(shell find build -name '*.d' 2>/dev/null)
