/*
 * nameref.c - kustomize's name-reference fix-up
 * (api/internal/accumulator/namereferencetransformer.go and
 * api/filters/nameref/nameref.go, mimicked rule for rule).
 *
 * For every resource R and every nameReference entry (referred kind T,
 * referrer field spec F) where F selects R's ORIGINAL gvk, the value at F
 * in R is looked up among the objects R could refer to; if one object of
 * kind T once had that name, the value becomes its current name.
 *
 * kustomize keeps the renaming history in build annotations; here it is
 * kb_resource's prev_names/prev_ns/prev_kinds (kustomize's PrevIds, which
 * never include the current id) and orig.  kustomize also keeps the
 * prefixes and suffixes each object received (used to break ties between
 * same-named candidates); kb_resource does not record them, so they are
 * recovered from the name history (see infer_affixes).
 */
#include "nameref.h"

#include <stdlib.h>
#include <string.h>

/* What a resource looks like to the filters, computed once. */
typedef struct nr_info {
	kb_resource *r;
	char *group, *version; /* of the current apiVersion */
	bool cluster;          /* current gvk is cluster-scoped */
	char *eff_ns;          /* current effective namespace */
	char *org_eff_ns;      /* original effective namespace */
	kb_strv prefixes, suffixes;
} nr_info;

/* One referrer field being fixed. */
typedef struct nr_ctx {
	const kb_schema *s;
	nr_info *all;
	size_t nall;
	nr_info *referrer;
	size_t *cands; /* indexes into all: what the referrer may refer to */
	size_t ncands;
	const kb_nameref_cfg *target;
	const char *path;
} nr_ctx;

/* kustomize's TotallyNotANamespace: the effective namespace of a
 * cluster-scoped id. */
static const char nr_no_ns[] = "_non_namespaceable_";

static bool nr_is_cluster(const kb_schema *s, const char *g, const char *v, const char *k)
{
	/* Unknown kinds count as namespaced, as in kustomize. */
	return kb_schema_namespaced(s, g, v, k) == 0;
}

/* resid.EffectiveNamespace */
static const char *nr_eff_ns(bool cluster, const char *ns)
{
	if (cluster)
		return nr_no_ns;
	if (kb_str_empty(ns) || strcmp(ns, "default") == 0)
		return "default";
	return ns;
}

/* ResId.String() of kustomize v5: "Kind.version.group/name.namespace". */
static char *nr_id_string(const char *g, const char *v, const char *k, const char *name,
			  const char *ns)
{
	return kb_xasprintf("%s.%s.%s/%s.%s", kb_str_empty(k) ? "[noKind]" : k,
			    kb_str_empty(v) ? "[noVer]" : v, kb_str_empty(g) ? "[noGrp]" : g,
			    kb_str_empty(name) ? "[noName]" : name, kb_str_empty(ns) ? "[noNs]" : ns);
}

static char *nr_cur_id_string(const nr_info *in)
{
	return nr_id_string(in->group, in->version, kb_res_kind(in->r), kb_res_name(in->r),
			    kb_res_ns(in->r));
}

/* The kind of OrgId(): the oldest previous id, else the current one. */
static const char *nr_org_kind(const kb_resource *r)
{
	return r->prev_kinds.n ? r->prev_kinds.v[0] : kb_res_kind(r);
}

/*
 * Recovers the prefixes and suffixes kustomize would have recorded
 * (oldest first) from the name history: a rename that wraps the old name
 * on one side is a namePrefix or nameSuffix step.  The hash suffix is
 * not one (kustomize's HashTransformer records no suffix); it is always
 * the last rename of an object that needs a hash.
 */
static void infer_affixes(nr_info *in)
{
	const kb_resource *r = in->r;
	size_t n = r->prev_names.n;
	for (size_t t = 0; t < n; t++) {
		const char *old = r->prev_names.v[t];
		const char *nw = t + 1 < n ? r->prev_names.v[t + 1] : kb_res_name(r);
		if (t + 1 == n && r->needs_hash)
			break;
		size_t lo = strlen(old), ln = strlen(nw);
		if (ln <= lo)
			continue;
		if (strcmp(nw + ln - lo, old) == 0)
			kb_strv_push_owned(&in->prefixes, kb_xstrndup(nw, ln - lo));
		else if (strncmp(nw, old, lo) == 0)
			kb_strv_push(&in->suffixes, nw + lo);
	}
}

