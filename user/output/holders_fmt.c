// SPDX-License-Identifier: GPL-2.0
#include "output/holders_fmt.h"
#include "output/textfmt.h"

void text_holder_cols(struct out *o, const struct who *w, __u32 opener,
		      const char *opener_comm)
{
	const struct holder *h = w->h.n ? &w->h.v[0] : NULL;
	size_t start;

	text_who(o, h ? h->pid : opener, h ? h->comm : opener_comm);
	start = o->len;
	if (h && w->queued)
		out_lit(o, "queued");
	else if (h)
		out_u64(o, h->fd);
	else
		out_char(o, '-');
	text_rpad_from(o, start, W_FD);
}

static void text_pid_comm(struct out *o, __u32 pid, const char *comm)
{
	out_u64(o, pid);
	out_char(o, '/');
	out_text_esc(o, comm, TT_COMM_LEN);
}

void text_holders_more(struct out *o, const struct who *w, __u32 opener,
		       const char *opener_comm)
{
	bool opener_holds = false;

	for (__u32 i = 0; i < w->h.n; i++) {
		const struct holder *h = &w->h.v[i];

		opener_holds |= h->pid == opener;
		if (!i)
			continue;
		out_str(o, i == 1 ? " also held by " : ", ");
		text_pid_comm(o, h->pid, h->comm);
		out_lit(o, " fd ");
		out_u64(o, h->fd);
	}
	if (w->h.n && opener && !opener_holds && !w->queued) {
		out_lit(o, " (opened by ");
		text_pid_comm(o, opener, opener_comm);
		out_char(o, ')');
	}
}

void json_holders_list(struct json_writer *j, const struct who *w)
{
	json_bool_field(j, "queued", w->queued);
	json_key(j, "holders");
	json_arr_start(j);
	for (__u32 i = 0; i < w->h.n; i++) {
		json_obj_start(j);
		json_who(j, w->h.v[i].pid, w->h.v[i].comm);
		json_u64_field(j, "fd", w->h.v[i].fd);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void json_holders(struct json_writer *j, const struct who *w, __u32 opener,
		  const char *opener_comm)
{
	const struct holder *h = w->h.n ? &w->h.v[0] : NULL;

	json_who(j, h ? h->pid : opener, h ? h->comm : opener_comm);
	json_key(j, "fd");
	if (h && !w->queued)
		json_u64(j, h->fd);
	else
		json_null(j);
	json_holders_list(j, w);
	json_key(j, "opened_by");
	if (opener) {
		json_obj_start(j);
		json_who(j, opener, opener_comm);
		json_obj_end(j);
	} else {
		json_null(j);
	}
}
