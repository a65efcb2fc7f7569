/* test_fastemit.c - fastemit.c's writer prints what libyaml's emitter
 * prints: kb_emit_doc (the fast writer, libyaml where it bails) against
 * kb_emit_doc_libyaml on
 *   - every YAML document of testdata/ (resources, patches, kustomization
 *     files, fuzz regression inputs: every quoting style and oddity the
 *     project has met);
 *   - random documents of tricky strings (blanks and breaks at either
 *     end, indicators, quotes, tabs, NEL/LS/PS, BOM, characters beyond the
 *     BMP, long words and lines around the 80-column width, empty
 *     strings) as keys and values at every depth, in maps and sequences,
 *     empty collections among them.
 * A difference prints both outputs. */
#define _GNU_SOURCE
#include "emit.h"
#include "fs.h"
#include "parse.h"
#include "tap.h"
#include "util.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef KB_TESTDATA
#error "KB_TESTDATA (the testdata directory) must be defined"
#endif

static size_t docs_compared, docs_differ;

static void compare(const kb_node *doc, const char *what)
{
	kb_buf a = KB_BUF_INIT, b = KB_BUF_INIT;
	kb_error *ea = kb_emit_doc(&a, doc);
	kb_error *eb = kb_emit_doc_libyaml(&b, doc);
	kb_error *ec = kb_emit_check(doc); /* the same verdict, printing nothing */
	docs_compared++;
	bool same = (!ea) == (!eb) && (!ea) == (!ec) &&
		    (ea || (a.len == b.len && memcmp(a.data, b.data, a.len) == 0));
	kb_error_free(ec);
	if (!same) {
		if (docs_differ++ < 5)
			printf("# %s: fast writer\n%s# libyaml\n%s# end\n", what, a.data ? a.data : "",
			       b.data ? b.data : "");
	}
	kb_error_free(ea);
	kb_error_free(eb);
	kb_buf_free(&a);
	kb_buf_free(&b);
}

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *p = kb_xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(p);
		} else if (S_ISREG(st.st_mode) && st.st_size < 4 * 1024 * 1024) {
			size_t len = 0;
			char *text = kb_read_file(p, &len);
			kb_node **docs = NULL;
			size_t n = 0;
			kb_error *e = text ? kb_yaml_parse(p, text, len, NULL, &docs, &n) : NULL;
			if (!e)
				for (size_t i = 0; i < n; i++)
					compare(docs[i], p);
			kb_error_free(e);
			kb_docs_free(docs, n);
			free(text);
		}
		free(p);
	}
	closedir(d);
}

/* ---- random documents ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *const pieces[] = {
	" ", " ", " ", "  ", "\n", "\n", "\n\n", "a", "b", "word", "longerword", "x", ":", ": ",
	"#", " #", "-", "- ", "?", "'", "\"", "\\", "\t", ",", "[", "]", "{", "}", "&", "*", "!",
	"|", ">", "%", "@", "`", "---", "...", "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9",
	"\xef\xbb\xbf", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\r", "\x01", "\x7f",
	"\xc2\xa0", "true", "1", "0x1F", "null", "~", "", "http://example.com/a?b=c#d",
};

static char *random_string(size_t *len)
{
	kb_buf b = KB_BUF_INIT;
	unsigned shape = rnd(10);
	unsigned n = shape == 0 ? 0 : shape < 6 ? 1 + rnd(6) : 10 + rnd(60);
	for (unsigned i = 0; i < n; i++)
		kb_buf_puts(&b, pieces[rnd(sizeof(pieces) / sizeof(*pieces))]);
	if (shape == 9) /* a long line of words: folding at the width */
		for (unsigned i = 0; i < 30; i++)
			kb_buf_puts(&b, rnd(4) ? "lorem " : "ipsum  ");
	*len = b.len;
	if (!b.data)
		return kb_xstrdup("");
	return kb_buf_detach(&b);
}

static kb_node *random_node(int depth)
{
	unsigned k = depth > 4 ? 5 : rnd(8);
	if (k == 0 || k == 1) {
		kb_node *m = kb_node_new(KB_MAP);
		unsigned n = rnd(5);
		for (unsigned i = 0; i < n; i++) {
			size_t kl;
			char *key = random_string(&kl);
			char *uniq = kb_xasprintf("%s%u", key, i); /* keys differ */
			kb_map_appendn(m, uniq, strlen(uniq) + 0, random_node(depth + 1));
			free(uniq);
			free(key);
		}
		return m;
	}
	if (k == 2) {
		kb_node *s = kb_node_new(KB_SEQ);
		unsigned n = rnd(4);
		for (unsigned i = 0; i < n; i++)
			kb_seq_push(s, random_node(depth + 1));
		return s;
	}
	if (k == 3)
		return kb_node_new_int((long long)rnd(100000));
	size_t len;
	char *v = random_string(&len);
	kb_node *n = kb_node_new_strn(v, len);
	free(v);
	return n;
}

int main(void)
{
	walk(KB_TESTDATA);
	printf("# %zu documents of testdata/\n", docs_compared);
	OK(docs_compared > 1000);
	OK(docs_differ == 0);
	size_t before = docs_differ;
	for (int i = 0; i < 20000; i++) {
		kb_node *doc = kb_node_new(KB_MAP);
		unsigned n = 1 + rnd(4);
		for (unsigned j = 0; j < n; j++) {
			char key[16];
			snprintf(key, sizeof(key), "k%u", j);
			kb_map_append(doc, key, random_node(1));
		}
		char what[32];
		snprintf(what, sizeof(what), "random document %d", i);
		compare(doc, what);
		kb_node_free(doc);
	}
	printf("# %zu documents in all\n", docs_compared);
	OK(docs_differ == before);
	return tap_done();
}
