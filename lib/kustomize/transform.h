/*
 * transform.h - kustomize's builtin transformers that are field-spec
 * walks: namespace, name prefix/suffix, labels, annotations, images,
 * replicas.  Each works on a whole resource map, as kustomize's builtin
 * plugins do, and is called by target.c in kustomize's fixed order.
 */
#ifndef KB_TRANSFORM_H
#define KB_TRANSFORM_H

#include "diag.h"
#include "fieldspec.h"
#include "resource.h"
#include "schema.h"

typedef enum kb_subject_mode {
	KB_SUBJECTS_DEFAULT_ONLY = 0, /* only subjects named "default" */
	KB_SUBJECTS_ALL_SERVICE_ACCOUNTS,
	KB_SUBJECTS_NONE,
} kb_subject_mode;

kb_error *kb_transform_namespace(kb_resmap *m, const kb_schema *s, const char *ns,
				 const kb_fsset *fs, kb_subject_mode mode, bool unset_only);
/* prefix or suffix may be NULL/"" */
kb_error *kb_transform_prefix_suffix(kb_resmap *m, const char *prefix, const char *suffix,
				     const kb_fsset *fs);
/* pairs: a map node of label (or annotation) keys to values. */
kb_error *kb_transform_labels(kb_resmap *m, const kb_node *pairs, const kb_fsset *fs);
kb_error *kb_transform_annotations(kb_resmap *m, const kb_node *pairs, const kb_fsset *fs);
/* The same, counting in *changed the resources whose labels (annotations)
 * the pairs changed: 0 is what check warns about. */
kb_error *kb_transform_labels_changed(kb_resmap *m, const kb_node *pairs, const kb_fsset *fs,
				      size_t *changed);
kb_error *kb_transform_annotations_changed(kb_resmap *m, const kb_node *pairs,
					   const kb_fsset *fs, size_t *changed);
/* image: one entry of `images` (name, newName, newTag, digest). */
kb_error *kb_transform_image(kb_resmap *m, const kb_node *image, const kb_fsset *fs,
			     const char *file);
/* The same, counting in *matched the image fields the entry's name
 * matched (changed or not). */
kb_error *kb_transform_image_matched(kb_resmap *m, const kb_node *image, const kb_fsset *fs,
				     const char *file, size_t *matched);
/* replica: one entry of `replicas` (name, count). */
kb_error *kb_transform_replicas(kb_resmap *m, const kb_schema *s, const kb_node *replica,
				const kb_fsset *fs, const char *file);

/* The image helpers, exposed for tests. */
void kb_image_split(const char *image, char **name, char **tag, char **digest);

#endif
