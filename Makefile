# root2ram - see README.md.  `make` builds the three binaries; `make check`
# runs every test tier; `make demo` boots the appliance under QEMU.

-include config.mak

VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
B        ?= build
# the test scripts read B too (tests/run.sh, the tiers): `make check B=DIR`
export B
# init/main.c and one folder per concern (README: Layout)
SRCS     := init/main.c $(sort $(wildcard init/*/*.c))
LIBSRCS  := $(filter-out init/main.c,$(SRCS))
HDRS     := $(wildcard init/*/*.h)
UNITSRCS := $(sort $(wildcard tests/unit/*/test_*.c))
TESTS    := $(notdir $(UNITSRCS:.c=))

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-missing-field-initializers
CPPFLAGS := -D_GNU_SOURCE -Iinit -I$(B)
CFLAGS   ?= -Os -g
CFLAGS   += -std=gnu11 $(WARN) -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
# -z norelro: in a static, non-PIE musl program nothing mprotects the RELRO
# region (only musl's dynamic linker does), so its page alignment only pads
# the file (up to 4 KiB)
TARGET_LDFLAGS := -static -Wl,--gc-sections -Wl,-z,norelro

# target toolchains: static musl (Debian musl-dev:armel / musl-dev:arm64)
CC_armel     ?= arm-linux-musleabi-gcc
CC_arm64     ?= aarch64-linux-musl-gcc
STRIP_armel  ?= arm-linux-gnueabi-strip
STRIP_arm64  ?= aarch64-linux-gnu-strip
CC_host      ?= $(CC)
# Thumb code is a third smaller; every ARM core since ARMv4T runs it, and
# interworking with musl's ARM code is part of the EABI.
CFLAGS_armel ?= -mthumb
# unit tests cross-built against Debian's cmocka for armel/arm64 (glibc)
TCC_armel    ?= arm-linux-gnueabi-gcc
TCC_arm64    ?= aarch64-linux-gnu-gcc
TLIB_armel   ?= /usr/lib/arm-linux-gnueabi
TLIB_arm64   ?= /usr/lib/aarch64-linux-gnu
QEMU_armel   ?= qemu-arm
QEMU_arm64   ?= qemu-aarch64

ARCHES := armel arm64 host
# `make V=1` shows the full commands
ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-6s %-6s %s\n'
endif
BINS   := $(foreach a,$(ARCHES),$(B)/$(a)/root2ram)

all: $(BINS)

# The version lives in a generated header, rewritten only when it changes,
# so a new commit rebuilds the two files that print it and nothing else.
$(B)/version.h: FORCE
	@mkdir -p $(B); v='#define R2R_VERSION "$(VERSION)"'; \
	  [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@
VERSIONED := cmd/dispatch boot/boot
FORCE:

# the help texts, packed for the init (scripts/help-pack.c says how)
$(B)/help-pack: scripts/help-pack.c
	@mkdir -p $(@D)
	$(Q)$(CC_host) -O2 -std=gnu11 $(WARN) -o $@ $<
$(B)/help.h: init/cmd/help.txt $(B)/help-pack
	$(say) PACK help $@
	$(Q)$(B)/help-pack $< $@

define target
$(B)/$(1)/obj/%.o: init/%.c $(HDRS)
	@mkdir -p $$(@D)
	$$(say) CC $(1) $$<
	$(Q)$$(CC_$(1)) $$(CPPFLAGS) $$(CFLAGS) $$(CFLAGS_$(1)) -c -o $$@ $$<
$(B)/$(1)/root2ram: $(patsubst init/%.c,$(B)/$(1)/obj/%.o,$(SRCS))
	$$(say) LD $(1) $$@
	$(Q)$$(CC_$(1)) $$(CFLAGS) $$(CFLAGS_$(1)) $(if $(filter host,$(1)),,$$(TARGET_LDFLAGS)) -o $$@ $$^
$(patsubst %,$(B)/$(1)/obj/%.o,$(VERSIONED)): $(B)/version.h
$(B)/$(1)/obj/cmd/dispatch.o: $(B)/help.h
endef
$(foreach a,$(ARCHES),$(eval $(call target,$(a))))

# stripped copies: what is installed on a Pi
$(B)/%/root2ram.stripped: $(B)/%/root2ram
	$(STRIP_$*) -o $@ $<

# fails when the armel init passes SIZE_LIMIT (what a Pi Zero's boot can
# afford to read over NFS before anything else runs)
SIZE_LIMIT := 163840
size: $(B)/armel/root2ram.stripped $(B)/arm64/root2ram.stripped
	@for a in armel arm64; do \
	  s=$$(stat -c %s $(B)/$$a/root2ram.stripped); \
	  printf 'root2ram %-6s %7d bytes stripped (%d KiB; limit for armel: %d KiB)\n' $$a $$s $$((s / 1024)) $$(($(SIZE_LIMIT) / 1024)); \
	done; \
	s=$$(stat -c %s $(B)/armel/root2ram.stripped); \
	[ $$s -le $(SIZE_LIMIT) ] || { echo "root2ram: size: the armel init is $$s bytes, over the limit of $(SIZE_LIMIT)" >&2; exit 1; }

# --- unit tests --------------------------------------------------------------
# build/unit-KIND/test_X: KIND is host, asan (address+undefined), armel, arm64
$(B)/cmocka-inc/cmocka.h:
	mkdir -p $(@D) && ln -sf /usr/include/cmocka.h $@

UNIT_CFLAGS_host  := -O1 -g
UNIT_CFLAGS_asan  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_CC_host  := $(CC)
UNIT_CC_asan  := $(CC)
UNIT_CC_armel := $(TCC_armel)
UNIT_CC_arm64 := $(TCC_arm64)
UNIT_LD_armel := -L$(TLIB_armel)
UNIT_LD_arm64 := -L$(TLIB_arm64)
UNIT_CFLAGS_armel := -O1 -g
UNIT_CFLAGS_arm64 := -O1 -g

UNIT_FLAGS = $(CPPFLAGS) -I$(B)/cmocka-inc -Itests/unit -std=gnu11 $(WARN) $(UNIT_CFLAGS_$(1)) \
             -DTEST_DATA='"$(CURDIR)/tests/data"'
define unit
$(B)/unit-$(1)/obj/%.o: init/%.c $(HDRS)
	@mkdir -p $$(@D)
	$$(say) CC unit-$(1) $$<
	$(Q)$$(UNIT_CC_$(1)) $(call UNIT_FLAGS,$(1)) -c -o $$@ $$<
$(patsubst %,$(B)/unit-$(1)/obj/%.o,$(VERSIONED)): $(B)/version.h
$(B)/unit-$(1)/obj/cmd/dispatch.o: $(B)/help.h
$(B)/unit-$(1)/libr2r.a: $(patsubst init/%.c,$(B)/unit-$(1)/obj/%.o,$(LIBSRCS))
	$(Q)rm -f $$@ && ar rcs $$@ $$^
$(B)/unit-$(1)/test_%: tests/unit/*/test_%.c $(wildcard tests/unit/*.h) $(B)/unit-$(1)/libr2r.a $(B)/version.h | $(B)/cmocka-inc/cmocka.h
	$$(say) TEST unit-$(1) $$@
	$(Q)$$(UNIT_CC_$(1)) $(call UNIT_FLAGS,$(1)) -o $$@ $$< $(B)/unit-$(1)/libr2r.a $$(UNIT_LD_$(1)) -lcmocka
endef
$(foreach k,host asan armel arm64,$(eval $(call unit,$(k))))

define unit_all
unit-$(1): $(addprefix $(B)/unit-$(1)/,$(TESTS))
endef
$(foreach k,host asan armel arm64,$(eval $(call unit_all,$(k))))

# --- fuzzing (libFuzzer, clang): tests/fuzz/fuzz_*.c, run by tier "fuzz"
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CC      ?= clang
$(B)/fuzz/%: tests/fuzz/%.c $(LIBSRCS) $(HDRS) $(B)/version.h $(B)/help.h
	@mkdir -p $(@D)
	$(say) FUZZ host $@
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all -o $@ $< $(LIBSRCS)
fuzz: $(addprefix $(B)/fuzz/,$(FUZZ_TARGETS))

# The README's commands install what they need first (scripts/setup.sh is
# idempotent and quick when everything is there), then build and run.
check-unit:
	@sh scripts/setup.sh unit
	@$(MAKE) --no-print-directory unit-host unit-asan
	@sh tests/run.sh layout host asan

check:
	@sh scripts/setup.sh all
	@$(MAKE) --no-print-directory all unit-host unit-asan unit-armel unit-arm64 fuzz size
	@sh tests/run.sh layout host asan armel arm64 fuzz ldd stage cmdline install learn e2e

# the man page, made from `root2ram help` so the two cannot disagree
man: $(B)/root2ram.8
$(B)/root2ram.8: $(B)/host/root2ram scripts/man.sh
	$(say) MAN host $@
	$(Q)sh scripts/man.sh $(B)/host/root2ram $(VERSION) > $@.tmp && mv $@.tmp $@

bench:
	@sh scripts/setup.sh all
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh

# ARCH=arm64 (64-bit Raspberry Pi OS shaped root on QEMU virt) or armhf (32-bit on it)
demo:
	@sh scripts/setup.sh all
	@$(MAKE) --no-print-directory all
	@bash scripts/demo.sh $(if $(ARCH),--arch $(ARCH))

qemu:
	@sh scripts/setup.sh all
	@$(MAKE) --no-print-directory all
	@bash scripts/demo.sh --interactive $(if $(ARCH),--arch $(ARCH))

# into a Pi's NFS root, on the server: make install NFSROOT=/srv/nfs/pi [AUTHORIZED_KEY=FILE] [PLATFORM=v8l]
install: all $(B)/armel/root2ram.stripped $(B)/arm64/root2ram.stripped
	@[ -n "$(NFSROOT)" ] || { echo "usage: make install NFSROOT=EXPORT [AUTHORIZED_KEY=FILE]" >&2; exit 100; }
	@sh scripts/install.sh "$(NFSROOT)" $(if $(AUTHORIZED_KEY),--authorized-key "$(AUTHORIZED_KEY)") $(if $(PLATFORM),--platform "$(PLATFORM)")

clean:
	rm -rf $(B)

.PHONY: FORCE fuzz man all size check check-unit bench demo qemu install clean unit-host unit-asan unit-armel unit-arm64
.SECONDARY:
