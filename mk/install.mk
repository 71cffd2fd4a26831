# SPDX-License-Identifier: GPL-2.0
# make install / uninstall, with PREFIX (default /usr/local) and DESTDIR:
# the binary, a man page per command, bash and zsh completion (zsh's in
# Debian's vendor-completions) and the systemd unit
# of export. The man pages are
# made by help2man from --help itself, and completion asks tcptrail for
# its commands, options and states: neither can drift from the binary.
_install_goal := $(.DEFAULT_GOAL)
PREFIX ?= /usr/local
SBINDIR = $(PREFIX)/sbin
MAN8DIR = $(PREFIX)/share/man/man8
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/vendor-completions
SYSTEMDDIR = $(PREFIX)/lib/systemd/system
TT_CMDS := trace timeline closewait hist export check version
MAN_DIR := $(OUTPUT)/man
MAN_PAGES := $(MAN_DIR)/tcptrail.8 $(TT_CMDS:%=$(MAN_DIR)/tcptrail-%.8)
TT_VERSION_STR = $(shell sed -n 's/^\#define TT_VERSION "\(.*\)"/\1/p' user/util/common.h)

.PHONY: man install uninstall

man: $(MAN_PAGES)

$(MAN_DIR):
	mkdir -p $@

# SEE ALSO, the same in every page
$(MAN_DIR)/see-also.h2m: mk/install.mk | $(MAN_DIR)
	printf '[SEE ALSO]\n%s\n' "$(patsubst %,tcptrail-%(8)$(comma),$(TT_CMDS)) tcptrail(8), ss(8)" >$@

comma := ,

$(MAN_DIR)/tcptrail.8: $(OUTPUT)/tcptrail $(MAN_DIR)/see-also.h2m
	help2man --no-info --section 8 --version-string "$(TT_VERSION_STR)" \
		--name "trace TCP state transitions in the kernel with eBPF" \
		--include $(MAN_DIR)/see-also.h2m --output $@ ./$(OUTPUT)/tcptrail

# help2man runs a program: tcptrail-CMD runs 'tcptrail CMD'
$(MAN_DIR)/bin/tcptrail-%: $(OUTPUT)/tcptrail
	mkdir -p $(@D)
	printf '#!/bin/sh\nexec "%s" %s "$$@"\n' "$(abspath $(OUTPUT)/tcptrail)" $* >$@
	chmod +x $@

# the page's NAME line is the command's summary in 'tcptrail help'
$(MAN_DIR)/tcptrail-%.8: $(MAN_DIR)/bin/tcptrail-% $(MAN_DIR)/see-also.h2m
	help2man --no-info --section 8 --version-string "$(TT_VERSION_STR)" \
		--name "$$(./$(OUTPUT)/tcptrail help | awk -v c=$* \
			'$$1 == c { $$1 = ""; sub(/^ +/, ""); print }')" \
		--include $(MAN_DIR)/see-also.h2m --output $@ $<

install: $(OUTPUT)/tcptrail man
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MAN8DIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(SYSTEMDDIR)
	install -m 0755 $(OUTPUT)/tcptrail $(DESTDIR)$(SBINDIR)/tcptrail
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MAN8DIR)/
	install -m 0644 scripts/tcptrail.bash $(DESTDIR)$(BASHCOMPDIR)/tcptrail
	install -m 0644 scripts/_tcptrail $(DESTDIR)$(ZSHCOMPDIR)/_tcptrail
	sed 's|@SBINDIR@|$(SBINDIR)|' scripts/systemd/tcptrail-export.service.in \
		>$(DESTDIR)$(SYSTEMDDIR)/tcptrail-export.service
	chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/tcptrail-export.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/tcptrail $(DESTDIR)$(BASHCOMPDIR)/tcptrail
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_tcptrail
	rm -f $(DESTDIR)$(SYSTEMDDIR)/tcptrail-export.service
	rm -f $(patsubst $(MAN_DIR)/%,$(DESTDIR)$(MAN8DIR)/%,$(MAN_PAGES))

.DEFAULT_GOAL := $(_install_goal)
