/*
 * session.c - kb_edit sessions: open, transactions, diff, atomic write.
 */
#include "session.h"
#include "diff.h"
#include "fs.h"
#include "kustfile.h"
#include "splice.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void kb_edit_options_init(kb_edit_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = KB_EDIT_OPTIONS_VERSION;
}

kb_error *ed_err(const kb_edit *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kb_error *err = kb_error_newv(e && e->nfiles ? e->files[0].display : NULL, 0, 0, fmt, ap);
	va_end(ap);
	return err;
}

kb_error *ed_err_at(const ed_tx *t, const ed_node *n, const char *fmt, ...)
{
	/* a model node stands for the parsed node it came from */
	const ed_node *p = n && !n->parsed ? n->orig : n;
	unsigned line = 0, col = 0;
	if (p && p->parsed && p->start != ED_NOPOS && t->doc) {
		size_t off = ed_node_lead(p);
		line = (unsigned)ed_line_of(t->doc, off) + 1;
		col = (unsigned)ed_col_of(t->doc, off) + 1;
	}
	va_list ap;
	va_start(ap, fmt);
	kb_error *err = kb_error_newv(t->e->files[0].display, line, col, fmt, ap);
	va_end(ap);
	return err;
}

kb_error *ed_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kb_error *err = kb_error_newv(NULL, 0, 0, fmt, ap);
	va_end(ap);
	err->code = KB_ERR_USAGE;
	return err;
}

char *ed_abs(const kb_edit *e, const char *rel)
{
	return kb_path_join(e->dir, rel);
}

static void file_free(ed_file *f)
{
	free(f->path);
	free(f->display);
	free(f->orig);
	free(f->text);
}

void kb_edit_free(kb_edit *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nfiles; i++)
		file_free(&e->files[i]);
	free(e->files);
	free(e->dir);
	kb_strv_free(&e->msgs);
	free(e);
}

/* Reads text as kustomize's edit reads a kustomization (strict, empty
 * allowed), and as ydoc reads it. */
static kb_error *check_text(const kb_edit *e, const char *path, const char *display,
			    const char *text, size_t len)
{
	kb_kust *k = NULL;
	kb_warnings w = { 0 };
	kb_error *err = kb_kust_parse(path, display, e->dir, text, len, NULL, &w,
				      KB_KUST_ALLOW_EMPTY, &k);
	kb_warnings_free(&w);
	kb_kust_free(k);
	if (err)
		return err;
	ed_doc *d = NULL;
	err = ed_parse(display, text, len, &d);
	ed_doc_free(d);
	return err;
}

static kb_edit *session_new(const kb_edit_options *o, const char *dir)
{
	kb_edit *e = kb_xcalloc(1, sizeof(*e));
	e->dir = kb_xstrdup(dir);
	e->fs = o ? o->fs : NULL;
	return e;
}

