// SPDX-License-Identifier: GPL-2.0
#include "output/hist_fmt.h"
#include "model/service.h"
#include "model/tcp_state.h"
#include "output/textfmt.h"

#define BAR_WIDTH 40

static const char *unit_name(__u64 unit_ns)
{
	return unit_ns == 1000 ? "usecs" : "msecs";
}

static void out_port(struct out *o, __u32 port)
{
	if (port == TT_PORT_OTHER)
		out_lit(o, "other");
	else
		out_u64(o, port);
}

/* slot s holds (2^(s-1), 2^s] units, whole units rounded up */
static void slot_range(struct out *o, unsigned int s)
{
	size_t start = o->len;

	if (!s)
		out_lit(o, "0 -> 1");
	else if (s == TT_HIST_SLOTS - 1) {
		out_u64(o, hist_slot_upper(s - 1) + 1);
		out_lit(o, " -> inf");
	} else {
		out_u64(o, hist_slot_upper(s - 1) + 1);
		out_lit(o, " -> ");
		out_u64(o, hist_slot_upper(s));
	}
	if (o->len - start < 24)
		out_pad(o, 24 - (o->len - start));
}

static void bars(struct out *o, const struct tt_hist *h, __u64 unit_ns)
{
	int first = -1, last = -1;
	__u64 most = 0;

	for (int s = 0; s < TT_HIST_SLOTS; s++) {
		if (!h->slots[s])
			continue;
		if (first < 0)
			first = s;
		last = s;
		if (h->slots[s] > most)
			most = h->slots[s];
	}
	out_pad(o, 5);
	out_short(o, unit_name(unit_ns));
	out_pad(o, 24 - 5);
	out_lit(o, ":    count distribution");
	out_end_line(o);
	for (int s = first; s >= 0 && s <= last; s++) {
		__u64 n = h->slots[s];
		__u64 w = most ? (__u64)((double)n * BAR_WIDTH / most) : 0;
		size_t start;

		if (n && !w)
			w = 1;
		/* no flush within the line: the padding measures o->len */
		out_reserve(o, TT_LINE_MAX);
		out_pad(o, 5);
		slot_range(o, s);
		out_lit(o, ": ");
		start = o->len;
		out_u64(o, n);
		text_rpad_from(o, start, 8);
		out_char(o, '|');
		if (out_reserve(o, BAR_WIDTH)) {
			memset(o->buf + o->len, '*', w);
			memset(o->buf + o->len + w, ' ', BAR_WIDTH - w);
			o->len += BAR_WIDTH;
		}
		out_char(o, '|');
		out_end_line(o);
	}
}

/* ", container ID, pod UID (QOS)" where the entry's set names them */
static void text_labels(struct out *o, const struct hist_view *v, __u32 set)
{
	const char *id, *pod;

	if (!v->sets || set == LS_NONE)
		return;
	id = label_sets_container(v->sets, set);
	if (*id) {
		out_lit(o, ", container ");
		/* as docker ps and crictl ps shorten it */
		out_mem(o, id, strnlen(id, 12));
	}
	pod = label_sets_pod(v->sets, set);
	if (set != LS_OTHER && *pod) {
		out_lit(o, ", pod ");
		out_str(o, pod);
		out_lit(o, " (");
		out_str(o, label_sets_qos(v->sets, set));
		out_char(o, ')');
	}
}

