# Goldilocks Share: build, run and test.
#
#   make            build every program into build/bin/
#   make run        install what is missing, build, run the local stack in
#                   the foreground (Ctrl-C stops it)
#   make up / down  the same stack in the background / stop it
#   make test       install what is missing, build, run every test
#   make test SAN=1 the same with AddressSanitizer + UndefinedBehaviorSanitizer
#
# Objects go under build/ (build/san/ for SAN=1); dependency files (-MMD)
# rebuild what a header change touches.

SAN ?= 0
ifeq ($(SAN),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
OPT := -O1
else
BUILD := build
SANFLAGS :=
OPT := -O2
endif

BIN := $(BUILD)/bin
OBJ := $(BUILD)/obj
PKGS := rdkafka libpq jansson hiredis uuid libmicrohttpd libjwt libpcre2-8 \
	libcrypto

CC ?= cc
# Evaluated when used, so a tree without the packages can still run
# `make deps`.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Only the PDF layer (common/pdf/) uses pango and cairo: its objects get
# their flags, and only programs calling it link them (target-specific
# LDLIBS below).
PDF_PKGS := pangocairo
PDF_CFLAGS = $(shell pkg-config --cflags $(PDF_PKGS) 2>/dev/null)
PDF_LIBS = $(shell pkg-config --libs $(PDF_PKGS) 2>/dev/null)
CFLAGS ?=
CFLAGS += -std=gnu11 $(OPT) -g -Wall -Wextra -Werror -Wshadow \
	-Wno-missing-field-initializers -Wno-format-truncation -MMD -MP -Icommon $(SANFLAGS)
LDLIBS = $(PKG_LIBS) -lpthread -lm
LDFLAGS += $(SANFLAGS)

# common/ is four layers, each its own archive, linked from the top down
# (SPEC §2): runtime < redact < sharing < pdf.  Only exportd and the PDF
# tests link pdf; the generated migrations and topic list belong to the
# product (sharing).
LAYERS := runtime redact sharing pdf
layer_obj = $(patsubst %.c,$(OBJ)/%.o,$(wildcard common/$(1)/*.c))
LIB = $(BUILD)/lib
RUNTIME_OBJ := $(call layer_obj,runtime)
REDACT_OBJ := $(call layer_obj,redact)
SHARING_OBJ := $(call layer_obj,sharing) $(OBJ)/gen/migrations.o \
	$(OBJ)/gen/topics.o
PDF_OBJ := $(call layer_obj,pdf)
# Without the PDF layer, and with it (highest first, as the linker wants).
LIBS_BASE := $(LIB)/libsharing.a $(LIB)/libredact.a $(LIB)/libruntime.a
LIBS_PDF := $(LIB)/libpdf.a $(LIBS_BASE)

SERVICES := $(notdir $(wildcard services/*))
PROGRAMS := $(SERVICES:%=$(BIN)/%) $(BIN)/devkafka

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
# C parts of integration tests: cmocka programs run against the stack.
ITEST_SRC := $(wildcard tests/integration/itest_*.c)
ITEST_BIN := $(ITEST_SRC:tests/integration/%.c=$(BUILD)/tests/%)

MIGRATIONS := $(sort $(wildcard deploy/migrations/*.sql))

.PHONY: all deps run up down test unit integration bench check clean format fuzz
all: $(PROGRAMS) $(UNIT_BIN) $(ITEST_BIN)

deps:
	@deploy/install-deps.sh

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(OBJ)/gen/migrations.c: $(MIGRATIONS) deploy/embed-sql.sh
	@mkdir -p $(dir $@)
	deploy/embed-sql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(OBJ)/gen/topics.c: proto/topics.txt
	@mkdir -p $(dir $@)
	{ echo '/* Generated from proto/topics.txt: do not edit. */'; \
	  echo '#include <stddef.h>'; \
	  echo 'const char *const topics_all[] = {'; \
	  sed -n 's/^\([a-z][a-z.-]*\)$$/\t"\1",/p' $<; \
	  echo '\tNULL'; echo '};'; } > $@.tmp && mv $@.tmp $@

$(OBJ)/gen/%.o: $(OBJ)/gen/%.c
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIB)/libruntime.a: $(RUNTIME_OBJ)
$(LIB)/libredact.a: $(REDACT_OBJ)
$(LIB)/libsharing.a: $(SHARING_OBJ)
$(LIB)/libpdf.a: $(PDF_OBJ)
$(LIB)/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# Which archives a program links: exportd and the PDF tests add pdf.
libs_for = $(if $(filter exportd test_render_pdf test_pdf_% bench_pdf,$(1)),$(LIBS_PDF),$(LIBS_BASE))

.SECONDEXPANSION:
$(BIN)/%: $$(addprefix $(OBJ)/,$$(addsuffix .o,$$(basename \
		$$(wildcard services/$$*/*.c)))) $$(call libs_for,$$*)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDLIBS)

# devkafka interposes bind(): the executable must export it to librdkafka.
$(BIN)/devkafka: $(OBJ)/deploy/devkafka/devkafka.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(shell pkg-config --libs rdkafka) -ldl

$(BUILD)/tests/test_%: $(OBJ)/tests/unit/test_%.o $$(call libs_for,test_$$*)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(filter %.a,$^) $(LDLIBS) -lcmocka

$(PDF_OBJ): PKG_CFLAGS += $(PDF_CFLAGS)
# Test code finds its shared helpers as "support/…".
$(OBJ)/tests/%.o: CFLAGS += -Itests
$(BIN)/exportd: LDLIBS += $(PDF_LIBS)
$(BUILD)/tests/test_render_pdf: LDLIBS += $(PDF_LIBS)
$(BUILD)/tests/test_pdf_%: LDLIBS += $(PDF_LIBS)
$(BUILD)/bench/bench_pdf: LDLIBS += $(PDF_LIBS)

# gatewayd's routing is pure: its test links the one object it needs.
$(BUILD)/tests/test_route: $(OBJ)/tests/unit/test_route.o \
		$(OBJ)/services/gatewayd/route.o $(LIBS_BASE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDLIBS) -lcmocka
$(BUILD)/tests/test_hot: $(OBJ)/tests/unit/test_hot.o \
		$(OBJ)/services/gatewayd/hot.o $(LIBS_BASE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDLIBS) -lcmocka

$(BUILD)/bench/%: $(OBJ)/tests/bench/%.o $$(call libs_for,$$*)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(filter %.a,$^) $(LDLIBS)

$(BUILD)/tests/itest_%: $(OBJ)/tests/integration/itest_%.o $(LIBS_BASE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(filter %.a,$^) $(LDLIBS) -lcmocka

run: deps
	@$(MAKE) --no-print-directory all
	@deploy/stack.sh run

up: deps
	@$(MAKE) --no-print-directory all
	@deploy/stack.sh up

down:
	@deploy/stack.sh down

test: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/run.sh

# The targets of SPEC §7, each as a ratio to a limit measured in the run.
bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@BUILD=$(BUILD) tests/bench/run.sh

unit: all
	@BUILD=$(BUILD) tests/run.sh unit

integration: all
	@BUILD=$(BUILD) tests/run.sh integration

# Static analysis of our code (declarations stay at the top of blocks),
# then the layer order of common/ (deploy/check-layers.sh).
check:
	@deploy/install-deps.sh cppcheck
	cppcheck --quiet --error-exitcode=1 --std=c11 \
		--enable=warning,style,performance,portability \
		--suppress=missingIncludeSystem --suppress=variableScope \
		--include=/usr/include/jansson.h \
		-I common common services deploy/devkafka
	@deploy/check-layers.sh

# Fuzz targets (tests/fuzz/fuzz_*.c, libFuzzer): built with clang, ASan and
# UBSan into build/fuzz/, each run for FUZZ_SECONDS on a copy of its seed
# corpus (tests/fuzz/corpus/<target>/); a crash or leak fails the run.
FUZZ_SECONDS ?= 60
FUZZ_DIR := build/fuzz
FUZZ_CC := clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -MMD -MP -Icommon \
	$(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,\
	$(wildcard tests/fuzz/fuzz_*.c))
# The fuzz targets link every object but the PDF renderer (no pango).
FUZZ_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(wildcard \
	$(foreach l,runtime redact sharing,common/$(l)/*.c))) \
	$(FUZZ_DIR)/obj/gen/migrations.o $(FUZZ_DIR)/obj/gen/topics.o

.PHONY: fuzz
fuzz: deps
	@deploy/install-deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BIN)

# The generated sources come from the rules of `make all` above.
$(FUZZ_DIR)/obj/gen/%.o: $(OBJ)/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
# gatewayd's routing is pure, its form reader needs only libmicrohttpd:
# their targets link that one object too.
$(FUZZ_DIR)/fuzz_route: $(FUZZ_DIR)/obj/services/gatewayd/route.o
$(FUZZ_DIR)/fuzz_form: $(FUZZ_DIR)/obj/services/gatewayd/form.o

# Keep the objects and generated sources make would see as intermediate.
.SECONDARY: $(FUZZ_OBJ) $(OBJ)/gen/migrations.c $(OBJ)/gen/topics.c \
	$(FUZZ_BIN:$(FUZZ_DIR)/%=$(FUZZ_DIR)/obj/tests/fuzz/%.o) \
	$(UNIT_SRC:%.c=$(OBJ)/%.o) $(BENCH_SRC:%.c=$(OBJ)/%.o) \
	$(ITEST_SRC:%.c=$(OBJ)/%.o)

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

format:
	clang-format -i common/*/*.[ch] services/*/*.[ch] tests/unit/*.c \
		deploy/devkafka/*.c

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
