/*
 * origin.c - buildMetadata's origin and transformer annotations; see
 * origin.h.
 */
#include "origin.h"
#include "emit.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Go's path.Clean for a slash-separated path. */
static char *clean_path(const char *p)
{
	bool rooted = p[0] == '/';
	kb_strv segs = { 0 };
	const char *s = p;
	while (*s) {
		const char *end = strchr(s, '/');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* empty or "." segments vanish */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (segs.n > 0 && strcmp(segs.v[segs.n - 1], "..") != 0)
				free(segs.v[--segs.n]);
			else if (!rooted)
				kb_strv_push(&segs, "..");
		} else {
			kb_strv_push_owned(&segs, kb_xstrndup(s, n));
		}
		s += n;
		if (*s == '/')
			s++;
	}
	kb_buf b = KB_BUF_INIT;
	if (rooted)
		kb_buf_putc(&b, '/');
	for (size_t i = 0; i < segs.n; i++) {
		if (i > 0)
			kb_buf_putc(&b, '/');
		kb_buf_puts(&b, segs.v[i]);
	}
	if (b.len == 0)
		kb_buf_putc(&b, '.');
	kb_strv_free(&segs);
	return kb_buf_detach(&b);
}

char *kb_origin_join(const char *a, const char *b)
{
	bool ha = !kb_str_empty(a), hb = !kb_str_empty(b);
	if (!ha && !hb)
		return kb_xstrdup("");
	char *joined = ha && hb ? kb_xasprintf("%s/%s", a, b) : kb_xstrdup(ha ? a : b);
	char *c = clean_path(joined);
	free(joined);
	return c;
}

char *kb_origin_enter(char **cur, const char *entry)
{
	char *saved = *cur;
	if (saved)
		*cur = kb_origin_join(saved, entry);
	return saved;
}

void kb_origin_leave(char **cur, char *saved)
{
	if (*cur != saved)
		free(*cur);
	*cur = saved;
}

static int buf_write(void *data, unsigned char *bytes, size_t size)
{
	kb_buf_append(data, bytes, size);
	return 1;
}

/* Style as yaml.v3 asks for it: strings that would read back as another
 * type double-quoted, others plain (libyaml falls back to single quotes
 * where plain cannot be written). */
static void emit_str(yaml_emitter_t *em, const char *s, bool key)
{
	size_t len = strlen(s);
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
	if (!key && memchr(s, '\n', len))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (!key && kb_yaml11_nonstring(s, len))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	yaml_event_t ev;
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style);
	yaml_emitter_emit(em, &ev);
}

static void emit_field(yaml_emitter_t *em, const char *key, const char *val)
{
	if (kb_str_empty(val))
		return;
	emit_str(em, key, true);
	emit_str(em, val, false);
}

static void emit_mapping_start(yaml_emitter_t *em)
{
	yaml_event_t ev;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	yaml_emitter_emit(em, &ev);
}

static void emit_mapping_end(yaml_emitter_t *em)
{
	yaml_event_t ev;
	yaml_mapping_end_event_initialize(&ev);
	yaml_emitter_emit(em, &ev);
}

