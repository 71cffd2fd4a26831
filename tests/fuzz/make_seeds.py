#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpora in tests/fuzz/corpus/<target>/ (committed).

Each seed is laid out as its harness reads it (see the comment at the
top of tests/fuzz/fuzz_<target>.c): a few valid inputs, and the edges
the parsers must refuse or survive. Run from the repository root after
changing a harness's input layout; it rewrites the seeds it names.
"""
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
AF_INET, AF_INET6 = 2, 10


def u8(v):
    return struct.pack("<B", v)


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v & (2**64 - 1))


def field(b):
    """a length-prefixed field (fuzz_str(in, false))"""
    return u8(len(b)) + b


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def ports():
    sets = {
        "web": b"80,443,8000-8100",
        "full": b"1-65535",
        "single": b"65535",
        "zero": b"0",
        "backwards": b"9000-8000",
        "empty_elem": b"80,,443",
        "trailing_comma": b"80,",
        "double_dash": b"1-2-3",
        "padded": b"0000080",
    }
    for name, s in sets.items():
        write("ports", "set_" + name, u8(0) + u64(0) + s)
    write("ports", "set_preset", u8(0) + u64(0x8000000000000001) + b"22")
    write("ports", "u64_pid", u8(1) + u64(1) + u64(4194304) + b"4194304")
    write("ports", "u64_max", u8(1) + u64(1) + u64(2**64 - 1) +
          b"18446744073709551615")
    write("ports", "u64_overflow", u8(1) + u64(0) + u64(2**64 - 1) +
          b"18446744073709551616")
    write("ports", "u64_sign", u8(1) + u64(0) + u64(100) + b"+5")
    # which=any, IPv4, netns and tgid, then (family, sport, dport) tuples
    tuples = b"".join(u8(1) + u16(s) + u16(d) + u32(4026531840) + u32(77)
                      for s, d in ((8080, 40000), (40000, 443), (22, 22)))
    write("ports", "match_any", u8(2) + u8(2) + u8(1 | 4 | 8) +
          field(b"443,8080") + u32(4026531840) + u32(77) + tuples)
    write("ports", "match_local6", u8(2) + u8(0) + u8(2) + field(b"1-1024") +
          u8(0) + u16(80) + u16(5000) + u32(1) + u32(1))


def duration():
    for i, s in enumerate([b"500us", b"200ms", b"1.5s", b"2m", b"1h",
                           b"10", b"0.000000001s", b"1.0000000009h",
                           b"18446744073s", b"18446744074s",
                           b"18446744073709551615ns", b"5124095h",
                           b"99999999999999999999999s", b"1.", b".5s",
                           b"1e3s", b"-1s", b" 1s", b"1 s"]):
        write("duration", "dur%02d" % i, u8(0) + s)
    for i, s in enumerate([b"4096", b"64K", b"8M", b"1G", b"1.5MiB",
                           b"16GiB", b"17179869184G", b"1KB", b"k"]):
        write("duration", "size%02d" % i, u8(1) + s)


def states():
    for i, s in enumerate([b"close_wait", b"CLOSE-WAIT,last_ack",
                           b"estab,syn-rcv,closed,fin_wait_1",
                           b"listen,,closing", b"established,bogus",
                           b"time_wait", b"new_syn_recv,bound_inactive",
                           b"fin_wait_2" * 3, b",", b""]):
        write("states", "list%02d" % i, u8(i * 7) + s)
    write("states", "state_255", u8(255) + b"x")


def resolve():
    def mode(netns=False, st=1, fs=2, structured=False, no_proc=False):
        return u8((1 if netns else 0) | st << 1 | fs << 3 |
                  (0x40 if structured else 0) | (0x80 if no_proc else 0))

    ino = u64(4026531840)
    write("resolve", "netns_inode", mode(True) + ino + field(b"4026531840") +
          u8(0))
    write("resolve", "netns_zero", mode(True, fs=1) + ino + field(b"0") +
          u8(0))
    write("resolve", "netns_name", mode(True, fs=1) + ino + field(b"blue") +
          u8(0))
    write("resolve", "netns_path", mode(True, st=2, fs=1) + ino +
          field(b"/proc/1/ns/net") + u8(0))
    write("resolve", "netns_long", mode(True, fs=1) + ino +
          field(b"a" * 255) + u8(31))
    write("resolve", "cgroup_abs", mode() + ino +
          field(b"/sys/fs/cgroup/system.slice") + u8(0))
    write("resolve", "cgroup_file", mode(st=2) + ino +
          field(b"/sys/fs/cgroup/cgroup.procs") + u8(0))
    mountinfo = (b"22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
                 b"25 21 0:22 / /sys/fs/cgroup rw,nosuid,nodev shared:9 - "
                 b"cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n")
    write("resolve", "cgroup_rel_raw", mode() + ino +
          field(b"system.slice/ssh.service") + u8(0) + mountinfo)
    escaped = (b"30 1 0:40 / /mnt/my\\040cgroups rw shared:1 - cgroup2 "
               b"cgroup2 rw\n")
    write("resolve", "cgroup_rel_escaped", mode() + ino + field(b"a") +
          u8(0) + escaped)
    write("resolve", "cgroup_no_proc", mode(no_proc=True) + ino +
          field(b"user.slice") + u8(0))
    # structured records: kind, mount point length and pattern, options
    # (kind % 5 is the type: 0 cgroup2, 3 proc; kind >> 3 & 3 optional
    # fields; bit 7 a 16-bit mount point length) and the path's pattern
    rec = lambda kind, mlen, pat: u8(kind) + (
        u16(mlen) if kind & 0x80 else u8(mlen)) + u8(len(pat) - 1) + pat
    write("resolve", "cgroup_structured", mode(structured=True) + ino +
          field(b"app") + u8(0) + rec(3, 4, b"proc") +
          rec(10, 13, b"sys/fs/cgroup"))
    write("resolve", "cgroup_structured_space", mode(structured=True) +
          ino + field(b"app") + u8(0) + rec(10, 9, b"my cgroup"))
    write("resolve", "cgroup_structured_long",
          mode(structured=True) + ino + field(b"x") + u8(0) +
          rec(130, 1500, b"long dir\\"))


def owners():
    # want 3 inodes: 1000, 1006, 1016
    want = u8(3) + u32(999) + u8(5) + u8(9)
    proc = lambda pid, comm, flags=0: u8(0 | flags) + u32(pid - 1) + \
        field(comm)
    fd = lambda n: u8(1) + u16(n)
    sock = lambda i: u8(2) + u8(i)
    write("owners", "two_procs", want +
          proc(100, b"nginx\n") + fd(3) + sock(0) + fd(4) + u8(4) + u8(0) +
          proc(200, b"curl\n") + fd(5) + sock(0) + fd(6) + sock(2))
    write("owners", "long_comm", want +
          proc(7, b"a-very-long-process-name\n") + fd(9) + sock(1))
    write("owners", "no_fd_dir", want + proc(1, b"init\n", 0x40) + fd(1) +
          sock(0) + proc(2, b"", 0x20) + fd(1) + sock(0))
    write("owners", "self_and_junk", want + u8(0x80) + field(b"self") +
          field(b"") + fd(1) + sock(0) + proc(42, b"x\n") + u8(0x85) +
          field(b"fdinfo") + sock(1) + fd(7) + u8(3) +
          field(b"socket:[1006]") + fd(8) + u8(5))
    write("owners", "odd_links", want + proc(9, b"odd\n") +
          b"".join(fd(i) + u8(4) + u8(i) for i in range(7)))
    write("owners", "none_wanted", u8(0) + proc(1, b"init\n") + fd(0) +
          sock(0))


def event(family=AF_INET, saddr=b"\x7f\0\0\x01", daddr=b"\x0a\0\0\x02",
          comm=b"curl", owner_comm=b"nginx", old=1, new=8, flags=0x03,
          delta=480312000, ts=1000000000000 + 1500000000, pid=101, tgid=100,
          owner=200, sport=8080, dport=51234, cgroup=4242):
    e = (u64(ts) + u64(42) + u64(delta) + u32(pid) + u32(tgid) +
         u32(owner) + u32(4026531840) + saddr.ljust(16, b"\0") +
         daddr.ljust(16, b"\0") + u16(sport) + u16(dport) + u16(family) +
         u8(old) + u8(new) + u8(flags) + b"\0" * 7 +
         comm.ljust(16, b"\0")[:16] + owner_comm.ljust(16, b"\0")[:16] +
         u64(cgroup))
    assert len(e) == 128
    return e


def sink_trailer(opts=0, cap=0, start=1000000000000,
                 m2r=1700000001500000000 - 1000000000000 - 1500000000,
                 lost=3, ts2=None):
    t = u8(opts) + u8(cap) + u64(start) + u64(m2r) + u64(lost)
    return t + (u64(ts2) if ts2 is not None else b"")


def sink():
    v6l = b"\0" * 15 + b"\x01"
    v6r = b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02"
    mapped = b"\0" * 10 + b"\xff\xff\xc0\x00\x02\x01"
    write("sink", "v4", event() + sink_trailer())
    write("sink", "v4_wall_fd", event() + sink_trailer(1 | 4 | 8, 2))
    write("sink", "v6_wide", event(AF_INET6, v6l, v6r) +
          sink_trailer(2 | 16, 1, ts2=2**63))
    write("sink", "v6_mapped", event(AF_INET6, mapped, b"\xff" * 16) +
          sink_trailer())
    write("sink", "unknown_family", event(family=7, old=0, new=255,
                                          delta=2**64 - 1, flags=0) +
          sink_trailer(opts=1))
    write("sink", "hostile_comm", event(
        comm=b"\x1b[31m\"\n\\\xff\xc3(\x7f",
        owner_comm=b"\xe2\x82\xac\xf0\x9f\x98\x80\xed\xa0\x80\xc0\xaf") +
        sink_trailer(opts=4, cap=0))
    write("sink", "full_comm", event(comm=b"A" * 16, owner_comm=b"B" * 16,
                                     flags=0x7f) + sink_trailer(opts=3))
    write("sink", "softirq_no_owner", event(flags=0, pid=0, tgid=0) +
          sink_trailer(lost=2**64 - 1))
    write("sink", "owner_zero_pid", event(flags=0x02, owner=0,
                                          owner_comm=b"") + sink_trailer())
    write("sink", "empty_comm", event(flags=0x01, comm=b"") +
          sink_trailer(opts=1, m2r=-(2**63)))
    write("sink", "truncated", event()[:60])
    write("sink", "empty", b"")


def out():
    text = lambda kind, b: u8(kind) + field(b)
    write("out", "numbers", u8(0) + u8(4) +
          u8(0) + u64(0) + u8(0) + u64(2**64 - 1) +
          u8(1) + u64(480312000) + u8(6) + u8(3) +
          u8(1) + u64(2**64 - 1) + u8(9) + u8(6) +
          u8(1) + u64(15) + u8(1) + u8(3) + u8(1) + u64(1999) + u8(3) +
          u8(0))
    write("out", "strings_fd", u8(1) + u8(1) +
          text(2, b"\x1b[31mred\\ \x7f\xff") +
          text(3, b"\"\\\n\x01\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                  b"\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80") +
          u8(9) + u8(4) + u8(20) + text(5, b"CLOSE_WAIT") +
          u8(6) + u8(ord("x")) + text(7, b"hello\0world") +
          text(8, b"\0\1\2") + u8(10))
    write("out", "linebuf", u8(3) + u8(0) + text(3, b"a" * 200) + u8(9) +
          text(2, b"\x80" * 100) + u8(9) + u8(4) + u8(255))
    write("out", "human", u8(0) + u8(0) + b"".join(
        u8(11) + u64(v) + u8(4) + u8(1)
        for v in (0, 81000, 999999, 1000000, 480250000, 999999999,
                  1204000000, 2**64 - 1)))
    write("out", "json_truncated_utf8", u8(0) + u8(0) +
          text(3, b"abc\xe2\x82") + text(3, b"\xf0\x9f\x98") +
          text(3, b"\xc3"))


def addr():
    for i, s in enumerate([b"127.0.0.1:9976", b"[::1]:9976", b"0.0.0.0:9976",
                           b":9976", b"[]:80", b"::1:80", b"[::1]80",
                           b"1.2.3.4:0", b"1.2.3.4:65536", b"1.2.3.4:",
                           b"[1.2.3.4]:80", b"[::ffff:1.2.3.4]:80",
                           b"localhost:80", b"01.2.3.4:80",
                           b"[fe80::1%eth0]:80", b"[" + b"0:" * 40 + b"]:1",
                           b"1.2.3.4:+80"]):
        write("addr", "listen%02d" % i, u8(0) + s)
    for k in (b"service", b"lport", b"rport", b"port", b""):
        write("addr", "key_" + (k.decode() or "empty"), u8(1) + k)


def proc():
    stat = lambda pid, comm, ppid, rest=b"1 1 0 -1 4194560": (
        u8(2) + u32(pid) + field(comm) + u8(1) + u32(ppid) + rest)
    write("proc", "stat_plain", stat(4242, b"curl", 4100))
    write("proc", "stat_paren", stat(7, b"a) S 99 (b", 1))
    write("proc", "stat_newline", stat(8, b"x\n) R 3", 2**32 - 1))
    write("proc", "stat_long", stat(9, b"long", 123456, b"9 " * 300))
    write("proc", "stat_raw", u8(0) + b"1 (systemd) S 0 1 1 0 -1")
    write("proc", "stat_raw_cut", u8(0) + b"1 (x) S")
    write("proc", "stat_raw_sign", u8(0) + b"1 (x) S -5 1")
    write("proc", "range_default", u8(1 | 2) + u8(1) + u16(32768) + u8(1) +
          u16(60999))
    write("proc", "range_backwards", u8(1 | 2) + u8(1) + u16(2) + u8(1) +
          u16(1))
    write("proc", "range_big", u8(1 | 2) + u8(0) + u32(1024) + u8(0) +
          u32(70000))
    write("proc", "range_raw", u8(1) + b"1024 65535\n")
    write("proc", "range_raw_wrap", u8(1) + b"4294967396 60999")
    write("proc", "range_missing", u8(1 | 4))


def prom():
    def key(state, port):
        """state byte, port byte (0xff other, 0x80 + u16, or small)"""
        if port == "other":
            return u8(state) + u8(0xff)
        if port < 0x80:
            return u8(state) + u8(port)
        return u8(state) + u8(0x80) + u16(port)

    def hist(state, port, slots, count=None, total=0, mx=0):
        h = key(state, port) + u8(len(slots))
        h += b"".join(u8(s) + u32(n) for s, n in slots)
        if count is not None:
            h += u64(count)
        return h + u64(total) + u64(mx)

    def sock(state, port, count, oldest):
        return key(state, port) + u32(count) + u64(oldest)

    def head(opts=1, unnamed=0, cap=0, mp=15, big=None,
             states=(1 << 1) | (1 << 8), counters=(0, 0, 0, 0, 0)):
        h = u8(opts) + u8(unnamed) + u8(cap)
        h += u8(0x80) + u32(big - 1) if big else u8(mp)
        return h + u32(states) + b"".join(u64(c) for c in counters)

    def trans(*cells):
        return u8(len(cells)) + b"".join(u8(f * 16 + t) + u64(n)
                                         for f, t, n in cells)

    web = [hist(1, 80, [(3, 10), (10, 5), (39, 1)], total=9000000, mx=2**40),
           hist(8, 443, [(0, 1), (20, 2)], total=2000000000, mx=900000000),
           hist(8, "other", [(5, 7)], total=300000, mx=40000)]
    socks = [sock(8, 443, 3, 5000000000), sock(1, 80, 12, 0),
             sock(1, 51234, 1, 10)]
    write("prom", "basic", head(opts=1 | 8, counters=(3, 2, 1, 0, 4)) +
          trans((2, 1, 5), (1, 8, 4), (8, 9, 3), (5, 6, 2)) +
          u8(len(web)) + b"".join(web) + u8(len(socks)) + b"".join(socks))
    many = [hist(1, p, [(p % 40, p)], total=p * 1000, mx=p * 1000)
            for p in (22, 80, 443, 8080, 9000, 5432)]
    write("prom", "merge_max1", head(opts=2, mp=0, states=0xffff) +
          u8(len(many)) + b"".join(many) + u8(2) + sock(8, 22, 100, 7) +
          sock(8, 9000, 1, 2**63))
    ties = [hist(4, p, [(1, 1)], total=1, mx=1) for p in (5, 6, 7, 8)]
    write("prom", "ties_max2", head(mp=1, states=1 << 4) + u8(len(ties)) +
          b"".join(ties) + u8(2) + sock(4, 9, 0, 0) + sock(4, 5, 0, 0))
    write("prom", "relaxed", head(opts=4 | 2) + u8(2) +
          hist(1, 80, [(2, 3)], count=5, total=7, mx=9) +
          hist(1, 81, [(2, 3)], count=0, total=7, mx=9) + u8(0))
    write("prom", "unnamed_0", head(unnamed=0, states=1 | (1 << 8)) +
          u8(2) + hist(0, 80, [(1, 2)], total=3) + hist(15, 80, [(2, 1)]) +
          u8(2) + sock(0, 80, 4, 4) + sock(31, "other", 1, 1))
    write("prom", "unnamed_31", head(unnamed=18, mp=3) + u8(1) +
          hist(20, "other", [(39, 2**32 - 1)], total=2**55, mx=2**64 - 1) +
          u8(1) + sock(20, 443, 2**32 - 1, 2**64 - 1))
    big = [hist(1, 1000 + i, [(i, 1)]) for i in range(48)]
    write("prom", "max_ports_70000", head(big=70000, states=2**32 - 1,
                                          counters=(2**64 - 1,) * 5) +
          u8(48) + b"".join(big) + u8(0))
    write("prom", "empty", u8(0))


def hist_fmt():
    def entry(state, port, slots, count=None, total=0, mx=0, huge=False):
        e = u8(state) if state < 0xff else u8(0xff) + u32(state)
        if port == "other":
            e += u8(0xff)
        elif port < 0x80:
            e += u8(port)
        else:
            e += u8(0x80) + u16(port)
        e += u8(len(slots)) + b"".join(
            u8(s) + (u64(n) if huge else u32(n)) for s, n in slots)
        if count is not None:
            e += u64(count)
        return e + u64(total) + u64(mx)

    def head(opts=0, cap=0, untimed=0, lost=0, missed=0, gaps=0,
             elapsed=1500000000):
        return (u8(opts) + u8(cap) + u64(untimed) + u64(lost) + u64(missed) +
                u64(gaps) + u64(elapsed))

    es = [entry(8, 8080, [(3, 10), (4, 3), (9, 1)], total=123456789,
                mx=480000),
          entry(1, "other", [(0, 1), (39, 2)], total=10**12, mx=2**50)]
    write("hist_fmt", "us_service", head(untimed=7, lost=2, missed=3, gaps=4) + u8(2) +
          b"".join(es))
    write("hist_fmt", "ms_lport", head(opts=1 | 4) + u8(2) + b"".join(es))
    write("hist_fmt", "rport_unknown_state", head(opts=2) + u8(2) +
          entry(0, 22, [(1, 1)]) + entry(2**32 - 1, 65535, [(38, 5)]))
    write("hist_fmt", "key_out_of_range", head(opts=3) + u8(1) +
          entry(13, 0, [(2, 2)]))
    # a memfd and a tiny buffer: flushes land inside bar lines
    wide = [entry(5, 80 + i, [(s, 1000 * s + i) for s in range(0, 40, 5)],
                  total=i, mx=i) for i in range(6)]
    write("hist_fmt", "fd_flush_midline", head(opts=32, cap=2) + u8(6) +
          b"".join(wide))
    write("hist_fmt", "huge", head(opts=16) + u8(1) +
          entry(8, 443, [(3, 2**64 - 1), (4, 2**63), (5, 3)], huge=True,
                total=2**64 - 1, mx=2**64 - 1))
    write("hist_fmt", "relaxed", head(opts=8) + u8(1) +
          entry(4, 443, [(3, 10)], count=1000, mx=5))
    write("hist_fmt", "empty", head(untimed=3))
    write("hist_fmt", "empty_no_untimed", b"")


def check_report():
    AF_UNSPEC_SEL = 2

    def rec(sock, old, new, flags=0x01, fam=0, sport=8080, dport=51234,
            ts=10**9, delta=2**64 - 1, tgid=4242, owner=0,
            saddr=b"\x7f\0\0\x01", daddr=b"\x0a\0\0\x02",
            comm=b"server", owner_comm=b""):
        r = u8(sock) + u8(old) + u8(new) + u8(flags)
        r += u8(fam) if fam in (0, 1) else u8(AF_UNSPEC_SEL) + u16(fam)
        alen = 4 if fam == 0 else 16
        return (r + u16(sport) + u16(dport) + u64(ts) + u64(delta) +
                u32(tgid) + u32(owner) + saddr.ljust(alen, b"\0")[:alen] +
                daddr.ljust(alen, b"\0")[:alen] +
                comm.ljust(16, b"\0")[:16] +
                owner_comm.ljust(16, b"\0")[:16])

    def head(opts=0, key=0, conns=15, cap=0, maxcw=None, lost=None,
             status=None, times=(5 * 10**9, 10**9, 1700000000, 20 * 10**9),
             stop=0, unseen=0):
        h = u8(opts) + u8(key) + u8(conns) + u8(cap) + u8(stop)
        if maxcw is not None:
            h += u64(maxcw)
        if lost is not None:
            h += u64(lost)
        if status is not None:
            h += u32(status)
        return h + b"".join(u64(t) for t in times) + u64(unseen)

    def argv(*args):
        a = u8(len(args))
        for x in args:
            a += (u8(0xff) + field(x[1:])) if x[:1] == b"\xff" else field(x)
        return a

    passive = 0x10 | 0x01
    flow = (rec(1, 3, 1, passive, ts=10**9) +            # SYN_RECV -> EST
            rec(1, 1, 8, passive, ts=2 * 10**9) +        # -> CLOSE_WAIT
            rec(2, 2, 1, 0x08 | 0x01, sport=40000, dport=443,
                ts=10**9) +
            rec(2, 1, 8, 0x08, sport=40000, dport=443, ts=3 * 10**9) +
            rec(2, 8, 9, 0x08 | 0x01, sport=40000, dport=443,
                ts=6 * 10**9, delta=3 * 10**9) +        # too long
            rec(2, 9, 7, 0x08, sport=40000, dport=443, ts=7 * 10**9))
    write("check_report", "leak_and_maxcw", head(
        opts=1 << 1 | 1 << 2 | 1 << 7, maxcw=10**9, status=0) +
        argv(b"curl", b"-s", b"http://x/?a=1&b=<2>") + flow)
    write("check_report", "open_rport", head(opts=1 | 2 << 3, key=2) +
          rec(3, 2, 1, 0x08, sport=50000, dport=5432) +
          rec(4, 0, 10, 0x01, sport=5432, dport=0))
    hostile = (b"\x1b[31m\"<&'>\\", b"\xfe\xff\xc3(\x7f\x01\n\t",
               b"\xe2\x82\xac\xf0\x9f\x98\x80\xed\xa0\x80",
               b"\xff" + b"\xc3\xa9ab\\" * 3)
    write("check_report", "hostile", head(
        opts=1 << 2 | 1 << 1 | 1 << 3 | 1 << 7, maxcw=1, status=255) +
        argv(*hostile) +
        rec(5, 1, 8, 0x02 | 0x01, owner=777,
            comm=b"\x00hidden", owner_comm=b"\"<&>\\\x7f\x80\xff\x01 ab") +
        rec(5, 8, 9, 0x02, owner=777, delta=5,
            owner_comm=b"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc0\xaf\xf4\x90") +
        rec(6, 0xff, 8, 0x01, comm=b"A" * 16) +
        rec(6, 8, 0x20, 0x01, delta=2**64 - 2))
    # 1100 rounds: more than the 1000 violations listed
    write("check_report", "many", head(opts=1 << 6 | 1 << 1 | 1,
                                       maxcw=1) +
          u16(1099) + flow[len(flow) // 3:])
    write("check_report", "pass_cmd", head(opts=1 << 2 | 1 << 7,
                                           status=0) +
          argv(b"true") + rec(8, 2, 1, 0x08) + rec(8, 1, 4, 0x08) +
          rec(8, 4, 7, 0x08))
    write("check_report", "lost_only", head(opts=1 << 5 | 1 << 4,
                                            lost=2**64 - 1))
    write("check_report", "unseen", head(opts=1 << 2, unseen=7) +
          argv(b"true"))
    v6 = b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02"
    write("check_report", "families", head(opts=0) +
          rec(9, 1, 8, 0x01, fam=1, saddr=v6, daddr=b"\0" * 15 + b"\1") +
          rec(10, 1, 8, 0x01, fam=7, sport=1, dport=2) +
          rec(11, 1, 8, 0x00, fam=0xffff))
    write("check_report", "table_full", head(opts=1, conns=0) +
          b"".join(rec(i, 2, 1, 0x08, sport=40000 + i, dport=80)
                   for i in (1, 2, 3)))
    write("check_report", "long_arg", head(opts=1 << 2) +
          argv(b"\xff" + b"\xe2\x82\xac\x01", b"x" * 200))
    # interrupted by SIGTERM (15), the command then killed by it
    write("check_report", "interrupted", head(opts=1 << 2 | 1 << 7,
                                              status=143, stop=1 | 15 << 1) +
          argv(b"sleep", b"30") + rec(8, 2, 1, 0x08))
    write("check_report", "cmd_failed", head(opts=1 << 2 | 1 << 7 | 1 << 1,
                                             maxcw=10**9, status=7,
                                             stop=1 << 6) +
          argv(b"make", b"test") + flow)
    write("check_report", "empty", b"")


TARGETS = {"ports": ports, "duration": duration, "states": states,
           "resolve": resolve, "owners": owners, "sink": sink, "out": out,
           "addr": addr, "proc": proc, "prom": prom, "hist_fmt": hist_fmt,
           "check_report": check_report}

if __name__ == "__main__":
    for t in sys.argv[1:] or TARGETS:
        TARGETS[t]()
