/*
 * diff.c - unified line diffs (diff.h), over the line diff in
 * lib/util/linediff.h.
 */
#include "diff.h"
#include "linediff.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void put_line(kb_buf *b, char mark, const kb_lines *l, size_t i)
{
	kb_buf_putc(b, mark);
	kb_buf_append(b, l->s[i], l->len[i]);
	kb_buf_putc(b, '\n');
	if (l->no_final_nl && i + 1 == l->n)
		kb_buf_puts(b, "\\ No newline at end of file\n");
}

char *ed_unified_diff(const char *as, size_t alen, const char *bs, size_t blen,
		      const char *old_name, const char *new_name)
{
	if (alen == blen && memcmp(as, bs, alen) == 0)
		return kb_xstrdup("");
	kb_lines a, b;
	kb_lines_split(&a, as, alen);
	kb_lines_split(&b, bs, blen);
	kb_diff_step *ops = NULL;
	size_t nops = kb_line_diff(&a, &b, &ops);
	kb_hunk_span *hunks = NULL;
	size_t nh = kb_hunks(ops, nops, 3, &hunks);

	kb_buf out = KB_BUF_INIT;
	if (strcmp(old_name, "/dev/null") == 0)
		kb_buf_puts(&out, "--- /dev/null\n");
	else
		kb_buf_printf(&out, "--- a/%s\n", old_name);
	kb_buf_printf(&out, "+++ b/%s\n", new_name);
	for (size_t h = 0; h < nh; h++) {
		const kb_hunk_span *hs = &hunks[h];
		kb_buf_printf(&out, "@@ -%zu", hs->a_start);
		if (hs->a_count != 1)
			kb_buf_printf(&out, ",%zu", hs->a_count);
		kb_buf_printf(&out, " +%zu", hs->b_start);
		if (hs->b_count != 1)
			kb_buf_printf(&out, ",%zu", hs->b_count);
		kb_buf_puts(&out, " @@\n");
		for (size_t j = hs->first; j < hs->first + hs->count; j++) {
			const kb_diff_step *op = &ops[j];
			if (op->op == ' ')
				put_line(&out, ' ', &a, op->ai);
			else if (op->op == '-')
				put_line(&out, '-', &a, op->ai);
			else
				put_line(&out, '+', &b, op->bi);
		}
	}
	free(hunks);
	free(ops);
	kb_lines_free(&a);
	kb_lines_free(&b);
	return kb_buf_detach(&out);
}
