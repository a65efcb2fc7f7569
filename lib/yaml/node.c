#include "node.h"
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the hash index of big maps ----
 * Open addressing over pair indices (+1; 0 is empty).  Lookups find the
 * first of repeated keys, as the linear search does.  `count` is the
 * number of pairs indexed: appends keep it equal to n; anything that
 * removes, reorders or renames pairs drops the index, and a lookup
 * rebuilds it when needed. */
#define IDX_MIN 16

struct kb_mapidx {
	size_t count, mask;
	bool dups; /* some key is repeated (only the first is indexed) */
	uint32_t slots[];
};

static uint64_t key_hash(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static void idx_drop(kb_node *m)
{
	free(m->idx);
	m->idx = NULL;
}

static bool pair_keyeq(const kb_pair *p, const char *key, size_t klen)
{
	return p->klen == klen && memcmp(p->key, key, klen) == 0;
}

/* Slot holding key, or the empty slot where it would go. */
static size_t idx_probe(const struct kb_mapidx *x, const kb_pair *pairs, const char *key,
			size_t klen)
{
	size_t i = (size_t)key_hash(key, klen) & x->mask;
	while (x->slots[i] && !pair_keyeq(&pairs[x->slots[i] - 1], key, klen))
		i = (i + 1) & x->mask;
	return i;
}

static void idx_add(struct kb_mapidx *x, const kb_pair *pairs, size_t pi)
{
	size_t s = idx_probe(x, pairs, pairs[pi].key, pairs[pi].klen);
	if (!x->slots[s])
		x->slots[s] = (uint32_t)(pi + 1);
	else
		x->dups = true; /* an earlier repeated key stays */
	x->count = pi + 1;
}

/* Pair pi is about to leave m->pairs (the pairs after it move down one):
 * its slot goes (backward-shift deletion keeps every probe chain whole),
 * and every slot past it is renumbered.  O(slots), like the memmove of
 * the pairs themselves; cheaper than rebuilding the index afterwards. */
static void idx_remove(kb_node *m, size_t pi)
{
	struct kb_mapidx *x = m->idx;
	if (!x || x->count != m->n || x->dups) {
		/* with repeated keys a removal may promote a later duplicate:
		 * rebuilt on the next lookup instead */
		idx_drop(m);
		return;
	}
	size_t s = idx_probe(x, m->pairs, m->pairs[pi].key, m->pairs[pi].klen);
	x->slots[s] = 0;
	for (size_t j = (s + 1) & x->mask; x->slots[j]; j = (j + 1) & x->mask) {
		const kb_pair *p = &m->pairs[x->slots[j] - 1];
		size_t home = (size_t)key_hash(p->key, p->klen) & x->mask;
		/* move it back when its home is not in (s, j] cyclically */
		bool between = s <= j ? (home > s && home <= j) : (home > s || home <= j);
		if (!between) {
			x->slots[s] = x->slots[j];
			x->slots[j] = 0;
			s = j;
		}
	}
	for (size_t j = 0; j <= x->mask; j++)
		if (x->slots[j] > pi + 1)
			x->slots[j]--;
	x->count--;
}

static void idx_build(kb_node *m)
{
	idx_drop(m);
	size_t cap = 64;
	while (cap < m->n * 2)
		cap *= 2;
	struct kb_mapidx *x = kb_xcalloc(1, sizeof(*x) + cap * sizeof(uint32_t));
	x->mask = cap - 1;
	for (size_t i = 0; i < m->n; i++)
		idx_add(x, m->pairs, i);
	m->idx = x;
}

/* kb_grow for a node's 32-bit counts */
static void grow32(void **arr, uint32_t *cap, size_t need, size_t elsz)
{
	if (need > UINT32_MAX - 1)
		abort(); /* as kb_xmalloc on no memory: beyond max_nodes many times over */
	size_t c = *cap;
	kb_grow(arr, &c, need, elsz);
	*cap = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

/* A scalar's text is allocated with the node (one malloc, not two: the
 * tree of a big CRD has millions of scalars).  Such text is never freed
 * on its own: whatever replaces it gets an allocation of its own. */
#define NF_INLINE 1
/* A map's pairs array is in the node's own allocation, after the node
 * (kb_node_pack); it leaves it when the map grows. */
#define NF_PAIRS_INLINE 2

static kb_node *new_scalar_node(kb_kind kind, const char *s, size_t len)
{
	kb_node *n = kb_xmalloc(sizeof(*n) + len + 1);
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->flags = NF_INLINE;
	n->str = (char *)(n + 1);
	if (len)
		memcpy(n->str, s, len);
	n->str[len] = '\0';
	n->len = len;
	return n;
}

static void free_text(kb_node *n)
{
	if (!(n->flags & NF_INLINE))
		free(n->str);
	n->flags &= (unsigned char)~NF_INLINE;
	n->str = NULL;
}

kb_node *kb_node_new(kb_kind kind)
{
	if (kind == KB_NULL)
		return new_scalar_node(kind, "null", 4);
	if (kind != KB_MAP && kind != KB_SEQ)
		return new_scalar_node(kind, "", 0);
	kb_node *n = kb_xcalloc(1, sizeof(*n));
	n->kind = kind;
	return n;
}

kb_node *kb_node_new_strn(const char *s, size_t len)
{
	return new_scalar_node(KB_STR, s, len);
}

kb_node *kb_node_new_str(const char *s)
{
	return kb_node_new_strn(s, strlen(s));
}

kb_node *kb_node_new_scalar(kb_kind kind, const char *text)
{
	kb_node *n = kb_node_new_str(text);
	n->kind = kind;
	return n;
}

kb_node *kb_node_new_int(long long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	return kb_node_new_scalar(KB_INT, buf);
}

kb_node *kb_node_new_bool(bool v)
{
	return kb_node_new_scalar(KB_BOOL, v ? "true" : "false");
}

/*
 * Frees what n owns but not n itself.  Children are freed without
 * recursion (a document may nest 10,000 levels deep): each child's own
 * children are spliced onto a work list before it is freed.
 */
static void node_clear(kb_node *n)
{
	kb_node **work = NULL;
	size_t nw = 0, cap = 0;
	kb_node *cur = n;
	for (;;) {
		free_text(cur);
		free(cur->raw);
		if (cur->n) {
			kb_grow((void **)&work, &cap, nw + cur->n, sizeof(*work));
			for (size_t i = 0; i < cur->n; i++) {
				kb_node *c;
				if (cur->kind == KB_MAP) {
					if (!cur->pairs[i].kinline)
						free(cur->pairs[i].key);
					c = cur->pairs[i].val;
				} else {
					c = cur->items[i];
				}
				if (c)
					work[nw++] = c;
			}
		}
		if (!(cur->flags & NF_PAIRS_INLINE))
			free(cur->pairs);
		cur->flags &= (unsigned char)~NF_PAIRS_INLINE;
		free(cur->items);
		if (cur != n)
			free(cur);
		if (!nw)
			break;
		cur = work[--nw];
	}
	free(work);
}

void kb_node_shrink(kb_node *n)
{
	if ((n->kind != KB_MAP && n->kind != KB_SEQ) || n->cap <= n->n || (n->flags & NF_PAIRS_INLINE))
		return;
	void **arr = n->kind == KB_MAP ? (void **)&n->pairs : (void **)&n->items;
	size_t elsz = n->kind == KB_MAP ? sizeof(kb_pair) : sizeof(kb_node *);
	if (n->n == 0) {
		free(*arr);
		*arr = NULL;
	} else {
		void *p = realloc(*arr, n->n * elsz);
		if (!p)
			return; /* keeping the bigger array is fine */
		*arr = p;
	}
	n->cap = n->n;
}

kb_node *kb_node_pack(kb_node *n)
{
	if (n->kind != KB_MAP || !n->n || (n->flags & NF_PAIRS_INLINE)) {
		kb_node_shrink(n);
		return n;
	}
	size_t keys = 0;
	for (size_t i = 0; i < n->n; i++)
		keys += n->pairs[i].kinline ? 0 : n->pairs[i].klen + 1;
	/* sizeof(kb_node) is a multiple of the pairs' alignment */
	_Static_assert(sizeof(kb_node) % _Alignof(kb_pair) == 0, "pairs after the node");
	kb_node *b = malloc(sizeof(*b) + n->n * sizeof(kb_pair) + keys);
	if (!b) {
		kb_node_shrink(n);
		return n;
	}
	*b = *n;
	b->pairs = (kb_pair *)(b + 1);
	b->cap = n->n;
	b->flags |= NF_PAIRS_INLINE;
	char *k = (char *)(b->pairs + n->n);
	for (size_t i = 0; i < n->n; i++) {
		kb_pair *p = &b->pairs[i];
		*p = n->pairs[i];
		if (!p->kinline) {
			memcpy(k, p->key, p->klen + 1);
			free(p->key);
			p->key = k;
			p->kinline = true;
			k += p->klen + 1;
		}
	}
	free(n->pairs);
	free(n);
	return b;
}

/* Before a map's pairs leave the node they live in (kb_node_replace
 * frees it): they and their keys get allocations of their own. */
static void unpack(kb_node *n)
{
	if (n->kind != KB_MAP)
		return;
	if (n->flags & NF_PAIRS_INLINE) {
		kb_pair *p = kb_xmalloc((n->cap ? n->cap : 1) * sizeof(*p));
		if (n->n)
			memcpy(p, n->pairs, n->n * sizeof(*p));
		n->pairs = p;
		n->flags &= (unsigned char)~NF_PAIRS_INLINE;
	}
	for (size_t i = 0; i < n->n; i++)
		if (n->pairs[i].kinline) {
			n->pairs[i].key = kb_xstrndup(n->pairs[i].key, n->pairs[i].klen);
			n->pairs[i].kinline = false;
		}
}

void kb_node_free(kb_node *n)
{
	if (!n)
		return;
	node_clear(n);
	free(n);
}

void kb_node_replace(kb_node *dst, kb_node *src)
{
	node_clear(dst);
	unpack(src);
	*dst = *src;
	if (src->flags & NF_INLINE) {
		/* the text lives in src's allocation, which goes */
		dst->str = kb_xstrndup(src->str, src->len);
		dst->flags &= (unsigned char)~NF_INLINE;
	}
	free(src);
}

kb_node *kb_node_clone(const kb_node *n)
{
	if (!n)
		return NULL;
	kb_node *c;
	if (n->str) {
		c = new_scalar_node(n->kind, n->str, n->len);
	} else {
		c = kb_xcalloc(1, sizeof(*c));
		c->kind = n->kind;
	}
	c->style = n->style;
	c->line = n->line;
	c->col = n->col;
	if (n->raw)
		c->raw = kb_xstrdup(n->raw);
	if (n->kind == KB_MAP && n->n) {
		c->pairs = kb_xmalloc(n->n * sizeof(kb_pair));
		c->cap = n->n;
		for (size_t i = 0; i < n->n; i++) {
			c->pairs[i] = n->pairs[i];
			c->pairs[i].key = kb_xstrndup(n->pairs[i].key, n->pairs[i].klen);
			c->pairs[i].kinline = false;
			c->pairs[i].val = kb_node_clone(n->pairs[i].val);
		}
	} else if (n->kind == KB_SEQ && n->n) {
		c->items = kb_xmalloc(n->n * sizeof(kb_node *));
		c->cap = n->n;
		for (size_t i = 0; i < n->n; i++)
			c->items[i] = kb_node_clone(n->items[i]);
	}
	c->n = n->n;
	return c;
}

const kb_pair *kb_node_find_dup_key(const kb_node *n, const kb_pair **first)
{
	if (!n)
		return NULL;
	if (n->kind == KB_MAP) {
		for (size_t i = 1; i < n->n; i++)
			for (size_t j = 0; j < i; j++)
				if (n->pairs[i].klen == n->pairs[j].klen &&
				    memcmp(n->pairs[i].key, n->pairs[j].key, n->pairs[i].klen) == 0) {
					*first = &n->pairs[j];
					return &n->pairs[i];
				}
		for (size_t i = 0; i < n->n; i++) {
			const kb_pair *d = kb_node_find_dup_key(n->pairs[i].val, first);
			if (d)
				return d;
		}
	} else if (n->kind == KB_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const kb_pair *d = kb_node_find_dup_key(n->items[i], first);
			if (d)
				return d;
		}
	}
	return NULL;
}

bool kb_node_equal(const kb_node *a, const kb_node *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case KB_MAP:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++) {
			kb_pair *op = kb_map_get_pairn(b, a->pairs[i].key, a->pairs[i].klen);
			kb_node *o = op ? op->val : NULL;
			if (!o || !kb_node_equal(a->pairs[i].val, o))
				return false;
		}
		return true;
	case KB_SEQ:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if (!kb_node_equal(a->items[i], b->items[i]))
				return false;
		return true;
	default:
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
	}
}

