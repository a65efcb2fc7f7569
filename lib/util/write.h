/*
 * write.h - writing output to a path the way a user means it (-o FILE).
 *
 * What is at the path decides how it is written:
 *   - nothing yet, or a regular file: atomically (a temporary file in the
 *     same directory, renamed over it), so a reader never sees half a file
 *     and a failed write leaves the old one; an existing file keeps its
 *     permission bits and, where the process may, its owner;
 *   - a symlink: followed to what it names (as kubectl's os.WriteFile
 *     does), which is then written by these rules; the link stays;
 *   - /proc/self/fd/N and /dev/fd/N (where /dev/stdout leads): descriptor
 *     N itself, so a pipe, socket or `>>` file gets the bytes as the shell
 *     set it up;
 *   - a device, FIFO or other special file: opened and written in place.
 *     Renaming over /dev/null would replace the device node.
 * A failed write, fsync or close (ENOSPC, EDQUOT, EIO, ...) is an error of
 * code KB_ERR_IO naming the path.
 *
 * Thread-safe: no shared state; concurrent writes to different paths are
 * independent (to the same path, the last rename wins).
 */
#ifndef KB_WRITE_H
#define KB_WRITE_H

#include "diag.h"

#include <stddef.h>

/* Writes len bytes of data to path by the rules above.  Returns NULL or
 * an error (owned by the caller). */
kb_error *kb_write_path(const char *path, const char *data, size_t len);

#endif
