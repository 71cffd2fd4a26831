// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "util/common.h"
#include "output/prom.h"
#include "model/tcp_state.h"

#define NPORTS (TT_PORT_OTHER + 1)

struct ranked {
	__u32 port;
	__u64 weight;
};

static int by_weight(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

/*
 * keep[port]: true for the labels that stay; everything else is "other".
 * Returns false on allocation failure (then all ports stay: still right,
 * only unbounded).
 */
static bool choose_ports(const struct prom_input *in, bool *keep)
{
	__u64 *w = calloc(NPORTS, sizeof(*w));
	struct ranked *r;
	size_t n = 0;

	if (!w)
		return false;
	for (size_t i = 0; i < in->nhists; i++)
		w[in->hists[i].key.port] += in->hists[i].h.count + 1;
	for (size_t i = 0; i < in->nsocks; i++)
		w[in->socks[i].port] += in->socks[i].count + 1;
	w[TT_PORT_OTHER] = 0;
	r = calloc(NPORTS, sizeof(*r));
	if (!r) {
		free(w);
		return false;
	}
	for (__u32 p = 0; p < TT_PORT_OTHER; p++)
		if (w[p])
			r[n++] = (struct ranked){ p, w[p] };
	qsort(r, n, sizeof(*r), by_weight);
	for (size_t i = 0; i < n && i < in->max_ports; i++)
		keep[r[i].port] = true;
	free(r);
	free(w);
	return true;
}

/* the port, and the container labels where asked for */
static void label_port(struct out *o, const struct prom_input *in, __u32 port,
		       __u32 set)
{
	out_lit(o, "port=\"");
	if (port == TT_PORT_OTHER)
		out_lit(o, "other");
	else
		out_u64(o, port);
	out_char(o, '"');
	if (!in->sets)
		return;
	/* hex digits, dashes and words: nothing to escape */
	out_lit(o, ",container_id=\"");
	out_str(o, label_sets_container(in->sets, set));
	out_lit(o, "\",pod_uid=\"");
	out_str(o, label_sets_pod(in->sets, set));
	out_lit(o, "\",qos=\"");
	out_str(o, label_sets_qos(in->sets, set));
	out_char(o, '"');
}

static void label_state(struct out *o, const char *name, __u32 state)
{
	out_str(o, name);
	out_lit(o, "=\"");
	out_str(o, tcp_state_label(state));
	out_char(o, '"');
}

static void header(struct out *o, const char *name, const char *type,
		   const char *help)
{
	out_lit(o, "# HELP ");
	out_str(o, name);
	out_char(o, ' ');
	out_str(o, help);
	out_lit(o, "\n# TYPE ");
	out_str(o, name);
	out_char(o, ' ');
	out_str(o, type);
	out_char(o, '\n');
}

static void one_hist(struct out *o, const struct prom_input *in, __u32 state,
		     __u32 port, __u32 set, const struct tt_hist *h)
{
	__u64 cum = 0;

	for (int s = 0; s < TT_HIST_SLOTS; s++) {
		cum += h->slots[s];
		out_lit(o, "tcptrail_state_duration_seconds_bucket{");
		label_state(o, "state", state);
		out_char(o, ',');
		label_port(o, in, port, set);
		out_lit(o, ",le=\"");
		if (s == TT_HIST_SLOTS - 1)
			out_lit(o, "+Inf");
		else /* 2^s microseconds, exactly */
			out_fixed(o, hist_slot_upper(s), 1000000, 6);
		out_lit(o, "\"} ");
		out_u64(o, cum);
		out_char(o, '\n');
	}
	out_lit(o, "tcptrail_state_duration_seconds_sum{");
	label_state(o, "state", state);
	out_char(o, ',');
	label_port(o, in, port, set);
	out_lit(o, "} ");
	out_fixed(o, h->sum_ns, 1000000000, 9);
	out_lit(o, "\ntcptrail_state_duration_seconds_count{");
	label_state(o, "state", state);
	out_char(o, ',');
	label_port(o, in, port, set);
	out_lit(o, "} ");
	out_u64(o, h->count);
	out_char(o, '\n');
}

/*
 * in->hists is sorted by state, port and set: merge the dropped ports,
 * set by set
 */
static void hists(struct out *o, const struct prom_input *in, const bool *keep)
{
	size_t nsets = in->sets ? label_sets_count(in->sets) : 1;
	struct tt_hist *other = calloc(nsets, sizeof(*other));

	if (!other) {
		o->err = o->err ? o->err : ENOMEM;
		return;
	}
	header(o, "tcptrail_state_duration_seconds", "histogram",
	       "Time TCP sockets spent in a state, by service port, "
	       "recorded when they left it.");
	for (size_t i = 0; i < in->nhists;) {
		__u32 state = in->hists[i].key.state;

		memset(other, 0, nsets * sizeof(*other));
		for (; i < in->nhists && in->hists[i].key.state == state; i++) {
			const struct hist_entry *e = &in->hists[i];
			__u32 set = in->sets ? e->key.cgroup_id : 0;

			if (keep[e->key.port])
				one_hist(o, in, state, e->key.port, set, &e->h);
			else if (set < nsets)
				hist_merge(&other[set], &e->h);
		}
		for (__u32 s = 0; s < nsets; s++)
			if (other[s].count)
				one_hist(o, in, state, TT_PORT_OTHER, s,
					 &other[s]);
	}
	free(other);
}

static void transitions(struct out *o, const struct prom_input *in)
{
	header(o, "tcptrail_transitions_total", "counter",
	       "TCP state transitions; to=\"time_wait\" is inferred from "
	       "the hand-off to a time-wait socket.");
	/* 0 and 14, 15 are no state: nothing to name them by */
	for (__u32 from = 1; from < TT_TCP_STATE_MAX; from++) {
		for (__u32 to = 1; to < TT_TCP_STATE_MAX; to++) {
			__u64 n = in->transitions[from * TT_NSTATES + to];

			if (!n)
				continue;
			out_lit(o, "tcptrail_transitions_total{");
			label_state(o, "from", from);
			out_char(o, ',');
			label_state(o, "to", to);
			out_lit(o, "} ");
			out_u64(o, n);
			out_char(o, '\n');
		}
	}
}

/* sums per (state, label port, set): socks may repeat a merged key */
static int by_state_port(const void *pa, const void *pb)
{
	const struct prom_sockets *a = pa, *b = pb;

	if (a->state != b->state)
		return a->state < b->state ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return a->set < b->set ? -1 : a->set > b->set;
}

size_t prom_sockets_merge(struct prom_sockets *v, size_t n)
{
	size_t len = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), by_state_port);
	for (size_t i = 1; i < n; i++) {
		struct prom_sockets *last = &v[len];

		if (v[i].state == last->state && v[i].port == last->port &&
		    v[i].set == last->set) {
			last->count += v[i].count;
			if (v[i].oldest_ns > last->oldest_ns)
				last->oldest_ns = v[i].oldest_ns;
		} else {
			v[++len] = v[i];
		}
	}
	return len + 1;
}

