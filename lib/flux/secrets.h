/*
 * secrets.h - Secrets and ConfigMaps as Flux reads them: the values
 * substituteFrom takes, SOPS detection, and `flux build`'s masking.
 */
#ifndef KB_FLUX_SECRETS_H
#define KB_FLUX_SECRETS_H

#include "diag.h"
#include "node.h"
#include "util.h"

/* kustomize-controller's IsEncryptedSecret: a v1 Secret with a
 * top-level `sops` field. */
bool kb_flux_is_sops_secret(const kb_node *doc);

/* The key/value pairs substituteFrom reads: a ConfigMap's data, or a
 * Secret's data (base64-decoded) overlaid with its stringData, as the
 * API server stores it.  Appended to keys/values.  A data value that is
 * not valid base64 is an error. */
kb_error *kb_flux_object_values(const kb_node *doc, const char *file, kb_strv *keys,
				kb_strv *values);

/* `flux build`'s maskSopsData on a Secret (no-op for other kinds):
 * SOPS-encrypted values become **SOPS** (base64 in data).  `text` is the
 * object's YAML as printed. */
kb_error *kb_flux_mask_secret(kb_node *doc, const char *text, const char *what);

/* Standard base64 (RFC 4648 with padding), as Go's StdEncoding. */
char *kb_base64_encode(const char *s, size_t n);
/* Returns NULL on corrupt input (*bad set to the offset). */
char *kb_base64_decode(const char *s, size_t n, size_t *outlen, size_t *bad);

#endif
