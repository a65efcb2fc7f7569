#include "tconfig.h"
#include "tables.h"
#include "suggest.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void kb_tconfig_init_empty(kb_tconfig *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->empty = true;
}

void kb_tconfig_add_nameref(kb_tconfig *cfg, const char *group, const char *version,
			    const char *kind, const kb_fieldspec *fs)
{
	kb_nameref_cfg *nr = NULL;
	for (size_t i = 0; i < cfg->nnameref; i++)
		if (kb_streq(cfg->nameref[i].group, group) &&
		    kb_streq(cfg->nameref[i].version, version) &&
		    kb_streq(cfg->nameref[i].kind, kind))
			nr = &cfg->nameref[i];
	if (!nr) {
		kb_grow((void **)&cfg->nameref, &cfg->capnameref, cfg->nnameref + 1,
			sizeof(kb_nameref_cfg));
		nr = &cfg->nameref[cfg->nnameref++];
		memset(nr, 0, sizeof(*nr));
		nr->group = group ? kb_xstrdup(group) : NULL;
		nr->version = version ? kb_xstrdup(version) : NULL;
		nr->kind = kind ? kb_xstrdup(kind) : NULL;
	}
	kb_fsset_add(&nr->referrers, fs->group, fs->version, fs->kind, fs->path, fs->create);
}

/* The default tables have no duplicates, so they are copied without the
 * de-duplicating (quadratic) add. */
static void copy_list(kb_fsset *set, const kb_fieldspec_list *list)
{
	kb_grow((void **)&set->v, &set->cap, set->n + list->n, sizeof(kb_fieldspec));
	memcpy(set->v + set->n, list->v, list->n * sizeof(kb_fieldspec));
	set->n += list->n;
}

void kb_tconfig_init_defaults(kb_tconfig *cfg)
{
	kb_tconfig_init_empty(cfg);
	cfg->empty = false;
	copy_list(&cfg->prefix, &kb_fs_nameprefix);
	copy_list(&cfg->suffix, &kb_fs_namesuffix);
	copy_list(&cfg->ns, &kb_fs_namespace);
	copy_list(&cfg->common_labels, &kb_fs_commonlabels);
	copy_list(&cfg->template_labels, &kb_fs_templatelabels);
	copy_list(&cfg->annotations, &kb_fs_commonannotations);
	copy_list(&cfg->images, &kb_fs_images);
	copy_list(&cfg->replicas, &kb_fs_replicas);
	copy_list(&cfg->varref, &kb_fs_varreference);
	for (size_t i = 0; i < kb_namerefs_n; i++) {
		const kb_nameref_entry *e = &kb_namerefs[i];
		kb_grow((void **)&cfg->nameref, &cfg->capnameref, cfg->nnameref + 1,
			sizeof(kb_nameref_cfg));
		kb_nameref_cfg *nr = NULL;
		for (size_t k = 0; k < cfg->nnameref; k++)
			if (kb_streq(cfg->nameref[k].group, e->group) &&
			    kb_streq(cfg->nameref[k].version, e->version) &&
			    kb_streq(cfg->nameref[k].kind, e->kind))
				nr = &cfg->nameref[k];
		if (!nr) {
			nr = &cfg->nameref[cfg->nnameref++];
			memset(nr, 0, sizeof(*nr));
			nr->group = e->group ? kb_xstrdup(e->group) : NULL;
			nr->version = e->version ? kb_xstrdup(e->version) : NULL;
			nr->kind = e->kind ? kb_xstrdup(e->kind) : NULL;
		}
		copy_list(&nr->referrers, &e->referrers);
	}
}

/* The transformer configuration is decoded as JSON into Go structs,
 * strictly: a field name matches case-insensitively (the byte-wise
 * greatest spelling wins when several do) and an unknown one is an
 * error. */
static const kb_node *get_ci(const kb_node *map, const char *key)
{
	const kb_pair *best = NULL;
	for (size_t i = 0; map && map->kind == KB_MAP && i < map->n; i++)
		if (strcasecmp(map->pairs[i].key, key) == 0 &&
		    (!best || strcmp(map->pairs[i].key, best->key) > 0))
			best = &map->pairs[i];
	return best ? best->val : NULL;
}

static const char *get_ci_str(const kb_node *map, const char *key)
{
	const kb_node *v = get_ci(map, key);
	return v && kb_node_is_scalar(v) && v->kind != KB_NULL ? v->str : NULL;
}