/* the series of m (merged) with a socket in them, for the next rendering */
static void remember(struct prom_last *last, const struct prom_sockets *m,
		     size_t n)
{
	struct prom_sockets *v = calloc(n + 1, sizeof(*v));
	size_t len = 0;

	if (!v)
		return; /* the zeros of the next rendering are lost, no more */
	for (size_t j = 0; j < n; j++)
		if (m[j].count)
			v[len++] = m[j];
	free(last->v);
	last->v = v;
	last->n = len;
}

/*
 * Every kept port has a sample in every covered state, 0 when no socket
 * is there; so has every series of the last rendering that had a socket.
 */
static void sockets(struct out *o, const struct prom_input *in,
		    const bool *keep)
{
	size_t nkeep = 0, n = 0, nlast = in->last ? in->last->n : 0;
	struct prom_sockets *m;

	for (__u32 p = 0; p < TT_PORT_OTHER; p++)
		nkeep += keep[p];
	m = calloc(in->nsocks + nkeep * TT_NSTATES + nlast + 1, sizeof(*m));
	if (!m) {
		o->err = o->err ? o->err : ENOMEM;
		return;
	}
	for (__u32 st = 0; st < TT_NSTATES; st++) {
		if (!(in->sock_states & (1U << st)))
			continue;
		for (__u32 p = 0; p < TT_PORT_OTHER; p++)
			if (keep[p])
				m[n++] = (struct prom_sockets){ p, st, 0, 0,
								LS_NONE };
	}
	for (size_t i = 0; i < nlast; i++)
		if (in->sock_states & (1U << in->last->v[i].state))
			m[n++] = (struct prom_sockets){ in->last->v[i].port,
							in->last->v[i].state, 0,
							0, in->last->v[i].set };
	for (size_t i = 0; i < in->nsocks; i++) {
		m[n] = in->socks[i];
		if (!keep[m[n].port])
			m[n].port = TT_PORT_OTHER;
		n++;
	}
	n = prom_sockets_merge(m, n);
	if (in->last)
		remember(in->last, m, n);
	header(o, "tcptrail_sockets", "gauge",
	       "TCP sockets now in a state, by service port.");
	for (size_t j = 0; j < n; j++) {
		out_lit(o, "tcptrail_sockets{");
		label_state(o, "state", m[j].state);
		out_char(o, ',');
		label_port(o, in, m[j].port, m[j].set);
		out_lit(o, "} ");
		out_u64(o, m[j].count);
		out_char(o, '\n');
	}
	header(o, "tcptrail_closewait_oldest_seconds", "gauge",
	       "Time in CLOSE_WAIT of the oldest socket now in it, by "
	       "service port (estimated for sockets older than tcptrail).");
	for (size_t j = 0; j < n; j++) {
		if (m[j].state != TCP_CLOSE_WAIT)
			continue;
		out_lit(o, "tcptrail_closewait_oldest_seconds{");
		label_port(o, in, m[j].port, m[j].set);
		out_lit(o, "} ");
		out_fixed(o, m[j].oldest_ns, 1000000000, 6);
		out_char(o, '\n');
	}
	free(m);
}

