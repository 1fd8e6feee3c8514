# touchbase — plain Makefile.  `make`, `make check`, `make SANITIZE=1 check`,
# `make demo`, `make fuzz`, `make install` (PREFIX, DESTDIR).

CC	?= cc
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DATADIR	?= $(PREFIX)/share
UNITDIR	?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
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

UNITS	:= touchbased.service touchbased@.service touchbased-once.service \
	touchbase.timer
UNITFILES := $(UNITS:%=$(BUILD)/systemd/%)

all: $(BUILD)/touchbased $(BUILD)/touchbase $(UNITFILES)

# The folders the units name: rewritten (and the units rebuilt) only when
# they change, e.g. `make` and then `make install PREFIX=/usr`.
$(BUILD)/systemd/dirs: FORCE
	@mkdir -p $(@D)
	@echo 'SBINDIR=$(SBINDIR) DATADIR=$(DATADIR)' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

# The units: @SBINDIR@ and @DATADIR@ replaced, @SANDBOX@ by the sandbox
# every unit shares (systemd/sandbox.inc).
$(BUILD)/systemd/%: systemd/%.in systemd/sandbox.inc $(BUILD)/systemd/dirs
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	    -e '/^@SANDBOX@$$/{r systemd/sandbox.inc' -e 'd;}' $< > $@.tmp
	mv $@.tmp $@

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
$(BUILD)/tests/%: tests/%.c $(BUILD)/libtouchbase.a $(wildcard include/*.h) \
    $(wildcard tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Idaemon -Itests $(ALL_CFLAGS) -Wno-missing-prototypes \
	    $(LDFLAGS) -o $@ $< $(BUILD)/libtouchbase.a $(PKG_LIBS) $(CMOCKA_LIBS) -lm \
	    $(shell sed -n 's|^/\* LDWRAP: \(.*\) \*/|\1|p' $<)

# make deps: what building, running and the demo need; make check-deps:
# that and what the tests, fuzzing and benchmarks need; make deb-deps:
# that and what make deb needs (README lists each set).
deps:
	@sh tests/deps.sh build

check-deps:
	@sh tests/deps.sh check

deb-deps:
	@sh tests/deps.sh package

unit: $(UNITBINS)
	@sh tests/run-unit.sh $(UNITBINS)

e2e: all
	@BUILD=$(CURDIR)/$(BUILD) SANITIZE=$(SANITIZE) sh tests/e2e/run.sh

check: check-deps
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

# Benchmarks: every figure of issue 17 in one run, each a ratio against a
# peer measured in the same run (bench/run.sh lists them); the numbers
# also land in bench/out/latest.tsv.  Not part of `make check`; nothing
# in them is asserted.
bench: all
	@BUILD=$(CURDIR)/$(BUILD) bash bench/run.sh

# Programs, pages, units, the system user (sysusers.d) and state folder
# (tmpfiles.d), bash completion, a pristine copy of the example
# configuration (the units compare against it) and the example
# configuration itself in SYSCONFDIR, never overwriting the owner's.
# The Debian package installs the same files (debian/rules runs this).
# Without DESTDIR, as root, the user and the folder are created at once.
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(DATADIR)/touchbase/examples
	install -m 755 $(BUILD)/touchbased $(DESTDIR)$(SBINDIR)/touchbased
	install -m 755 $(BUILD)/touchbase $(DESTDIR)$(BINDIR)/touchbase
	for m in man/*.[158]; do [ -e "$$m" ] || continue; \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	for u in $(UNITS); do \
	    install -m 644 $(BUILD)/systemd/$$u $(DESTDIR)$(UNITDIR)/$$u; done
	install -m 644 systemd/touchbase.sysusers $(DESTDIR)$(SYSUSERSDIR)/touchbase.conf
	install -m 644 systemd/touchbase.tmpfiles $(DESTDIR)$(TMPFILESDIR)/touchbase.conf
	install -m 644 completion/touchbase.bash $(DESTDIR)$(COMPLETIONDIR)/touchbase
	install -m 644 conf/touchbase.ini $(DESTDIR)$(DATADIR)/touchbase/examples/touchbase.ini
	sh tests/install-conf.sh conf $(DESTDIR)$(SYSCONFDIR)/touchbase
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && \
	    command -v systemd-sysusers >/dev/null 2>&1; then \
	    systemd-sysusers touchbase.conf && \
	    systemd-tmpfiles --create touchbase.conf && \
	    systemctl daemon-reload 2>/dev/null || true; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/touchbased $(DESTDIR)$(BINDIR)/touchbase \
	    $(UNITS:%=$(DESTDIR)$(UNITDIR)/%) \
	    $(DESTDIR)$(SYSUSERSDIR)/touchbase.conf \
	    $(DESTDIR)$(TMPFILESDIR)/touchbase.conf \
	    $(DESTDIR)$(COMPLETIONDIR)/touchbase \
	    $(DESTDIR)$(DATADIR)/touchbase/examples/touchbase.ini
	-rmdir $(DESTDIR)$(DATADIR)/touchbase/examples $(DESTDIR)$(DATADIR)/touchbase 2>/dev/null
	for m in man/*.[158]; do [ -e "$$m" ] || continue; \
	    s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	@echo "left $(DESTDIR)$(SYSCONFDIR)/touchbase, /var/lib/touchbase and the user touchbase in place (your configuration and send log)"

# The Debian package, built outside the source tree (a copy of it in
# build/deb/src, so debian/'s build files never mix with the sources);
# the .deb, .buildinfo and .changes land in build/deb/.
deb:
	rm -rf build/deb
	mkdir -p build/deb/src
	tar --exclude=./build --exclude=./build-san --exclude=./build-fuzz \
	    --exclude=./demo --exclude=./.git -cf - . | tar -C build/deb/src -xf -
	cd build/deb/src && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

clean:
	rm -rf build build-san build-fuzz

FORCE:

.PHONY: FORCE all deps check-deps deb-deps deb unit e2e check demo bench fuzz fuzz-run install uninstall clean
