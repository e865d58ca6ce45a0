# vdswipe: build and test.
#
#   make            build the module for every installed kernel, the
#                   library, the tool and the selftests
#   make demo       install what is missing, build, boot a VM and show
#                   vdswipe at work on a ramdisk
#   make check      install what is missing and run every test on every
#                   supported kernel; ends with "N passed, N failed"
#   make deps       only install what is missing (apt-get, as root)
#   make deb        the Debian packages (vdswipe-dkms, libvdswipe1,
#                   libvdswipe-dev, vdswipe) in build/deb/, and lintian
#   make install    from source, without packages: the module for KVER
#                   (default: the running kernel) under extra/, the
#                   library, headers and the tool under PREFIX (/usr/local);
#                   DESTDIR stages it
#   make fuzz       fuzz the ioctls in a VM for FUZZ_SECONDS (default 600)
#   make stress     STRESS_THREADS threads (8) of random calls on several
#                   devices in a VM for STRESS_SECONDS (default 600)
#
# KVERS selects kernels by version prefix, e.g. KVERS="6.12"; the default is
# every kernel with a /boot/vmlinuz-VER and /lib/modules/VER/build.

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
KVERS	?=
KERNELS	 = $(shell $(TOP)/tools/vm/kernels $(KVERS))
KTOOLS	:= $(BUILD)/kernel-tools
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

all: modules lib tools selftests

deps:
	@$(TOP)/scripts/deps

kernel-tools:
	@$(TOP)/scripts/extract-kernel-tools $(KTOOLS)

modules:
	@for v in $(KERNELS); do \
		echo "  KMOD    $$v"; \
		$(TOP)/scripts/build-kmod $$v || exit 1; \
	done

sparse:
	@for v in $(KERNELS); do \
		echo "  SPARSE  $$v"; \
		$(TOP)/scripts/build-kmod $$v C=2 || exit 1; \
	done

checkpatch: kernel-tools
	@perl $(KTOOLS)/scripts/checkpatch.pl --no-tree --terse \
		--ignore FILE_PATH_CHANGES -f \
		$(TOP)/kmod/*.c $(TOP)/kmod/*.h $(TOP)/include/uapi/linux/*.h

lib:
	@if [ -f $(TOP)/lib/CMakeLists.txt ]; then \
		cmake -S $(TOP)/lib -B $(BUILD)/lib $(CMAKE_FLAGS) >/dev/null && \
		cmake --build $(BUILD)/lib -j2; \
	fi

tools: lib
	@if [ -f $(TOP)/tools/vdswipe/Makefile ]; then \
		$(MAKE) -s -C $(TOP)/tools/vdswipe OUTPUT=$(BUILD)/tools \
			LIBVDSWIPE_DIR=$(BUILD)/lib; \
	fi

selftests: kernel-tools lib
	@if [ -f $(TOP)/selftests/vdswipe/Makefile ]; then \
		$(MAKE) -s -C $(TOP)/selftests/vdswipe KSFT_DIR=$(KTOOLS)/ksft \
			OUTPUT=$(BUILD)/selftests \
			$(if $(wildcard $(BUILD)/lib/libvdswipe.so),LIBVDSWIPE_DIR=$(BUILD)/lib); \
	fi

# what tools/vm/run puts in the guest
vm-artifacts: modules tools selftests

check: deps
	@$(TOP)/scripts/check

deb: deps
	@$(TOP)/scripts/deb

KVER	?= $(shell uname -r)
PREFIX	?= /usr/local
DESTDIR	?=

install: lib
	@$(TOP)/scripts/build-kmod $(KVER)
	$(MAKE) -s -C /lib/modules/$(KVER)/build M=$(BUILD)/kmod/$(KVER)/src/kmod \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra modules_install
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)/lib --prefix $(PREFIX)
	$(MAKE) -s -C $(TOP)/tools/vdswipe OUTPUT=$(BUILD)/tools \
		LIBVDSWIPE_DIR=$(BUILD)/lib PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	@if [ -z "$(DESTDIR)" ]; then depmod $(KVER) && ldconfig; fi

demo: deps
	@$(TOP)/scripts/demo

# measure vdswipe against dd, blkdiscard -z, nwipe and fio in a VM (6.12, or
# KVERS=...); writes bench/results/ (see bench/README.md)
bench: deps
	@$(TOP)/bench/run $(if $(KVERS),--kernel $(KVERS))

FUZZ_SECONDS	?= 600
STRESS_SECONDS	?= 600
STRESS_THREADS	?= 8
# the newest kernel, or the first of KVERS
VM_KERNEL	 = $(lastword $(KERNELS))

fuzz: deps
	@$(TOP)/tools/vm/run --kernel $(VM_KERNEL) \
		--timeout $$(( $(FUZZ_SECONDS) + 600 )) -- \
		env VDSWIPE_FUZZ_SECONDS=$(FUZZ_SECONDS) \
		VDSWIPE_TEST_TIMEOUT=$$(( $(FUZZ_SECONDS) + 300 )) \
		/selftests/run_tests fuzz_test

stress: deps
	@$(TOP)/tools/vm/run --kernel $(VM_KERNEL) \
		--timeout $$(( $(STRESS_SECONDS) + 600 )) -- \
		env VDSWIPE_STRESS_SECONDS=$(STRESS_SECONDS) \
		VDSWIPE_STRESS_THREADS=$(STRESS_THREADS) \
		VDSWIPE_TEST_TIMEOUT=$$(( $(STRESS_SECONDS) + 300 )) \
		/selftests/run_tests stress_test

clean:
	rm -rf $(BUILD)

.PHONY: all deps kernel-tools modules sparse checkpatch lib tools selftests \
	vm-artifacts check deb install demo bench fuzz stress clean