static void counter(struct out *o, const char *name, const char *help, __u64 v)
{
	header(o, name, "counter", help);
	out_str(o, name);
	out_char(o, ' ');
	out_u64(o, v);
	out_char(o, '\n');
}

void prom_render(struct out *o, const struct prom_input *in)
{
	bool *keep = calloc(NPORTS, sizeof(*keep));

	if (!keep || !choose_ports(in, keep)) {
		free(keep);
		o->err = o->err ? o->err : ENOMEM;
		return;
	}
	hists(o, in, keep);
	transitions(o, in);
	sockets(o, in, keep);
	free(keep);
	counter(o, "tcptrail_lost_events_total",
		"Transitions dropped: the ring buffer was full.", in->lost);
	counter(o, "tcptrail_untimed_total",
		"Sockets that left a measured state they entered before "
		"tcptrail started, or after a step unseen: not in the "
		"histograms.",
		in->untimed);
	counter(o, "tcptrail_untracked_total",
		"Transitions of sockets without room for per-socket state.",
		in->untracked);
	counter(o, "tcptrail_missed_total",
		"Transitions neither the program nor its relief ran for (the "
		"kernel skips a program already running on that CPU).",
		in->missed);
	counter(o, "tcptrail_gaps_total",
		"Sockets seen leaving a state they were not seen entering: a "
		"transition between went unseen, counted as missed or one the "
		"kernel ran no BPF program for.",
		in->gaps);
	if (in->sets) {
		header(o, "tcptrail_label_sets_folded", "gauge",
		       "Container label sets summed under container_id="
		       "\"other\" in this scrape (--max-containers).");
		out_lit(o, "tcptrail_label_sets_folded ");
		out_u64(o, in->folded);
		out_char(o, '\n');
	}
	header(o, "tcptrail_build_info", "gauge",
	       "tcptrail's version, its libbpf, and how it attached.");
	out_lit(o, "tcptrail_build_info{version=\"" TT_VERSION "\",libbpf=\"");
	out_u64(o, libbpf_major_version());
	out_char(o, '.');
	out_u64(o, libbpf_minor_version());
	out_lit(o, "\",attach=\"");
	out_str(o, in->attach ? in->attach : "none");
	out_lit(o, "\"} 1\n");
}

void prom_last_free(struct prom_last *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