static void nr_info_init(nr_info *in, kb_resource *r, const kb_schema *s)
{
	memset(in, 0, sizeof(*in));
	in->r = r;
	kb_split_apiversion(kb_res_apiversion(r), &in->group, &in->version);
	in->cluster = nr_is_cluster(s, in->group, in->version, kb_res_kind(r));
	in->eff_ns = kb_xstrdup(nr_eff_ns(in->cluster, kb_res_ns(r)));
	if (r->prev_names.n) {
		bool oc = nr_is_cluster(s, in->group, in->version, r->prev_kinds.v[0]);
		in->org_eff_ns = kb_xstrdup(nr_eff_ns(oc, r->prev_ns.v[0]));
	} else {
		in->org_eff_ns = kb_xstrdup(in->eff_ns);
	}
	infer_affixes(in);
}

static void nr_info_free(nr_info *in)
{
	free(in->group);
	free(in->version);
	free(in->eff_ns);
	free(in->org_eff_ns);
	kb_strv_free(&in->prefixes);
	kb_strv_free(&in->suffixes);
}

/* ---- candidate sieves (nameref.go) ---- */

typedef bool (*nr_sieve_fn)(const nr_ctx *c, const nr_info *cand, const void *arg);

/* Keeps the candidates fn accepts; returns the new count. */
static size_t nr_sieve(const nr_ctx *c, size_t *v, size_t n, nr_sieve_fn fn, const void *arg)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (fn(c, &c->all[v[i]], arg))
			v[k++] = v[i];
	return k;
}

/* previousNameMatches: only PREVIOUS names count, never the current one
 * (a never-renamed object needs no fix). */
static bool sieve_prev_name(const nr_ctx *c, const nr_info *cand, const void *arg)
{
	(void)c;
	const kb_strv *pn = &cand->r->prev_names;
	for (size_t i = 0; i < pn->n; i++)
		if (strcmp(pn->v[i], (const char *)arg) == 0)
			return true;
	return false;
}

typedef struct nr_gvk {
	const char *group, *version, *kind;
} nr_gvk;

/* Gvk.IsSelected: an empty selector field matches anything. */
static bool gvk_selected(const char *g, const char *v, const char *k, const nr_gvk *sel)
{
	return (kb_str_empty(sel->group) || kb_streq(g, sel->group)) &&
	       (kb_str_empty(sel->version) || kb_streq(v, sel->version)) &&
	       (kb_str_empty(sel->kind) || kb_streq(k, sel->kind));
}

/* previousIdSelectedByGvk: previous ids carry the current group/version
 * and the kind the object had then. */
static bool sieve_prev_gvk(const nr_ctx *c, const nr_info *cand, const void *arg)
{
	(void)c;
	const kb_strv *pk = &cand->r->prev_kinds;
	for (size_t i = 0; i < pk->n; i++)
		if (gvk_selected(cand->group, cand->version, pk->v[i], arg))
			return true;
	return false;
}

/* sameCurrentNamespaceAsReferrer (the caller skips it for cluster-scoped
 * referrers, which may refer to anything). */
static bool sieve_same_ns(const nr_ctx *c, const nr_info *cand, const void *arg)
{
	(void)arg;
	if (cand->cluster)
		return true;
	/* A RoleBinding may name a ServiceAccount of another namespace. */
	if (strcmp(kb_res_kind(cand->r), "ServiceAccount") == 0)
		return true;
	return strcmp(c->referrer->eff_ns, cand->eff_ns) == 0;
}

/* utils.SameEndingSubSlice */
static bool same_ending(const kb_strv *a, const kb_strv *b)
{
	const kb_strv *sh = a, *lo = b;
	if (sh->n > lo->n) {
		sh = b;
		lo = a;
	}
	size_t diff = lo->n - sh->n;
	if (sh->n == 0)
		return diff == 0;
	for (size_t i = 0; i < sh->n; i++)
		if (strcmp(lo->v[i + diff], sh->v[i]) != 0)
			return false;
	return true;
}

/* Resource.PrefixesSuffixesEquals(referrer, allowEmpty) */
static bool sieve_affixes(const nr_ctx *c, const nr_info *cand, const void *arg)
{
	bool allow_empty = *(const bool *)arg;
	const nr_info *o = c->referrer;
	if (allow_empty) {
		bool pe = cand->prefixes.n == 0 || o->prefixes.n == 0;
		bool se = cand->suffixes.n == 0 || o->suffixes.n == 0;
		return (pe || same_ending(&cand->prefixes, &o->prefixes)) &&
		       (se || same_ending(&cand->suffixes, &o->suffixes));
	}
	return same_ending(&cand->prefixes, &o->prefixes) &&
	       same_ending(&cand->suffixes, &o->suffixes);
}