void kb_node_set_str(kb_node *n, const char *s)
{
	node_clear(n);
	n->kind = KB_STR;
	n->style = KB_STYLE_ANY;
	n->flags = 0; /* node_clear released any inline text */
	n->str = kb_xstrdup(s);
	n->len = strlen(s);
	n->raw = NULL;
	n->n = n->cap = 0;
	n->pairs = NULL;
	n->items = NULL;
}

kb_pair *kb_map_get_pairn(const kb_node *map, const char *key, size_t klen)
{
	if (!map || map->kind != KB_MAP)
		return NULL;
	if (map->n < IDX_MIN || map->n > UINT32_MAX - 1) {
		for (size_t i = 0; i < map->n; i++)
			if (pair_keyeq(&map->pairs[i], key, klen))
				return &map->pairs[i];
		return NULL;
	}
	/* the index is a cache: building it does not change the map's value */
	kb_node *m = (kb_node *)map;
	if (!m->idx || m->idx->count != m->n)
		idx_build(m);
	size_t s = idx_probe(m->idx, m->pairs, key, klen);
	return m->idx->slots[s] ? &m->pairs[m->idx->slots[s] - 1] : NULL;
}

kb_pair *kb_map_get_pair(const kb_node *map, const char *key)
{
	return kb_map_get_pairn(map, key, strlen(key));
}

