# touchbase — plain Makefile.  `make`, `make check`, `make SANITIZE=1 check`,
# `make demo`, `make fuzz`, `make install` (PREFIX, DESTDIR).

CC	?= cc
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR	?= /lib/systemd/system
VERSION	:= 0.1.0

PKGS	:= libcurl sqlite3 libconfig inih
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wundef -Wvla
CFLAGS	?= -O2 -g
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DTOUCHBASE_VERSION='"$(VERSION)"' \
	-DSYSCONFDIR='"$(SYSCONFDIR)"'
ALL_CFLAGS = -std=c11 $(WARNINGS) $(CFLAGS) $(PKG_CFLAGS)

ifeq ($(SANITIZE),1)
BUILD	:= build-san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
else
BUILD	:= build
endif

MAINS	:= daemon/touchbased.c daemon/touchbase.c
LIBSRCS	:= $(filter-out $(MAINS),$(wildcard daemon/*.c))
LIBOBJS	:= $(LIBSRCS:daemon/%.c=$(BUILD)/obj/%.o)
UNITSRCS := $(wildcard tests/test_*.c)
UNITBINS := $(UNITSRCS:tests/%.c=$(BUILD)/tests/%)

all: $(BUILD)/touchbased $(BUILD)/touchbase

$(BUILD)/obj/%.o: daemon/%.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libtouchbase.a: $(LIBOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/touchbased: $(BUILD)/obj/touchbased.o $(BUILD)/libtouchbase.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/touchbase: $(BUILD)/obj/touchbase.o $(BUILD)/libtouchbase.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# A unit test may #include a module's .c to reach its statics; the test's
# own object then provides those symbols first.  -Wl,--allow-multiple-
# definition is not used: such a test links only the archive, and the
# linker takes from it only what is still undefined.
$(BUILD)/tests/%: tests/%.c $(BUILD)/libtouchbase.a $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Idaemon -Itests $(ALL_CFLAGS) -Wno-missing-prototypes \
	    $(LDFLAGS) -o $@ $< $(BUILD)/libtouchbase.a $(PKG_LIBS) $(CMOCKA_LIBS) -lm \
	    $(shell sed -n 's|^/\* LDWRAP: \(.*\) \*/|\1|p' $<)

deps:
	@sh tests/deps.sh

unit: $(UNITBINS)
	@sh tests/run-unit.sh $(UNITBINS)

e2e: all
	@BUILD=$(CURDIR)/$(BUILD) SANITIZE=$(SANITIZE) sh tests/e2e/run.sh

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(CURDIR)/$(BUILD)

# libFuzzer targets: every fuzz/fuzz_*.c, built with clang against
# the library compiled with -fsanitize=fuzzer-no-link.
FUZZCC	 ?= clang
FUZZ_SECONDS ?= 15
FUZZSRCS := $(wildcard fuzz/fuzz_*.c)
FUZZBINS := $(FUZZSRCS:fuzz/%.c=build-fuzz/%)
FUZZOBJS := $(LIBSRCS:daemon/%.c=build-fuzz/obj/%.o)
FUZZFLAGS := -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer

build-fuzz/obj/%.o: daemon/%.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) -std=c11 $(PKG_CFLAGS) $(FUZZFLAGS) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/%: fuzz/%.c $(FUZZOBJS)
	$(FUZZCC) $(CPPFLAGS) -std=c11 $(PKG_CFLAGS) $(FUZZFLAGS) \
	    -fsanitize=fuzzer -o $@ $< $(FUZZOBJS) $(PKG_LIBS) -lm

fuzz: $(FUZZBINS)

fuzz-run: fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh fuzz/run.sh $(FUZZBINS)

# Benchmarks: figures as ratios against a peer measured in the same run.
# Not part of `make check`; nothing in them is asserted.
bench: all
	@BUILD=$(CURDIR)/$(BUILD) sh bench/run.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	install -m 755 $(BUILD)/touchbased $(DESTDIR)$(SBINDIR)/touchbased
	install -m 755 $(BUILD)/touchbase $(DESTDIR)$(BINDIR)/touchbase
	for m in man/*.[158]; do [ -e "$$m" ] || continue; \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/touchbased.service.in \
	    > $(DESTDIR)$(UNITDIR)/touchbased.service
	chmod 644 $(DESTDIR)$(UNITDIR)/touchbased.service
	sh tests/install-conf.sh conf $(DESTDIR)$(SYSCONFDIR)/touchbase

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/touchbased $(DESTDIR)$(BINDIR)/touchbase \
	    $(DESTDIR)$(UNITDIR)/touchbased.service
	for m in man/*.[158]; do [ -e "$$m" ] || continue; \
	    s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	@echo "left $(DESTDIR)$(SYSCONFDIR)/touchbase and /var/lib/touchbase in place (your configuration and send log)"

clean:
	rm -rf build build-san build-fuzz

.PHONY: all deps unit e2e check demo bench fuzz fuzz-run install uninstall clean