static const char *scalar_text(const kb_node *n)
{
	return kb_node_is_scalar(n) && n->str ? n->str : "";
}

/* roleRefFilter: a roleRef/name refers to the kind and group its sibling
 * fields name (a RoleBinding may refer to a Role or a ClusterRole). */
static size_t nr_roleref_sieve(const nr_ctx *c, size_t *v, size_t n)
{
	if (!kb_str_has_suffix(c->path, "roleRef/name"))
		return n;
	const kb_node *rr = kb_map_get(c->referrer->r->doc, "roleRef");
	if (!rr || rr->kind == KB_NULL)
		return n;
	const kb_node *g = kb_map_get(rr, "apiGroup");
	const kb_node *k = kb_map_get(rr, "kind");
	if (!g || !k)
		return n;
	nr_gvk sel = { scalar_text(g), "", scalar_text(k) };
	return nr_sieve(c, v, n, sieve_prev_gvk, &sel);
}

static char *nr_ids_of(const nr_ctx *c, const size_t *v, size_t n)
{
	kb_buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		char *id = nr_cur_id_string(&c->all[v[i]]);
		kb_buf_printf(&b, "%s%s", i ? ", " : "", id);
		free(id);
	}
	return kb_buf_detach(&b);
}

/*
 * selectReferral: narrows the candidates (in place, v/n) to the one
 * object old_name refers to.  *out is the chosen index into c->all, or
 * -1 when nothing matches.  Several candidates that kustomize cannot tell
 * apart are an error unless they would all give the same result
 * (same name, and for map references the same namespace).
 */
static kb_error *nr_select(const nr_ctx *c, const kb_node *at, const char *old_name, size_t *v,
			   size_t n, bool with_ns, long *out)
{
	*out = -1;
	nr_gvk target = { c->target->group, c->target->version, c->target->kind };
	n = nr_sieve(c, v, n, sieve_prev_name, old_name);
	n = nr_sieve(c, v, n, sieve_prev_gvk, &target);
	n = nr_roleref_sieve(c, v, n);
	if (!c->referrer->cluster)
		n = nr_sieve(c, v, n, sieve_same_ns, NULL);
	if (n == 1) {
		*out = (long)v[0];
		return NULL;
	}
	bool allow_empty = true;
	n = nr_sieve(c, v, n, sieve_affixes, &allow_empty);
	if (n > 1) {
		allow_empty = false;
		n = nr_sieve(c, v, n, sieve_affixes, &allow_empty);
	}
	if (n == 0)
		return NULL;
	bool same = true;
	const kb_resource *first = c->all[v[0]].r;
	for (size_t i = 1; i < n && same; i++) {
		const kb_resource *o = c->all[v[i]].r;
		same = strcmp(kb_res_name(first), kb_res_name(o)) == 0 &&
		       (!with_ns || strcmp(kb_res_ns(first), kb_res_ns(o)) == 0);
	}
	if (same) {
		*out = (long)v[0];
		return NULL;
	}
	char *ids = nr_ids_of(c, v, n);
	kb_error *e = kb_error_new(c->referrer->r->file, at ? at->line : 0, at ? at->col : 0,
				   "found multiple possible referrals: %s", ids);
	free(ids);
	return e;
}

/* recordTheReferral: kustomize's refBy annotation. */
static void nr_record(const nr_ctx *c, long idx)
{
	char *id = nr_cur_id_string(c->referrer);
	kb_strv_push(&c->all[idx].r->refby, id);
	free(id);
}

/* setScalar: the value is a name. */
static kb_error *nr_set_scalar(const nr_ctx *c, kb_node *n)
{
	size_t *v = kb_xcalloc(c->ncands ? c->ncands : 1, sizeof(*v));
	memcpy(v, c->cands, c->ncands * sizeof(*v));
	char *old = kb_xstrdup(scalar_text(n));
	long idx;
	kb_error *e = nr_select(c, n, old, v, c->ncands, false, &idx);
	free(v);
	if (!e && idx >= 0) {
		nr_record(c, idx);
		const char *nw = kb_res_name(c->all[idx].r);
		if (strcmp(nw, old) != 0)
			kb_node_set_str(n, nw);
	}
	free(old);
	return e;
}

/* filterMapCandidatesByNamespace: a sibling `namespace` picks the
 * candidates originally in that namespace, else those now in it. */