void kb_map_rename(kb_node *map, kb_pair *p, const char *key, size_t klen)
{
	char *k = kb_xstrndup(key, klen);
	if (!p->kinline)
		free(p->key);
	p->key = k;
	p->kinline = false;
	p->klen = klen;
	idx_drop(map);
}

kb_node *kb_map_get(const kb_node *map, const char *key)
{
	kb_pair *p = kb_map_get_pair(map, key);
	return p ? p->val : NULL;
}

const char *kb_map_get_str(const kb_node *map, const char *key)
{
	kb_node *v = kb_map_get(map, key);
	return (v && kb_node_is_scalar(v) && v->kind != KB_NULL) ? v->str : NULL;
}

kb_pair *kb_map_appendn(kb_node *map, const char *key, size_t klen, kb_node *val)
{
	return kb_map_append_owned(map, kb_xstrndup(key, klen), klen, val);
}

kb_pair *kb_map_append_owned(kb_node *map, char *key, size_t klen, kb_node *val)
{
	if (klen > UINT32_MAX)
		abort(); /* a key of 4 GiB: as kb_xmalloc on no memory */
	if ((map->flags & NF_PAIRS_INLINE) && map->n + 1 > map->cap) {
		/* the keys stay where they are, in the node */
		size_t cap = map->n * 2 > 8 ? map->n * 2 : 8;
		kb_pair *np = kb_xmalloc(cap * sizeof(*np));
		memcpy(np, map->pairs, map->n * sizeof(*np));
		map->pairs = np;
		map->cap = cap;
		map->flags &= (unsigned char)~NF_PAIRS_INLINE;
	}
	grow32((void **)&map->pairs, &map->cap, map->n + 1, sizeof(kb_pair));
	kb_pair *p = &map->pairs[map->n++];
	p->key = key;
	p->kinline = false;
	p->klen = klen;
	p->knonstr = false;
	p->kplain = false;
	p->val = val;
	p->line = val ? val->line : 0;
	p->col = 0;
	if (map->idx) {
		if (map->idx->count + 1 == map->n && map->n * 2 <= map->idx->mask + 1)
			idx_add(map->idx, map->pairs, map->n - 1);
		else
			idx_drop(map); /* rebuilt, bigger, on the next lookup */
	}
	return p;
}