static void add_file(kb_edit *e, const char *path, const char *orig, size_t olen)
{
	e->files = kb_xrealloc(e->files, (e->nfiles + 1) * sizeof(*e->files));
	ed_file *f = &e->files[e->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = kb_xstrdup(path);
	f->display = kb_path_display(path);
	if (orig) {
		f->orig = kb_xstrndup(orig, olen);
		f->olen = olen;
		f->text = kb_xstrndup(orig, olen);
		f->len = olen;
	} else {
		f->text = kb_xstrdup("");
	}
}

kb_error *kb_edit_open_text(const kb_edit_options *o, const char *path, const char *text,
			    size_t len, kb_edit **out)
{
	*out = NULL;
	char *abs = path[0] == '/' ? kb_xstrdup(path) : NULL;
	if (!abs) {
		char cwd[4096];
		if (!getcwd(cwd, sizeof(cwd)))
			return kb_error_new(NULL, 0, 0, "cannot find the current directory: %s",
					    strerror(errno));
		abs = kb_path_join(cwd, path);
	}
	char *slash = strrchr(abs, '/');
	char *dir0 = slash == abs ? kb_xstrdup("/") : kb_xstrndup(abs, (size_t)(slash - abs));
	char *dir = kb_fs_realpath(o ? o->fs : NULL, dir0);
	if (!dir)
		dir = kb_xstrdup(dir0);
	free(dir0);
	kb_edit *e = session_new(o, dir);
	char *fpath = kb_path_join(dir, slash + 1);
	free(dir);
	free(abs);
	add_file(e, fpath, text, len);
	free(fpath);
	kb_error *err = check_text(e, e->files[0].path, e->files[0].display, text, len);
	if (err) {
		kb_edit_free(e);
		return err;
	}
	*out = e;
	return NULL;
}

kb_error *kb_edit_open(const kb_edit_options *o, kb_edit **out)
{
	*out = NULL;
	const kb_fs *fs = o ? o->fs : NULL;
	const char *d = o && o->dir ? o->dir : ".";
	char *dir = kb_fs_realpath(fs, d);
	if (!dir || !kb_fs_is_dir(fs, dir)) {
		kb_error *err = kb_error_new(d, 0, 0, "%s", dir ? "not a directory" : strerror(errno));
		free(dir);
		return err;
	}
	/* kustomize's kustfile validate(): exactly one recognised name */
	const char *found[3];
	size_t nfound = 0;
	for (size_t i = 0; i < 3; i++) {
		char *p = kb_path_join(dir, kb_kust_filenames[i]);
		kb_file_type t;
		if (kb_fs_stat(fs, p, true, &t) == 0)
			found[nfound++] = kb_kust_filenames[i];
		free(p);
	}
	char *ddir = kb_path_display(dir);
	kb_error *err = NULL;
	if (nfound == 0) {
		err = kb_error_new(ddir, 0, 0, "Missing kustomization file 'kustomization.yaml'.");
		kb_error_note(err, NULL, 0, 0,
			      "run 'kbuild create' to make one, or -C DIR to edit another directory");
	} else if (nfound > 1) {
		kb_buf b = KB_BUF_INIT;
		for (size_t i = 0; i < nfound; i++)
			kb_buf_printf(&b, "%s%s", i ? " " : "", found[i]);
		err = kb_error_new(ddir, 0, 0, "Found multiple kustomization file: [%s]", b.data);
		kb_error_note(err, NULL, 0, 0, "keep only one of them");
		kb_buf_free(&b);
	}
	free(ddir);
	if (err) {
		free(dir);
		return err;
	}
	char *path = kb_path_join(dir, found[0]);
	if (kb_fs_is_dir(fs, path)) {
		err = kb_error_new(NULL, 0, 0, "%s should be a file", found[0]);
		free(path);
		free(dir);
		return err;
	}
	size_t len;
	char *text = kb_fs_read(fs, path, &len);
	if (!text) {
		char *disp = kb_path_display(path);
		err = kb_error_new(disp, 0, 0, "cannot read: %s", strerror(errno));
		free(disp);
		free(path);
		free(dir);
		return err;
	}
	kb_edit *e = session_new(o, dir);
	free(dir);
	add_file(e, path, text, len);
	free(path);
	free(text);
	err = check_text(e, e->files[0].path, e->files[0].display, e->files[0].text,
			 e->files[0].len);
	if (err) {
		kb_edit_free(e);
		return err;
	}
	*out = e;
	return NULL;
}

/* ---- transactions ---- */

kb_error *ed_tx_begin(kb_edit *e, ed_tx *t)
{
	memset(t, 0, sizeof(*t));
	t->e = e;
	kb_error *err = ed_parse(e->files[0].display, e->files[0].text, e->files[0].len, &t->doc);
	if (err)
		return err;
	if (t->doc->root && t->doc->root->kind != ED_MAP)
		return ed_err(e, "a kustomization file must hold a mapping");
	t->m = t->doc->root ? ed_model_clone(t->doc->root) : ed_new_map();
	return NULL;
}

kb_error *ed_run(kb_edit *e, kb_error *(*fn)(ed_tx *t, void *arg), void *arg)
{
	ed_tx t;
	kb_error *err = ed_tx_begin(e, &t);
	if (!err)
		err = fn(&t, arg);
	if (!err)
		err = ed_tx_commit(&t);
	ed_tx_end(&t);
	return err;
}

void ed_tx_msg(ed_tx *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = kb_xvasprintf(fmt, ap);
	va_end(ap);
	kb_strv_push_owned(&t->msgs, s);
}

void ed_tx_file(ed_tx *t, const char *path, const char *text, size_t len)
{
	for (size_t i = 0; i < t->nextra; i++)
		if (strcmp(t->extra[i].path, path) == 0) {
			free(t->extra[i].text);
			t->extra[i].text = kb_xstrndup(text, len);
			t->extra[i].len = len;
			return;
		}
	t->extra = kb_xrealloc(t->extra, (t->nextra + 1) * sizeof(*t->extra));
	ed_file *f = &t->extra[t->nextra++];
	memset(f, 0, sizeof(*f));
	f->path = kb_xstrdup(path);
	f->text = kb_xstrndup(text, len);
	f->len = len;
}

static bool root_equal(const ed_node *a, const ed_node *b)
{
	bool ae = !a || (a->kind == ED_MAP && a->n == 0);
	bool be = !b || (b->kind == ED_MAP && b->n == 0);
	if (ae || be)
		return ae && be;
	return ed_data_equal(a, b);
}

kb_error *ed_tx_commit(ed_tx *t)
{
	kb_edit *e = t->e;
	char *text = NULL;
	size_t len = 0;
	kb_error *err = ed_reconcile(t->doc, t->m, &text, &len);
	if (err)
		return err;
	ed_doc *d2 = NULL;
	err = ed_parse(e->files[0].display, text, len, &d2);
	if (!err && !root_equal(d2->root, t->m))
		err = ed_err(e, "internal error: the edited file does not read back as intended; "
				"nothing was changed (please report this, with the file)");
	ed_doc_free(d2);
	if (!err) {
		kb_kust *k = NULL;
		kb_warnings w = { 0 };
		err = kb_kust_parse(e->files[0].path, e->files[0].display, e->dir, text, len, NULL,
				    &w, KB_KUST_ALLOW_EMPTY, &k);
		kb_warnings_free(&w);
		kb_kust_free(k);
	}
	if (err) {
		free(text);
		return err;
	}
	free(e->files[0].text);
	e->files[0].text = text;
	e->files[0].len = len;
	for (size_t i = 0; i < t->nextra; i++) {
		ed_file *x = &t->extra[i];
		ed_file *f = NULL;
		for (size_t j = 1; j < e->nfiles; j++)
			if (strcmp(e->files[j].path, x->path) == 0)
				f = &e->files[j];
		if (!f) {
			size_t ol = 0;
			char *o = kb_fs_read(e->fs, x->path, &ol);
			add_file(e, x->path, o ? o : "", o ? ol : 0);
			free(o);
			f = &e->files[e->nfiles - 1];
		}
		free(f->text);
		f->text = x->text;
		f->len = x->len;
		x->text = NULL;
	}
	for (size_t i = 0; i < t->msgs.n; i++)
		kb_strv_push(&e->msgs, t->msgs.v[i]);
	return NULL;
}

void ed_tx_end(ed_tx *t)
{
	ed_node_free(t->m);
	ed_doc_free(t->doc);
	kb_strv_free(&t->msgs);
	for (size_t i = 0; i < t->nextra; i++)
		file_free(&t->extra[i]);
	free(t->extra);
	memset(t, 0, sizeof(*t));
}

/* ---- results ---- */

const char *kb_edit_path(const kb_edit *e)
{
	return e->files[0].path;
}

const char *kb_edit_display_path(const kb_edit *e)
{
	return e->files[0].display;
}

const char *kb_edit_text(const kb_edit *e, size_t *len)
{
	if (len)
		*len = e->files[0].len;
	return e->files[0].text;
}

static bool file_changed(const ed_file *f)
{
	return !f->orig || f->olen != f->len || memcmp(f->orig, f->text, f->len) != 0;
}

bool kb_edit_changed(const kb_edit *e)
{
	for (size_t i = 0; i < e->nfiles; i++)
		if (file_changed(&e->files[i]))
			return true;
	return false;
}

char *kb_edit_diff(const kb_edit *e)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < e->nfiles; i++) {
		const ed_file *f = &e->files[i];
		if (!file_changed(f))
			continue;
		char *dd = ed_unified_diff(f->orig ? f->orig : "", f->orig ? f->olen : 0, f->text,
					   f->len, f->orig ? f->display : "/dev/null", f->display);
		kb_buf_puts(&b, dd);
		free(dd);
	}
	return kb_buf_detach(&b);
}