static size_t nr_map_candidates(const nr_ctx *c, const kb_node *map, size_t *v)
{
	const kb_node *nsn = kb_map_get(map, "namespace");
	if (!nsn) {
		memcpy(v, c->cands, c->ncands * sizeof(*v));
		return c->ncands;
	}
	const char *ns = scalar_text(nsn);
	size_t n = 0;
	/* Grouping by namespace never yields a group for cluster-scoped
	 * objects (kustomize drops that key). */
	for (size_t i = 0; i < c->ncands; i++) {
		const nr_info *in = &c->all[c->cands[i]];
		if (strcmp(in->org_eff_ns, nr_no_ns) != 0 && strcmp(in->org_eff_ns, ns) == 0)
			v[n++] = c->cands[i];
	}
	if (n)
		return n;
	for (size_t i = 0; i < c->ncands; i++) {
		const nr_info *in = &c->all[c->cands[i]];
		if (strcmp(in->eff_ns, nr_no_ns) != 0 && strcmp(in->eff_ns, ns) == 0)
			v[n++] = c->cands[i];
	}
	return n;
}

/* setMapping: the value is a map with `name` (and maybe `namespace`),
 * e.g. RoleBinding subjects or a webhook's service reference. */
static kb_error *nr_set_mapping(const nr_ctx *c, kb_node *map)
{
	const kb_node *name = kb_map_get(map, "name");
	if (!name)
		return kb_error_new(c->referrer->r->file, map->line, map->col,
				    "path config error; no 'name' field in node");
	size_t *v = kb_xcalloc(c->ncands ? c->ncands : 1, sizeof(*v));
	size_t n = nr_map_candidates(c, map, v);
	char *old = kb_xstrdup(scalar_text(name));
	long idx;
	kb_error *e = nr_select(c, map, old, v, n, true, &idx);
	free(v);
	if (!e && idx >= 0) {
		nr_record(c, idx);
		const kb_resource *ref = c->all[idx].r;
		const char *rns = kb_res_ns(ref);
		if (strcmp(kb_res_name(ref), old) != 0 || *rns) {
			kb_map_set(map, "name", kb_node_new_str(kb_res_name(ref)));
			/* An empty namespace is a wild card here, not "default":
			 * never write it. */
			if (*rns)
				kb_map_set(map, "namespace", kb_node_new_str(rns));
		}
	}
	free(old);
	return e;
}

static kb_error *nr_visit(kb_node **slot, void *ud)
{
	const nr_ctx *c = ud;
	kb_node *n = *slot;
	if (!n || n->kind == KB_NULL)
		return NULL;
	if (n->kind == KB_MAP)
		return nr_set_mapping(c, n);
	if (n->kind != KB_SEQ)
		return nr_set_scalar(c, n);
	/* e.g. Role rules/resourceNames (names) or subjects (maps) */
	for (size_t i = 0; i < n->n; i++) {
		kb_node *it = n->items[i];
		kb_error *e = NULL;
		if (it->kind == KB_NULL)
			continue;
		if (it->kind == KB_MAP)
			e = nr_set_mapping(c, it);
		else if (it->kind == KB_SEQ)
			e = kb_error_new(c->referrer->r->file, it->line, it->col,
					 "a sequence is expected to hold either strings or maps "
					 "of strings");
		else
			e = nr_set_scalar(c, it);
		if (e)
			return e;
	}
	return NULL;
}

/*
 * getNamespacesForRoleBinding: the namespaces of the ServiceAccount
 * subjects of a RoleBinding, which lets it refer to objects there.
 */
static kb_error *nr_rolebinding_namespaces(const nr_info *in, kb_strv *out)
{
	const kb_resource *r = in->r;
	if (strcmp(kb_res_kind(r), "RoleBinding") != 0)
		return NULL;
	const kb_node *subjects = kb_map_get(r->doc, "subjects");
	if (!subjects || subjects->kind != KB_SEQ)
		return NULL;
	for (size_t i = 0; i < subjects->n; i++) {
		const kb_node *sj = subjects->items[i];
		if (sj->kind != KB_MAP)
			continue;
		const kb_node *ns = kb_map_get(sj, "namespace");
		const kb_node *kind = kb_map_get(sj, "kind");
		if (!ns || !kind || !kb_streq(scalar_text(kind), "ServiceAccount"))
			continue;
		if (ns->kind != KB_STR) {
			char *id = nr_cur_id_string(in);
			kb_error *e = kb_error_new(r->file, ns->line, ns->col,
						   "Invalid Input: namespace is blank for resource "
						   "\"%s\"",
						   id);
			free(id);
			return e;
		}
		kb_strv_push(out, ns->str);
	}
	return NULL;
}