static kb_error *check_fields(const kb_node *map, const char *const *names, const char *file)
{
	for (size_t i = 0; map && map->kind == KB_MAP && i < map->n; i++) {
		bool ok = false;
		for (const char *const *n = names; *n && !ok; n++)
			ok = strcasecmp(map->pairs[i].key, *n) == 0;
		if (!ok)
			return kb_error_new(file, map->pairs[i].line, map->pairs[i].col,
					    "error unmarshaling JSON: json: unknown field \"%s\" in "
					    "transformer configuration",
					    map->pairs[i].key);
	}
	return NULL;
}

static const char *const fieldspec_fields[] = { "group", "version", "kind", "path", "create",
						NULL };
static const char *const nameref_fields[] = { "group", "version", "kind", "fieldSpecs", NULL };

static kb_error *add_specs(kb_fsset *set, const kb_node *list, const char *file, const char *key)
{
	if (!list || list->kind == KB_NULL)
		return NULL;
	if (list->kind != KB_SEQ)
		return kb_error_new(file, list->line, list->col, "'%s' must be a list of field specs",
				    key);
	for (size_t i = 0; i < list->n; i++) {
		const kb_node *fs = list->items[i];
		if (fs->kind != KB_MAP)
			return kb_error_new(file, fs->line, fs->col,
					    "field spec in '%s' must be a mapping with a 'path'", key);
		kb_error *e = check_fields(fs, fieldspec_fields, file);
		if (e)
			return e;
		const char *path = get_ci_str(fs, "path");
		if (kb_str_empty(path))
			continue; /* kustomize accepts it and it selects nothing */
		const kb_node *create = get_ci(fs, "create");
		kb_fsset_add(set, get_ci_str(fs, "group"), get_ci_str(fs, "version"),
			     get_ci_str(fs, "kind"), path,
			     create && create->kind == KB_BOOL && strcmp(create->str, "true") == 0);
	}
	return NULL;
}

kb_error *kb_tconfig_add_doc(kb_tconfig *cfg, const kb_node *doc, const char *file)
{
	static const char *const known[] = { "namePrefix",  "nameSuffix",	 "namespace",
					     "commonLabels", "labels",	 "templateLabels",
					     "commonAnnotations", "nameReference", "varReference",
					     "images",	     "replicas" };
	if (!doc)
		return NULL;
	if (doc->kind != KB_MAP)
		return kb_error_new(file, doc->line, doc->col,
				    "a transformer configuration must be a mapping");
	const kb_pair *first = NULL, *dup = kb_node_find_dup_key(doc, &first);
	if (dup)
		/* kustomize converts the file with goyaml.v2, which refuses it */
		return kb_error_new(file, dup->line, dup->col,
				    "key \"%s\" already set in map (first at line %u)", dup->key,
				    first->line);
	for (size_t i = 0; i < doc->n; i++) {
		size_t k;
		for (k = 0; k < sizeof(known) / sizeof(*known); k++)
			if (strcmp(doc->pairs[i].key, known[k]) == 0)
				break;
		if (k == sizeof(known) / sizeof(*known)) {
			kb_suggest sg;
			kb_suggest_init(&sg, doc->pairs[i].key);
			for (k = 0; k < sizeof(known) / sizeof(*known); k++)
				kb_suggest_try(&sg, known[k]);
			char *hint = kb_suggest_hint(&sg);
			kb_error *e = kb_error_new(file, doc->pairs[i].line, doc->pairs[i].col,
						   "unknown field \"%s\" in transformer "
						   "configuration%s",
						   doc->pairs[i].key, hint);
			free(hint);
			return e;
		}
	}
	cfg->custom = true;
	cfg->empty = false;
	kb_error *e = NULL;
	if (!e) e = add_specs(&cfg->prefix, kb_map_get(doc, "namePrefix"), file, "namePrefix");
	if (!e) e = add_specs(&cfg->suffix, kb_map_get(doc, "nameSuffix"), file, "nameSuffix");
	if (!e) e = add_specs(&cfg->ns, kb_map_get(doc, "namespace"), file, "namespace");
	if (!e) e = add_specs(&cfg->common_labels, kb_map_get(doc, "commonLabels"), file, "commonLabels");
	if (!e) e = add_specs(&cfg->labels, kb_map_get(doc, "labels"), file, "labels");
	if (!e) e = add_specs(&cfg->template_labels, kb_map_get(doc, "templateLabels"), file, "templateLabels");
	if (!e) e = add_specs(&cfg->annotations, kb_map_get(doc, "commonAnnotations"), file, "commonAnnotations");
	if (!e) e = add_specs(&cfg->varref, kb_map_get(doc, "varReference"), file, "varReference");
	if (!e) e = add_specs(&cfg->images, kb_map_get(doc, "images"), file, "images");
	if (!e) e = add_specs(&cfg->replicas, kb_map_get(doc, "replicas"), file, "replicas");
	if (e)
		return e;
	const kb_node *nr = kb_map_get(doc, "nameReference");
	if (nr && nr->kind == KB_SEQ) {
		for (size_t i = 0; i < nr->n; i++) {
			const kb_node *ent = nr->items[i];
			kb_fsset tmp = { 0 };
			if ((e = check_fields(ent, nameref_fields, file)))
				return e;
			e = add_specs(&tmp, get_ci(ent, "fieldSpecs"), file, "nameReference");
			if (e) {
				kb_fsset_free(&tmp);
				return e;
			}
			for (size_t k = 0; k < tmp.n; k++)
				kb_tconfig_add_nameref(cfg, get_ci_str(ent, "group"),
						       get_ci_str(ent, "version"),
						       get_ci_str(ent, "kind"), &tmp.v[k]);
			kb_fsset_free(&tmp);
		}
	}
	return NULL;
}

