/*
 * kbuild/diagnostics.h - what a failed build says besides its error.
 *
 * A build that fails may have warned first (a deprecated field, a
 * suspicious value); kustomize prints those before its error, and so
 * should a caller.  The warnings travel with the error.
 */
#ifndef KBUILD_DIAGNOSTICS_H
#define KBUILD_DIAGNOSTICS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Number of warnings the build collected before it failed with err
 * (0 for NULL).  Thread-safety: as err itself (read-only access from
 * several threads is fine). */
KB_API size_t kb_error_warning_count(const kb_error *err);
/* Warning i, one formatted line without trailing newline, or NULL when i
 * is out of range.  The string belongs to err: valid until
 * kb_error_free(err). */
KB_API const char *kb_error_warning(const kb_error *err, size_t i);

#ifdef __cplusplus
}
#endif

#endif