size_t kb_edit_message_count(const kb_edit *e)
{
	return e->msgs.n;
}

const char *kb_edit_message(const kb_edit *e, size_t i)
{
	return i < e->msgs.n ? e->msgs.v[i] : NULL;
}

/* The process's umask, without changing it (umask(2) cannot be read
 * without setting it, which would race with other threads). */
static mode_t current_umask(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	mode_t m = 022;
	if (!fp)
		return m;
	char line[256];
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, "Umask:", 6) == 0) {
			m = (mode_t)strtol(line + 6, NULL, 8);
			break;
		}
	fclose(fp);
	return m;
}

/* Writes f's text to a temporary file beside the file it replaces
 * (through a symlink: beside what it points to), with that file's mode;
 * *tmp and *target are the paths to rename (caller frees). */
static kb_error *stage_one(const ed_file *f, char **tmp, char **target)
{
	*tmp = NULL;
	*target = realpath(f->path, NULL);
	struct stat st;
	bool exists = *target && stat(*target, &st) == 0;
	if (!*target)
		*target = kb_xstrdup(f->path);
	char *t = kb_xasprintf("%s.kbuild-tmp-XXXXXX", *target);
	int fd = mkstemp(t);
	if (fd < 0) {
		kb_error *err = kb_error_new(f->display, 0, 0, "cannot write: %s", strerror(errno));
		err->code = KB_ERR_IO;
		free(t);
		return err;
	}
	size_t off = 0;
	int werr = 0;
	while (off < f->len) {
		ssize_t n = write(fd, f->text + off, f->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			werr = errno;
			break;
		}
		off += (size_t)n;
	}
	mode_t mode = exists ? (st.st_mode & 07777) : (0666 & ~current_umask());
	if (!werr && fchmod(fd, mode) != 0)
		werr = errno;
	if (!werr && exists && geteuid() == 0)
		(void)!fchown(fd, st.st_uid, st.st_gid);
	if (!werr && fsync(fd) != 0)
		werr = errno;
	if (close(fd) != 0 && !werr)
		werr = errno;
	if (werr) {
		unlink(t);
		free(t);
		kb_error *err = kb_error_new(f->display, 0, 0, "cannot write: %s", strerror(werr));
		err->code = KB_ERR_IO;
		return err;
	}
	*tmp = t;
	return NULL;
}