/* SubsetThatCouldBeReferencedByResource */
static kb_error *nr_subset(const nr_ctx *c, size_t **out, size_t *nout)
{
	const nr_info *ref = c->referrer;
	size_t *v = kb_xcalloc(c->nall ? c->nall : 1, sizeof(*v));
	size_t n = 0;
	kb_strv rbns = { 0 };
	kb_error *e = NULL;
	if (!ref->cluster)
		e = nr_rolebinding_namespaces(ref, &rbns);
	for (size_t i = 0; !e && i < c->nall; i++) {
		const nr_info *t = &c->all[i];
		if (ref->cluster || t->cluster || strcmp(t->eff_ns, ref->eff_ns) == 0 ||
		    kb_strv_contains(&rbns, kb_res_ns(t->r)))
			v[n++] = i;
	}
	kb_strv_free(&rbns);
	if (e) {
		free(v);
		return e;
	}
	*out = v;
	*nout = n;
	return NULL;
}

/* Fixes every reference held by one resource. */
static kb_error *nr_fix_referrer(nr_ctx *c, const kb_tconfig *cfg)
{
	const nr_info *ref = c->referrer;
	const char *org_kind = nr_org_kind(ref->r);
	kb_error *e = NULL;
	bool have_subset = false;
	for (size_t j = 0; !e && j < cfg->nnameref; j++) {
		const kb_nameref_cfg *nr = &cfg->nameref[j];
		for (size_t k = 0; !e && k < nr->referrers.n; k++) {
			const kb_fieldspec *fs = &nr->referrers.v[k];
			/* kustomize picks referrers by their ORIGINAL gvk, then
			 * walks the field on the object as it is now. */
			if (!kb_fieldspec_matches(fs, ref->group, ref->version, org_kind))
				continue;
			if (!have_subset) {
				if ((e = nr_subset(c, &c->cands, &c->ncands)))
					break;
				have_subset = true;
			}
			kb_fieldspec any = { NULL, NULL, NULL, fs->path, false };
			c->target = nr;
			c->path = fs->path;
			e = kb_fieldspec_walk(ref->r->doc, &any, KB_CREATE_NONE, nr_visit, c);
			if (e) {
				char *id = nr_cur_id_string(ref);
				e = kb_error_note(e, ref->r->file, 0, 0,
						  "updating name reference in '%s' field of '%s'",
						  fs->path, id);
				free(id);
			}
		}
	}
	if (have_subset) {
		free(c->cands);
		c->cands = NULL;
		c->ncands = 0;
	}
	return e;
}

/* The parts kustomize reads back from a previous-ids annotation: it
 * stores the list comma-joined (skipping empty values; a namespace is
 * never empty there, "" being "default") and splits it on commas. */
static size_t csv_parts(const kb_strv *v, bool ns)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (!*v->v[i] && !ns)
			continue;
		n++;
		for (const char *c = v->v[i]; *c; c++)
			n += *c == ',';
	}
	return n;
}

/* kustomize v5.5.0 panics ("number of previous names, number of previous
 * namespaces, number of previous kinds not equal") when a renamed
 * object's name, namespace or kind holds a comma, so that the three
 * lists split into different numbers of parts.  kbuild refuses that. */
static kb_error *check_prev_ids(const kb_resmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const kb_resource *r = m->v[i];
		size_t a = csv_parts(&r->prev_names, false), b = csv_parts(&r->prev_ns, true),
		       c = csv_parts(&r->prev_kinds, false);
		if (a != b || b != c) {
			char *id = kb_res_id_string(r);
			kb_error *e = kb_error_new(r->file, 0, 0,
						   "%s was renamed while its name, namespace or kind "
						   "holds a comma: kustomize v5.5.0 crashes on this "
						   "(it keeps previous names comma-separated); is the file "
						   "still encrypted?",
						   id);
			free(id);
			return e;
		}
	}
	return NULL;
}

kb_error *kb_nameref_fix(kb_resmap *m, const kb_schema *s, const kb_tconfig *cfg)
{
	kb_error *pe = m ? check_prev_ids(m) : NULL;
	if (pe)
		return pe;
	if (!m || !cfg || m->n == 0 || cfg->nnameref == 0)
		return NULL;
	nr_info *all = kb_xcalloc(m->n, sizeof(*all));
	for (size_t i = 0; i < m->n; i++)
		nr_info_init(&all[i], m->v[i], s);
	nr_ctx c;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.all = all;
	c.nall = m->n;
	kb_error *e = NULL;
	for (size_t i = 0; !e && i < m->n; i++) {
		c.referrer = &all[i];
		e = nr_fix_referrer(&c, cfg);
	}
	for (size_t i = 0; i < m->n; i++)
		nr_info_free(&all[i]);
	free(all);
	return e;
}