void hist_print_text(struct out *o, const struct hist_view *v)
{
	const char *what = v->key == TT_KEY_SERVICE ? "service port" :
						      key_mode_str(v->key);

	if (!v->n) {
		out_lit(o, "(no time in the selected states measured yet)");
		out_end_line(o);
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct tt_hist *h = &v->e[i].h;

		out_str(o, tcp_state_str(v->e[i].key.state));
		out_lit(o, " time, ");
		out_str(o, what);
		out_char(o, ' ');
		out_port(o, v->e[i].key.port);
		text_labels(o, v, v->e[i].key.cgroup_id);
		out_lit(o, ": count ");
		out_u64(o, h->count);
		out_lit(o, ", p50 <= ");
		out_human(o, hist_quantile_ns(h, 50, v->unit_ns));
		out_lit(o, ", p99 <= ");
		out_human(o, hist_quantile_ns(h, 99, v->unit_ns));
		out_lit(o, ", max ");
		out_human(o, h->max_ns);
		out_end_line(o);
		bars(o, h, v->unit_ns);
		out_end_line(o);
	}
	if (v->untimed) {
		out_u64(o, v->untimed);
		out_lit(o,
			" left a selected state they entered before tcptrail "
			"started, or after a step unseen: not in the "
			"histograms");
		out_end_line(o);
	}
	if (v->missed) {
		out_u64(o, v->missed);
		out_lit(o, " transitions missed (the program was busy on that "
			   "CPU): not counted");
		out_end_line(o);
	}
	if (v->gaps) {
		out_u64(o, v->gaps);
		out_lit(o, " gaps: a socket left a state it was not seen "
			   "entering");
		out_end_line(o);
	}
	if (v->folded) {
		out_u64(o, v->folded);
		out_lit(o, " container label sets summed under container "
			   "'other' (--max-containers)");
		out_end_line(o);
	}
}

static void json_buckets(struct json_writer *j, const struct tt_hist *h)
{
	json_key(j, "buckets");
	json_arr_start(j);
	for (int s = 0; s < TT_HIST_SLOTS; s++) {
		if (!h->slots[s])
			continue;
		json_obj_start(j);
		json_key(j, "le");
		if (s == TT_HIST_SLOTS - 1)
			json_null(j);
		else
			json_u64(j, hist_slot_upper(s));
		json_u64_field(j, "count", h->slots[s]);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* the members the other JSON outputs name a socket's container by */
static void json_labels(struct json_writer *j, const struct hist_view *v,
			__u32 set)
{
	const char *id, *pod;

	if (!v->sets || set == LS_NONE)
		return;
	/* hex digits, UUIDs, QoS words and "other": nothing to escape */
	id = label_sets_container(v->sets, set);
	if (*id)
		json_word_field(j, "container_id", id);
	pod = label_sets_pod(v->sets, set);
	if (*pod) {
		json_word_field(j, "pod_uid", pod);
		json_word_field(j, "qos", label_sets_qos(v->sets, set));
	}
}

void hist_print_json(struct out *o, const struct hist_view *v)
{
	struct json_writer j;

	json_init(&j, o);
	json_obj_start(&j);
	json_ms_field(&j, "elapsed_ms", v->elapsed_ns);
	json_word_field(&j, "unit", v->unit_ns == 1000 ? "us" : "ms");
	json_word_field(&j, "key", key_mode_str(v->key));
	json_u64_field(&j, "untimed", v->untimed);
	json_u64_field(&j, "lost", v->lost);
	json_u64_field(&j, "missed", v->missed);
	json_u64_field(&j, "gaps", v->gaps);
	if (v->sets)
		json_u64_field(&j, "containers_folded", v->folded);
	json_key(&j, "hists");
	json_arr_start(&j);
	for (size_t i = 0; i < v->n; i++) {
		const struct tt_hist *h = &v->e[i].h;

		json_obj_start(&j);
		json_word_field(&j, "state", tcp_state_str(v->e[i].key.state));
		json_key(&j, "port");
		if (v->e[i].key.port == TT_PORT_OTHER)
			json_word(&j, "other");
		else
			json_u64(&j, v->e[i].key.port);
		json_labels(&j, v, v->e[i].key.cgroup_id);
		json_u64_field(&j, "count", h->count);
		json_ms_field(&j, "sum_ms", h->sum_ns);
		json_ms_field(&j, "p50_ms",
			      hist_quantile_ns(h, 50, v->unit_ns));
		json_ms_field(&j, "p99_ms",
			      hist_quantile_ns(h, 99, v->unit_ns));
		json_ms_field(&j, "max_ms", h->max_ns);
		/* non-empty slots; "le" in units, null for the open-ended one */
		json_buckets(&j, h);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	out_end_line(o);
}
