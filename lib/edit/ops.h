/*
 * ops.h - helpers the edit operations share (ops_*.c), on the model of
 * session.h's transactions.
 *
 * Field names of the kustomization and of its typed entries (images,
 * patches, generators) are matched case-insensitively, as kustomize's
 * JSON decoding matches them; new fields get their canonical spelling.
 */
#ifndef KB_EDIT_OPS_H
#define KB_EDIT_OPS_H

#include "session.h"
#include "ydoc.h"

/* The value of a field of map m (case-insensitive), or NULL. */
ed_node *op_get(const ed_node *m, const char *name);
/* The string of a scalar field, or "" (absent, null or not a string). */
const char *op_str(const ed_node *m, const char *name);
/* The list at m[name], made when absent or null (appended at the end of
 * m); an empty flow list `[]` becomes a block list. */
ed_node *op_list(ed_node *m, const char *name);
/* The map at m[name], made when absent or null. */
ed_node *op_map(ed_node *m, const char *name);
/* Sets m[name] to a string: its scalar changes in place, or a new pair
 * is added (at insert_at, or the end when insert_at is (size_t)-1). */
void op_set_str(ed_node *m, const char *name, const char *value, size_t insert_at);
/* Sets m[key] in a free-form string map (labels, annotations): a new
 * key goes where it keeps sorted keys sorted, else at the end. */
void op_set_map_entry(ed_node *m, const char *key, const char *value);
/* Removes m[name] (case-insensitive); true when it was there. */
bool op_del(ed_node *m, const char *name);
/* Removes the field when its value is an empty list or map, or null
 * (kustomize writes no empty fields). */
void op_drop_empty(ed_node *m, const char *name);
/* Where a new entry named `name` goes in a list of maps with a "name"
 * field: its sorted place when the list is sorted by name, else the end. */
size_t op_sorted_pos(const ed_node *list, const char *name);
/* True when s is in the list of strings. */
bool op_list_has(const ed_node *list, const char *s);

/* kustomize's util.ConvertSliceToMap on one KEY:VALUE argument. */
kb_error *op_kv(const char *arg, const char *kind, char **key, char **value);
/* Kubernetes' rules, for warnings (kustomize validates nothing). */
bool op_valid_label_key(const char *s);
bool op_valid_label_value(const char *s);
bool op_valid_dns_label(const char *s);

/* "[a b c]": Go's %v of a string slice. */
char *op_go_slice(const char *const *v, size_t n);

#endif