/* Every changed file is first written in full to its temporary file;
 * only when all of them are is each renamed into place, so a failure
 * (a full disk, a read-only directory) leaves every file as it was. */
kb_error *kb_edit_write(kb_edit *e)
{
	char **tmps = kb_xcalloc(e->nfiles, sizeof(char *));
	char **targets = kb_xcalloc(e->nfiles, sizeof(char *));
	kb_error *err = NULL;
	for (size_t i = 0; i < e->nfiles && !err; i++)
		if (file_changed(&e->files[i]))
			err = stage_one(&e->files[i], &tmps[i], &targets[i]);
	for (size_t i = 0; i < e->nfiles; i++) {
		if (!tmps[i])
			continue;
		if (!err && rename(tmps[i], targets[i]) != 0) {
			err = kb_error_new(e->files[i].display, 0, 0, "cannot write: %s",
					   strerror(errno));
			err->code = KB_ERR_IO;
		}
		if (err) {
			unlink(tmps[i]);
			continue;
		}
		ed_file *f = &e->files[i];
		free(f->orig);
		f->orig = kb_xstrndup(f->text, f->len);
		f->olen = f->len;
	}
	for (size_t i = 0; i < e->nfiles; i++) {
		free(tmps[i]);
		free(targets[i]);
	}
	free(tmps);
	free(targets);
	return err;
}