char *kb_origin_text(const kb_origin *o)
{
	kb_buf b = KB_BUF_INIT;
	yaml_emitter_t em;
	yaml_event_t ev;
	yaml_emitter_initialize(&em);
	yaml_emitter_set_output(&em, buf_write, &b);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_indent(&em, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	yaml_emitter_emit(&em, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	yaml_emitter_emit(&em, &ev);
	emit_mapping_start(&em);
	/* resource.Origin's field order, not sorted */
	emit_field(&em, "path", o->path);
	emit_field(&em, "configuredIn", o->configured_in);
	bool by = !kb_str_empty(o->by_apiversion) || !kb_str_empty(o->by_kind) ||
		  !kb_str_empty(o->by_name) || !kb_str_empty(o->by_ns);
	if (by) {
		emit_str(&em, "configuredBy", true);
		emit_mapping_start(&em);
		emit_field(&em, "apiVersion", o->by_apiversion);
		emit_field(&em, "kind", o->by_kind);
		emit_field(&em, "name", o->by_name);
		emit_field(&em, "namespace", o->by_ns);
		emit_mapping_end(&em);
	}
	emit_mapping_end(&em);
	yaml_document_end_event_initialize(&ev, 1);
	yaml_emitter_emit(&em, &ev);
	yaml_stream_end_event_initialize(&ev);
	yaml_emitter_emit(&em, &ev);
	yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	return kb_buf_detach(&b);
}

bool kb_build_metadata_has(const kb_node *kust_doc, const char *opt)
{
	const kb_node *list = kb_map_get(kust_doc, "buildMetadata");
	for (size_t i = 0; list && list->kind == KB_SEQ && i < list->n; i++)
		if (kb_node_is_scalar(list->items[i]) && kb_streq(list->items[i]->str, opt))
			return true;
	return false;
}

static kb_node *annotations_of(kb_node *doc)
{
	return kb_map_ensure_map(kb_map_ensure_map(doc, "metadata"), "annotations");
}

static void set_text(kb_node *doc, const char *text, bool only_if_absent)
{
	kb_node *ann = annotations_of(doc);
	if (only_if_absent && kb_map_get(ann, KB_ORIGIN_ANNOTATION))
		return;
	kb_map_set(ann, KB_ORIGIN_ANNOTATION, kb_node_new_str(text));
}

void kb_origin_set(kb_node *doc, const kb_origin *o, bool only_if_absent)
{
	if (!doc || doc->kind != KB_MAP)
		return;
	char *text = kb_origin_text(o);
	set_text(doc, text, only_if_absent);
	free(text);
}

void kb_origin_set_path(kb_resmap *m, size_t from, const char *dir_origin, const char *rel)
{
	char *path = kb_origin_join(dir_origin, rel);
	kb_origin o = { .path = path };
	char *text = kb_origin_text(&o);
	for (size_t i = from; i < m->n; i++)
		set_text(m->v[i]->doc, text, false);
	free(text);
	free(path);
}

const char *kb_origin_base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

void kb_origin_builtin(kb_origin *o, const char *dir_origin, const char *kust_path,
		       const char *kind, char **owned)
{
	*owned = kb_origin_join(dir_origin, kb_origin_base_name(kust_path));
	memset(o, 0, sizeof(*o));
	o->configured_in = *owned;
	o->by_apiversion = "builtin";
	o->by_kind = kind;
}

bool kb_origin_from_plugin(const kb_resource *cfg, kb_origin *o, char **owned)
{
	memset(o, 0, sizeof(*o));
	*owned = NULL;
	const char *text = kb_node_get_str(cfg->doc, "metadata", "annotations",
					   KB_ORIGIN_ANNOTATION, NULL);
	if (!text)
		return false;
	kb_node *parsed = NULL;
	kb_error *e = kb_yaml_parse_one(NULL, text, strlen(text), NULL, &parsed);
	if (e)
		kb_error_free(e);
	const char *path = kb_map_get_str(parsed, "path");
	*owned = kb_xstrdup(path ? path : "");
	kb_node_free(parsed);
	o->configured_in = *owned;
	o->by_apiversion = kb_res_apiversion(cfg);
	o->by_kind = kb_res_kind(cfg);
	o->by_name = kb_res_name(cfg);
	o->by_ns = kb_res_ns(cfg);
	return true;
}

/* One entry of the transformations list: the origin's lines under "- ". */
static void append_entry(kb_buf *b, const char *text)
{
	bool first = true;
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);
		kb_buf_puts(b, first ? "- " : "  ");
		kb_buf_append(b, s, n);
		first = false;
		s += n;
	}
	if (b->len && b->data[b->len - 1] != '\n')
		kb_buf_putc(b, '\n');
}

