# estd: the EST lägesbild daemon. Plain make; see README.md.

VERSION	= 0.1.0
PREFIX	?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR	?=
BINDIR	= $(PREFIX)/sbin
DATADIR	= $(PREFIX)/share/estd
MANDIR	= $(PREFIX)/share/man

CC	?= cc
PKGS	= libmicrohttpd jansson sqlite3 libsodium inih libsystemd libcurl libesmtp-1.0 openssl
WARN	= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wmissing-declarations -Wpointer-arith \
	  -Wformat=2 -Wcast-qual -Wwrite-strings -Wvla -Wundef \
	  -Wold-style-definition -Wnull-dereference -Wimplicit-fallthrough
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DESTD_VERSION='"$(VERSION)"' \
	  -DESTD_DATADIR='"$(DATADIR)"' -DESTD_SYSCONFDIR='"$(SYSCONFDIR)"' \
	  $(WARN) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	  -pthread -iquote daemon
LIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

B	= build
O	= $(B)/obj

# Modules of the daemon and estctl (everything in daemon/ but the mains).
MODULES	= $(filter-out main estctl,$(basename $(notdir $(wildcard daemon/*.c))))
OBJS	= $(MODULES:%=$(O)/%.o)

# Each unit test links its module (daemon/NAME.c for tests/check_NAME.c,
# when there is one) plus what that module needs.
COMMON		= log xmalloc buf
DEPS_period	=
DEPS_clock	= period
DEPS_conf	= period
DEPS_report	= conf period
DEPS_token	=
DEPS_store	= report conf period token
DEPS_tmpl	=
DEPS_csv	=
DEPS_form	=
DEPS_ratelimit	=
DEPS_page	= tmpl report conf period store token privacy picture flags
DEPS_import	= csv report store conf period token clock privacy
DEPS_flags	=
DEPS_picture	= flags report conf period store token
DEPS_mime	=
DEPS_mail	= mime conf period
DEPS_outbox	=
DEPS_privacy	=
DEPS_fetch	=
DEPS_police	= period
DEPS_webhook	= conf period token
DEPS_jobs	= $(filter-out jobs,$(MODULES))
DEPS_analysis	= csv period report conf store token flags picture
DEPS_digest	= tmpl picture flags report conf period store token
# Suites of the whole daemon, not of one module.
DEPS_keyweb	= $(MODULES)
DEPS_analysisweb	= $(MODULES)
DEPS_sched	= $(filter-out sched,$(MODULES))
DEPS_server	= $(filter-out server,$(MODULES))
TESTS	= $(basename $(notdir $(wildcard tests/check_*.c)))
TEST_BINS = $(TESTS:%=$(B)/tests/%)

.PHONY: all deps check unit demo install lint memcheck bench fuzz clean sample

all: $(B)/estd $(B)/estctl

deps:
	@tools/deps.sh

$(O)/%.o: daemon/%.c $(wildcard daemon/*.h)
	@mkdir -p $(O)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/estd: $(O)/main.o $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

# estctl links from an archive with --as-needed, so it loads only the
# libraries of the modules it uses (not libmicrohttpd and GnuTLS):
# a short-lived command spends much of its time in the dynamic loader.
$(B)/libestd.a: $(OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(B)/estctl: $(O)/estctl.o $(B)/libestd.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ -Wl,--as-needed $(LIBS)

.SECONDEXPANSION:
$(B)/tests/check_%: tests/check_%.c $$(addprefix $(O)/,$$(addsuffix .o,$$(basename $$(notdir $$(wildcard daemon/$$*.c))))) $$(addprefix $(O)/,$$(addsuffix .o,$$(sort $$(DEPS_$$*) $(COMMON)))) tests/testutil.h tests/httptest.h
	@mkdir -p $(B)/tests
	$(CC) $(ALL_CFLAGS) -iquote tests -o $@ $< $(filter %.o,$^) $(CHECK_LIBS) $(LIBS)

# Every unit suite, then the end-to-end, crash, browser and contract tests.
check: all $(TEST_BINS)
	@tests/run-all.sh

unit: all $(TEST_BINS)
	@tests/run-all.sh --unit

demo:
	@sh tools/demo.sh

memcheck: all $(TEST_BINS)
	@tests/memcheck.sh

bench: deps all
	@bench/bench.sh

lint:
	@tools/lint.sh

# Each libFuzzer harness for FUZZ_SECONDS (default 60); see FUZZING.md.
fuzz:
	@sh fuzz/run.sh $(FUZZ_SECONDS)

sample: $(B)/estd
	$(B)/estd --sample-config > config/estd.conf.sample

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/estd \
	    $(DESTDIR)$(DATADIR)/reporter-form
	install -m 0755 $(B)/estd $(B)/estctl $(DESTDIR)$(BINDIR)
	cp -R reporter-form/. $(DESTDIR)$(DATADIR)/reporter-form/
	test -e $(DESTDIR)$(SYSCONFDIR)/estd/estd.conf || \
	    install -m 0644 config/estd.conf.sample $(DESTDIR)$(SYSCONFDIR)/estd/estd.conf
	test -e $(DESTDIR)$(SYSCONFDIR)/estd/checklist.ini || \
	    install -m 0644 config/checklist.ini $(DESTDIR)$(SYSCONFDIR)/estd/checklist.ini
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(PREFIX)/share/doc/estd
	install -m 0644 man/estd.8 man/estctl.8 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/estd.conf.5 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 README.md SECURITY.md PRIVACY.md config/nginx-estd.conf \
	    $(DESTDIR)$(PREFIX)/share/doc/estd
	install -d $(DESTDIR)/lib/systemd/system
	sed 's,@BINDIR@,$(BINDIR),g;s,@SYSCONFDIR@,$(SYSCONFDIR),g' \
	    systemd/estd.service.in > $(DESTDIR)/lib/systemd/system/estd.service

clean:
	rm -rf $(B)
