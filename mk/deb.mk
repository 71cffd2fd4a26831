# SPDX-License-Identifier: GPL-2.0
# make deb: build/tcptrail_VERSION_ARCH.deb, a Debian package of what make
# install installs (binary, man pages, bash and zsh completion, export's systemd unit)
# and the Prometheus rules and Grafana dashboard, in
# /usr/share/tcptrail/. lintian runs in tests/integration/test_deb.py.
_deb_goal := $(.DEFAULT_GOAL)
PKG_ARCH := $(shell dpkg --print-architecture)
DEB_VERSION = $(TT_VERSION_STR)-1
DEB_ROOT := $(OUTPUT)/deb/root
DEB := $(OUTPUT)/tcptrail_$(DEB_VERSION)_$(PKG_ARCH).deb
DEB_MAINT ?= tcptrail developers <tcptrail@example.org>
# Debian's policy: zlib and libyaml from their packages (lintian:
# embedded-library), the rest as in build/tcptrail
DEB_LIBS = $(filter-out -lz -lyaml,$(LIBS)) -lz -lyaml

$(OUTPUT)/deb-bin/tcptrail: $(OUTPUT)/obj/main.o $(USER_OBJ)
	mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ $(DEB_LIBS) -o $@

.PHONY: deb

deb: $(OUTPUT)/tcptrail $(OUTPUT)/deb-bin/tcptrail man
	rm -rf $(OUTPUT)/deb
	$(MAKE) --no-print-directory install DESTDIR=$(abspath $(DEB_ROOT)) PREFIX=/usr
	# bookworm's systemd reads units from /lib
	mkdir -p $(DEB_ROOT)/lib/systemd/system
	mv $(DEB_ROOT)/usr/lib/systemd/system/tcptrail-export.service \
		$(DEB_ROOT)/lib/systemd/system/
	rm -rf $(DEB_ROOT)/usr/lib
	install -m 0755 $(OUTPUT)/deb-bin/tcptrail $(DEB_ROOT)/usr/sbin/tcptrail
	strip --strip-unneeded --remove-section=.comment \
		--remove-section=.note $(DEB_ROOT)/usr/sbin/tcptrail
	gzip -9n $(DEB_ROOT)/usr/share/man/man8/*.8
	install -d $(DEB_ROOT)/usr/share/tcptrail $(DEB_ROOT)/usr/share/doc/tcptrail
	install -m 0644 scripts/prometheus/tcptrail.rules.yml \
		scripts/grafana/tcptrail-dashboard.json $(DEB_ROOT)/usr/share/tcptrail/
	install -m 0644 scripts/deb/copyright $(DEB_ROOT)/usr/share/doc/tcptrail/
	printf 'tcptrail (%s) unstable; urgency=medium\n\n  * Built from the tcptrail repository.\n\n -- %s  %s\n' \
		"$(DEB_VERSION)" "$(DEB_MAINT)" "$$(date -R -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s))" \
		| gzip -9n >$(DEB_ROOT)/usr/share/doc/tcptrail/changelog.Debian.gz
	chmod 0644 $(DEB_ROOT)/usr/share/doc/tcptrail/changelog.Debian.gz
	mkdir -p $(DEB_ROOT)/DEBIAN
	{ \
	echo "Package: tcptrail"; \
	echo "Version: $(DEB_VERSION)"; \
	echo "Architecture: $(PKG_ARCH)"; \
	echo "Maintainer: $(DEB_MAINT)"; \
	echo "Installed-Size: $$(du -sk $(DEB_ROOT)/usr $(DEB_ROOT)/lib | awk '{ s += $$1 } END { print s }')"; \
	echo "Depends: libc6 (>= $$(objdump -T $(OUTPUT)/deb-bin/tcptrail | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)), zlib1g (>= 1:1.1.4), libyaml-0-2"; \
	echo "Section: net"; \
	echo "Priority: optional"; \
	echo "Homepage: https://example.org/tcptrail"; \
	echo "Description: trace TCP state transitions and CLOSE_WAIT leaks with eBPF"; \
	echo " tcptrail follows every TCP state transition in the kernel and tells"; \
	echo " how long sockets sit in CLOSE_WAIT, and who holds them: a live view,"; \
	echo " per-port histograms, a Prometheus exporter with its systemd unit,"; \
	echo " alerting rules and a Grafana dashboard, and a CI gate that fails a"; \
	echo " test suite which leaks sockets. It needs a kernel with BTF."; \
	} >$(DEB_ROOT)/DEBIAN/control
	cd $(DEB_ROOT) && find usr lib -type f | sort | xargs md5sum >DEBIAN/md5sums
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $(DEB)

.DEFAULT_GOAL := $(_deb_goal)
