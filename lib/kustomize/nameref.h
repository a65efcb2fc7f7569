/*
 * nameref.h - after every rename (prefix, suffix, hash suffix, patches
 * that allow a name change), rewrite the fields that refer to a renamed
 * object by name, as kustomize's name-reference transformer does
 * (api/filters/nameref, api/internal/accumulator/namereferencetransformer.go).
 *
 * Which fields refer to which kinds comes from the transformer config
 * (kustomize's default nameReference field specs plus `configurations:`).
 */
#ifndef KB_NAMEREF_H
#define KB_NAMEREF_H

#include "diag.h"
#include "resource.h"
#include "schema.h"
#include "tconfig.h"

kb_error *kb_nameref_fix(kb_resmap *m, const kb_schema *s, const kb_tconfig *cfg);

#endif