kb_pair *kb_map_append(kb_node *map, const char *key, kb_node *val)
{
	return kb_map_appendn(map, key, strlen(key), val);
}

kb_node *kb_map_setn(kb_node *map, const char *key, size_t klen, kb_node *val)
{
	kb_pair *p = kb_map_get_pairn(map, key, klen);
	if (p) {
		if (p->val != val)
			kb_node_free(p->val);
		p->val = val;
		return val;
	}
	kb_map_appendn(map, key, klen, val);
	return val;
}

kb_node *kb_map_set(kb_node *map, const char *key, kb_node *val)
{
	return kb_map_setn(map, key, strlen(key), val);
}

kb_node *kb_map_ensure_map(kb_node *map, const char *key)
{
	kb_node *v = kb_map_get(map, key);
	if (v && v->kind == KB_MAP)
		return v;
	return kb_map_set(map, key, kb_node_new(KB_MAP));
}

kb_node *kb_map_take(kb_node *map, const char *key)
{
	return kb_map_taken(map, key, strlen(key));
}

kb_node *kb_map_taken(kb_node *map, const char *key, size_t klen)
{
	if (!map || map->kind != KB_MAP)
		return NULL;
	kb_pair *p = kb_map_get_pairn(map, key, klen);
	if (!p)
		return NULL;
	size_t i = (size_t)(p - map->pairs);
	kb_node *v = p->val;
	idx_remove(map, i);
	if (!p->kinline)
		free(p->key);
	memmove(&map->pairs[i], &map->pairs[i + 1], (map->n - i - 1) * sizeof(kb_pair));
	map->n--;
	return v;
}