static void merge_sets(kb_tconfig *dst, const kb_tconfig *src)
{
	kb_fsset_add_set(&dst->prefix, &src->prefix);
	kb_fsset_add_set(&dst->suffix, &src->suffix);
	kb_fsset_add_set(&dst->ns, &src->ns);
	kb_fsset_add_set(&dst->common_labels, &src->common_labels);
	kb_fsset_add_set(&dst->template_labels, &src->template_labels);
	kb_fsset_add_set(&dst->labels, &src->labels);
	kb_fsset_add_set(&dst->annotations, &src->annotations);
	kb_fsset_add_set(&dst->images, &src->images);
	kb_fsset_add_set(&dst->replicas, &src->replicas);
	kb_fsset_add_set(&dst->varref, &src->varref);
	for (size_t i = 0; i < src->nnameref; i++) {
		const kb_nameref_cfg *n = &src->nameref[i];
		for (size_t k = 0; k < n->referrers.n; k++)
			kb_tconfig_add_nameref(dst, n->group, n->version, n->kind, &n->referrers.v[k]);
	}
}

void kb_tconfig_add_defaults(kb_tconfig *cfg)
{
	kb_tconfig d;
	kb_tconfig_init_defaults(&d);
	merge_sets(cfg, &d);
	kb_tconfig_free(&d);
	cfg->empty = false;
	cfg->custom = true;
}

void kb_tconfig_merge(kb_tconfig *dst, const kb_tconfig *src)
{
	if (src->empty)
		return;
	if (dst->empty && !src->custom) {
		/* the common case: an accumulator takes kustomize's defaults */
		kb_tconfig_free(dst);
		kb_tconfig_init_defaults(dst);
		return;
	}
	/* merging the defaults into a config that holds exactly them, or
	 * into one that already merged them, adds nothing */
	if (!src->custom && !dst->custom)
		return;
	merge_sets(dst, src);
	dst->empty = false;
	dst->custom = dst->custom || src->custom;
}

void kb_tconfig_free(kb_tconfig *cfg)
{
	if (!cfg)
		return;
	kb_fsset_free(&cfg->prefix);
	kb_fsset_free(&cfg->suffix);
	kb_fsset_free(&cfg->ns);
	kb_fsset_free(&cfg->common_labels);
	kb_fsset_free(&cfg->template_labels);
	kb_fsset_free(&cfg->labels);
	kb_fsset_free(&cfg->annotations);
	kb_fsset_free(&cfg->images);
	kb_fsset_free(&cfg->replicas);
	kb_fsset_free(&cfg->varref);
	for (size_t i = 0; i < cfg->nnameref; i++) {
		free(cfg->nameref[i].group);
		free(cfg->nameref[i].version);
		free(cfg->nameref[i].kind);
		kb_fsset_free(&cfg->nameref[i].referrers);
	}
	free(cfg->nameref);
	memset(cfg, 0, sizeof(*cfg));
	cfg->empty = true;
}