void kb_origin_note_transformer(kb_resmap *m, const kb_origin *o, size_t count)
{
	if (count == 0)
		return;
	char *text = kb_origin_text(o);
	for (size_t i = 0; i < m->n; i++) {
		kb_node *doc = m->v[i]->doc;
		if (!doc || doc->kind != KB_MAP)
			continue;
		kb_node *ann = annotations_of(doc);
		for (size_t c = 0; c < count; c++) {
			if (!kb_map_get(ann, KB_ORIGIN_ANNOTATION)) {
				/* kustomize assumes the transformer made the object */
				kb_map_set(ann, KB_ORIGIN_ANNOTATION, kb_node_new_str(text));
				continue;
			}
			kb_buf b = KB_BUF_INIT;
			const kb_node *old = kb_map_get(ann, KB_TRANSFORMATIONS_ANNOTATION);
			if (old && kb_node_is_scalar(old) && old->kind != KB_NULL && old->len) {
				kb_buf_append(&b, old->str, old->len);
				if (b.data[b.len - 1] != '\n')
					kb_buf_putc(&b, '\n');
			}
			append_entry(&b, text);
			kb_map_set(ann, KB_TRANSFORMATIONS_ANNOTATION, kb_node_new_str(b.data));
			kb_buf_free(&b);
		}
	}
	free(text);
}

void kb_origin_note_plugin(kb_resmap *m, const kb_resource *cfg)
{
	kb_origin o;
	char *owned;
	if (kb_origin_from_plugin(cfg, &o, &owned))
		kb_origin_note_transformer(m, &o, 1);
	free(owned);
}

void kb_origin_set_from_plugin(kb_node *doc, const kb_resource *cfg)
{
	kb_origin o;
	char *owned;
	if (kb_origin_from_plugin(cfg, &o, &owned))
		kb_origin_set(doc, &o, true);
	free(owned);
}

static size_t seq_len(const kb_node *doc, const char *field)
{
	const kb_node *v = kb_map_get(doc, field);
	return v && (v->kind == KB_SEQ || v->kind == KB_MAP) ? v->n : 0;
}

void kb_origin_note_builtins(kb_resmap *m, const kb_node *kust_doc, const char *dir_origin,
			     const char *kust_path)
{
	size_t labels = seq_len(kust_doc, "labels");
	/* LabelTransformer: one per labels entry plus one for commonLabels,
	 * configured as soon as either field has anything */
	size_t nlabel = labels || seq_len(kust_doc, "commonLabels") ? labels + 1 : 0;
	const struct {
		const char *kind;
		size_t count;
	} runs[] = {
		{ "PatchStrategicMergeTransformer", seq_len(kust_doc, "patchesStrategicMerge") > 0 },
		{ "PatchTransformer", seq_len(kust_doc, "patches") },
		{ "NamespaceTransformer", !kb_str_empty(kb_map_get_str(kust_doc, "namespace")) },
		{ "PrefixTransformer", !kb_str_empty(kb_map_get_str(kust_doc, "namePrefix")) },
		{ "SuffixTransformer", !kb_str_empty(kb_map_get_str(kust_doc, "nameSuffix")) },
		{ "LabelTransformer", nlabel },
		{ "AnnotationsTransformer", seq_len(kust_doc, "commonAnnotations") > 0 },
		{ "PatchJson6902Transformer", seq_len(kust_doc, "patchesJson6902") },
		{ "ReplicaCountTransformer", seq_len(kust_doc, "replicas") },
		{ "ImageTagTransformer", seq_len(kust_doc, "images") },
		{ "ReplacementTransformer", seq_len(kust_doc, "replacements") > 0 },
	};
	for (size_t i = 0; i < sizeof(runs) / sizeof(*runs); i++) {
		if (!runs[i].count)
			continue;
		kb_origin o;
		char *in;
		kb_origin_builtin(&o, dir_origin, kust_path, runs[i].kind, &in);
		kb_origin_note_transformer(m, &o, runs[i].count);
		free(in);
	}
}