bool kb_map_del(kb_node *map, const char *key)
{
	if (!kb_map_get_pair(map, key))
		return false;
	kb_node_free(kb_map_take(map, key));
	return true;
}

static kb_node *node_vget(const kb_node *root, va_list ap)
{
	const kb_node *n = root;
	const char *k;
	while (n && (k = va_arg(ap, const char *)))
		n = kb_map_get(n, k);
	return (kb_node *)n;
}

kb_node *kb_node_get(const kb_node *root, ...)
{
	va_list ap;
	va_start(ap, root);
	kb_node *n = node_vget(root, ap);
	va_end(ap);
	return n;
}

const char *kb_node_get_str(const kb_node *root, ...)
{
	va_list ap;
	va_start(ap, root);
	kb_node *n = node_vget(root, ap);
	va_end(ap);
	return (n && kb_node_is_scalar(n) && n->kind != KB_NULL) ? n->str : NULL;
}

kb_node *kb_seq_push(kb_node *seq, kb_node *item)
{
	grow32((void **)&seq->items, &seq->cap, seq->n + 1, sizeof(kb_node *));
	seq->items[seq->n++] = item;
	return item;
}

void kb_seq_insert(kb_node *seq, size_t idx, kb_node *item)
{
	if (idx > seq->n)
		idx = seq->n;
	grow32((void **)&seq->items, &seq->cap, seq->n + 1, sizeof(kb_node *));
	memmove(&seq->items[idx + 1], &seq->items[idx], (seq->n - idx) * sizeof(kb_node *));
	seq->items[idx] = item;
	seq->n++;
}

kb_node *kb_seq_take(kb_node *seq, size_t idx)
{
	if (idx >= seq->n)
		return NULL;
	kb_node *it = seq->items[idx];
	memmove(&seq->items[idx], &seq->items[idx + 1], (seq->n - idx - 1) * sizeof(kb_node *));
	seq->n--;
	return it;
}

void kb_seq_remove(kb_node *seq, size_t idx)
{
	kb_node_free(kb_seq_take(seq, idx));
}
