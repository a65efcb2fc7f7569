/*
 * patch_smp.h - strategic merge patch, exactly as kustomize applies it.
 *
 * kustomize does not use the apimachinery strategic merge code: it runs
 * kyaml's merge2 walker (kyaml/yaml/merge2 over kyaml/yaml/walk) with
 * ListIncreaseDirection = prepend.  This module is a port of that walker,
 * quirks included, because the quirks are visible in real outputs:
 *
 *  - maps merge recursively; a null patch value removes the key; scalars
 *    and lists without a `merge` patch strategy in the schema (custom
 *    resources, unknown fields) are replaced;
 *  - lists whose schema field has strategy `merge` are merged by their
 *    merge keys (all of x-kubernetes-list-map-keys when present, e.g.
 *    Service ports by port+protocol), or by value for primitive lists
 *    (finalizers).  The result holds the patch's elements first, in patch
 *    order, then the target's remaining elements: [a,b,c] patched with
 *    [c,d] gives [c,d,a,b].  Target elements with the same key collapse
 *    into the last of them;
 *  - `$patch: delete` (map, list element), `$patch: replace` (map, or a
 *    `- $patch: replace` element in a list) and `$patch: merge` are
 *    honoured and removed from the result.  `$patch: replace` on a merged
 *    list *element* has no effect at all (kyaml puts the target element
 *    back);
 *  - `$setElementOrder/...`, `$retainKeys` and `$deleteFromPrimitiveList/...`
 *    are NOT directives for kustomize: they are copied into the result as
 *    ordinary fields, and so are they here;
 *  - an explicit null kept in the target survives (`a: null`, `a: ~`), but
 *    an empty one (`a:` with no value) is dropped when the map holding it
 *    is patched.  The two differ only in the KB_NULL node's text: a null
 *    whose text is empty (len 0) counts as the empty form;
 *  - a patch scalar replacing a target scalar takes the target's quoting
 *    (kyaml copies the style), so `x: "5"` patched with `x: 6` gives the
 *    string "6".  kb_node keeps no style, so only targets that must have
 *    been quoted (strings that would read as another type) are detected:
 *    `x: "abc"` patched with `x: 6` gives 6 here but "6" in kustomize;
 *  - nested objects carrying their own apiVersion/kind, where the schema
 *    has nothing to say, take their schema from that apiVersion/kind.
 *
 * Map key order in the result is not meaningful (kustomize sorts keys on
 * output): patched maps get new keys appended in sorted order.
 *
 * This is merge2.Merge only.  Resource.ApplySmPatch's follow-up (putting
 * back the original kind, name and namespace unless the patch options
 * allow a change) is the caller's job.
 */
#ifndef KB_PATCH_SMP_H
#define KB_PATCH_SMP_H

#include <stdbool.h>

#include "diag.h"
#include "node.h"
#include "schema.h"

/*
 * Applies `patch` (one patch document, a map) to `target` (one resource,
 * a map) in place.  The schema for the whole resource comes from the
 * target's (else the patch's) apiVersion and kind; `schema` may be NULL
 * (then every list is replaced).  `patch_name` names the patch in errors
 * (may be NULL).
 *
 * *deleted is set to true when the patch deletes the whole resource
 * (`$patch: delete` at the top level); `target` is then left as it was
 * and the caller must drop the resource.  Otherwise *deleted is false and
 * target holds the result.
 *
 * On error (a patch value of the wrong shape, an unknown `$patch` value)
 * target is left unchanged.  `patch` is never modified; nothing in the
 * result shares memory with it.
 */
kb_error *kb_smp_apply(kb_node *target, const kb_node *patch, const kb_schema *schema,
		       const char *patch_name, bool *deleted);

#endif
