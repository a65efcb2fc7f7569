/*
 * result.h - what the layers above lib/kustomize read of a kb_result
 * beyond the public API: the documents themselves, for stages that go on
 * working on the built objects (Flux's post-build substitution, labels).
 */
#ifndef KB_RESULT_H
#define KB_RESULT_H

#include "kbuild.h"
#include "node.h"

/* The result's documents in output order (owned by the result; valid
 * until kb_result_free).  Returns their number. */
size_t kb_result_docs(const kb_result *res, kb_node *const **docs);
/* The file document i came from, as messages name it ("" when made in
 * memory, NULL when i is out of range). */
const char *kb_result_doc_file(const kb_result *res, size_t i);

#endif
