/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands: one file each, one entry point each. */
#ifndef __TT_CMDS_H
#define __TT_CMDS_H

int do_trace(int argc, char **argv);
int do_closewait(int argc, char **argv);
int do_timeline(int argc, char **argv);
int do_version(int argc, char **argv);
int do_hist(int argc, char **argv);
int do_export(int argc, char **argv);
int do_check(int argc, char **argv);

#endif /* __TT_CMDS_H */
