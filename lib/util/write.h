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

#include <stdbool.h>
#include <stddef.h>

/* Writes len bytes of data to path by the rules above.  Returns NULL or
 * an error (owned by the caller). */
kb_error *kb_write_path(const char *path, const char *data, size_t len);

/* The same in pieces, for output written as it is made.  The path is
 * looked at and opened at the first write (a temporary file beside a
 * regular one), so nothing happens to it until then; kb_writer_finish
 * with commit renames the temporary file into place (or makes the file
 * of an empty output), without it removes the temporary file.  A write
 * that fails returns -1 (errno EIO) and so do the ones after it; finish
 * returns that failure, naming the path, or NULL, and frees w.  One
 * thread at a time per writer. */
typedef struct kb_writer kb_writer;
kb_writer *kb_writer_new(const char *path);
int kb_writer_write(kb_writer *w, const char *data, size_t len);
kb_error *kb_writer_finish(kb_writer *w, bool commit);

#endif
