# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# xdpct - build, test, demo and benchmark.
#
#   make            build ./xdpct (BPF object, skeleton, CLI)
#   make test       unit, BPF_PROG_TEST_RUN, replay and veth tests
#   make demo       a veth lab: real connections and a SYN flood, tracked
#   make bench      per-packet cost and scale, as ratios (results in bench-out/)
#   make fuzz       the long packet fuzzer (1,000,000+ frames)
#   make sanitize   the CLI and unit tests under ASan + UBSan
#   make install    binary, man page, systemd unit, bash completion (PREFIX, DESTDIR)
#   make vmlinux    regenerate the committed vmlinux/vmlinux.h
#   V=1             show full commands

OUTPUT ?= .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PREFIX ?= /usr/local
ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
			     -e 's/s390x/s390/' -e 's/riscv64/riscv/')

# vmlinux.h: from the running kernel's BTF when it has one, else the committed copy.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VMLINUX_H := $(OUTPUT)/vmlinux.h

INCLUDES := -I$(OUTPUT) -Iinclude -Ibpf
CFLAGS ?= -O2 -g
XCFLAGS := $(CFLAGS) -Wall -Wextra -Wno-missing-field-initializers -std=gnu11 -D_GNU_SOURCE \
	$(EXTRA_CFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra \
	-Wno-unused-parameter -Wno-sign-compare -Wno-pass-failed
LDLIBS := -lbpf -lelf -lz -lpcap -lm -lncurses -ltinfo
# flow export and metrics: libfixbuf (IPFIX), libmicrohttpd (HTTP), nettle (SHA-1)
EXPORT_PKGS := libfixbuf libmicrohttpd nettle
LDLIBS += $(shell pkg-config --libs $(EXPORT_PKGS) 2>/dev/null)

USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
SHARED_H := include/flow.h include/tcp_fsm.h include/ct_track.h include/ct_history.h \
	include/ct_window.h include/ct_inspect.h include/ct_account.h include/flow_life.h
BPF_OBJ := $(OUTPUT)/xdpct.bpf.o
SKEL := $(OUTPUT)/xdpct.skel.h

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean install test unit sanitize demo bench fuzz vmlinux deps
.DELETE_ON_ERROR:
.SECONDARY:

all: xdpct

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(VMLINUX_H): | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)if [ -r $(VMLINUX_BTF) ] && command -v $(BPFTOOL) >/dev/null 2>&1 && \
	    $(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp 2>/dev/null; then \
		mv $@.tmp $@; \
	else \
		rm -f $@.tmp; cp vmlinux/vmlinux.h $@; \
	fi

$(BPF_OBJ): bpf/xdpct.bpf.c $(wildcard bpf/*.h) $(SHARED_H) $(VMLINUX_H) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(INCLUDES) -c $< -o $@

$(OUTPUT)/xdp_pass.bpf.o: tests/prog/xdp_pass.bpf.c $(VMLINUX_H) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(INCLUDES) -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name xdpct_bpf > $@

$(OUTPUT)/user/%.o: user/%.c $(SKEL) $(SHARED_H) $(wildcard user/*.h) | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(XCFLAGS) $(INCLUDES) -c $< -o $@

$(OUTPUT)/user/ipfix.o: XCFLAGS += $(shell pkg-config --cflags libfixbuf 2>/dev/null)

xdpct: $(USER_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(XCFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The unit's ExecStart/ExecStop name the installed binary: PREFIX is written in.
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

install: xdpct
	install -D -m 0755 xdpct $(DESTDIR)$(PREFIX)/sbin/xdpct
	install -D -m 0644 man/xdpct.8 $(DESTDIR)$(MANDIR)/man8/xdpct.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/sbin/xdpct|$(PREFIX)/sbin/xdpct|g' systemd/xdpct@.service \
		> $(DESTDIR)$(UNITDIR)/xdpct@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/xdpct@.service
	install -D -m 0644 completion/xdpct.bash $(DESTDIR)$(BASHCOMPDIR)/xdpct

vmlinux:
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > vmlinux/vmlinux.h

# Packages a fresh Debian 12 machine needs; installed only when missing.
deps:
	$(Q)./tests/deps.sh

# --- tests -------------------------------------------------------------
UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
UNIT_LIB_OBJS := $(filter-out $(OUTPUT)/user/xdpct.o,$(USER_OBJS))

$(OUTPUT)/tests/%: tests/unit/%.c $(UNIT_LIB_OBJS) $(SHARED_H) $(wildcard bpf/*.h) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(XCFLAGS) $(INCLUDES) -Iuser -Ivmlinux $< $(UNIT_LIB_OBJS) $(LDLIBS) -lcmocka -o $@

# prog_test: the harness, the runner and every tests/prog/test_AREA.c (harness.h).
# PROG_AREAS orders the TAP output; an area not listed runs after them.
PROG_AREAS := handshakes bytes not_tracked anomalies endings tc_keys datapath
PROG_AREA_SRCS := $(patsubst %,tests/prog/test_%.c,$(PROG_AREAS))
PROG_AREA_SRCS += $(filter-out $(PROG_AREA_SRCS),$(wildcard tests/prog/test_*.c))
PROG_HDRS := tests/prog/harness.h tests/prog/pkt.h
HARNESS_OBJS := $(OUTPUT)/tests/prog/harness.o $(OUTPUT)/tests/prog/checks.o
# flow export's C tests (tests/export/), run by the export layer
EXPORT_TESTS := $(patsubst tests/export/%.c,$(OUTPUT)/tests/%,$(wildcard tests/export/test_*.c))
$(OUTPUT)/tests/%: tests/export/%.c $(UNIT_LIB_OBJS) $(SHARED_H) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(XCFLAGS) $(INCLUDES) -Iuser -Ivmlinux $< $(UNIT_LIB_OBJS) $(LDLIBS) -lcmocka -o $@

PROG_TEST := $(OUTPUT)/tests/prog_test
$(OUTPUT)/tests/prog:
	$(Q)mkdir -p $@

$(OUTPUT)/tests/prog/%.o: tests/prog/%.c $(PROG_HDRS) $(SKEL) $(SHARED_H) $(wildcard user/*.h) \
			  | $(OUTPUT)/tests/prog
	$(call msg,CC,$@)
	$(Q)$(CC) $(XCFLAGS) $(INCLUDES) -Iuser -Itests/prog -c $< -o $@

$(PROG_TEST): $(OUTPUT)/tests/prog/prog_test.o $(HARNESS_OBJS) \
	      $(patsubst tests/prog/%.c,$(OUTPUT)/tests/prog/%.o,$(PROG_AREA_SRCS)) $(UNIT_LIB_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(XCFLAGS) $^ $(LDLIBS) -o $@

GEN := $(OUTPUT)/tests/gen
$(GEN): tests/gen.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(XCFLAGS) $< -o $@

FUZZ := $(OUTPUT)/tests/fuzz
$(FUZZ): $(OUTPUT)/tests/prog/fuzz.o $(HARNESS_OBJS) $(UNIT_LIB_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(XCFLAGS) $^ $(LDLIBS) -o $@

unit: $(UNIT_TESTS)

TEST_DEPS := xdpct $(UNIT_TESTS) $(EXPORT_TESTS) $(PROG_TEST) $(FUZZ) $(GEN) $(OUTPUT)/xdp_pass.bpf.o

test: deps
	$(Q)$(MAKE) --no-print-directory $(TEST_DEPS)
	$(Q)./tests/run.sh

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

sanitize: deps
	$(Q)$(MAKE) --no-print-directory OUTPUT=.output-san CFLAGS="-O1 -g" \
		EXTRA_CFLAGS="$(SAN_FLAGS)" xdpct-san
	$(Q)./tests/sanitize.sh

xdpct-san: $(USER_OBJS) $(UNIT_TESTS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(XCFLAGS) $(LDFLAGS) $(USER_OBJS) $(LDLIBS) -o $@

fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ)
	$(Q)$(FUZZ) --frames $${FRAMES:-1000000} --seed $${SEED:-$$(date +%s)}

demo: deps
	$(Q)$(MAKE) --no-print-directory xdpct $(GEN)
	$(Q)./tests/demo.sh

bench:
	$(Q)./tests/deps.sh bench
	$(Q)$(MAKE) --no-print-directory xdpct $(GEN) $(OUTPUT)/xdp_pass.bpf.o
	$(Q)$(MAKE) --no-print-directory -C bench LDLIBS="$(LDLIBS)"
	$(Q)./bench/run.sh

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) .output-san xdpct xdpct-san bench-out
	$(Q)$(MAKE) --no-print-directory -C bench clean 2>/dev/null || true
