/*
 * pool.h - a fixed-size thread pool: submit jobs, wait for one or all.
 *
 *   kb_pool *p = kb_pool_new(0);              // one thread per online CPU
 *   for (i = 0; i < n; i++)
 *           kb_pool_submit(p, work, &items[i]); // tickets 0, 1, 2, ...
 *   for (i = 0; i < n; i++) {
 *           kb_pool_wait_one(p, i);           // in submission order
 *           report(&items[i]);
 *   }
 *   kb_pool_free(p);
 *
 * Jobs start in submission order (FIFO) but finish in any order; a caller
 * that needs its results in a fixed order waits for them by ticket, as
 * above (check does, so a report does not depend on -j).  A job owns
 * nothing of the pool's: it gets its argument and must not call back
 * into the pool it runs on (no nested waits: with every worker waiting
 * the pool would deadlock).
 *
 * Thread safety: submit, wait_one and wait may be called from any thread,
 * concurrently.  kb_pool_free must be called once, by one thread, when no
 * other call on the pool is running; it first waits for every job.
 */
#ifndef KB_POOL_H
#define KB_POOL_H

#include <stddef.h>

typedef struct kb_pool kb_pool;
typedef void (*kb_pool_fn)(void *arg);

/* The number of online CPUs (at least 1). */
unsigned kb_cpu_count(void);

/* A pool of nthreads worker threads (0 = kb_cpu_count()).  Returns NULL
 * with errno set when no thread could be started. */
kb_pool *kb_pool_new(unsigned nthreads);
unsigned kb_pool_threads(const kb_pool *p);
/* Queues fn(arg) and returns its ticket: 0 for the first job submitted to
 * the pool, then 1, 2, ... */
size_t kb_pool_submit(kb_pool *p, kb_pool_fn fn, void *arg);
/* Blocks until the job with this ticket has returned.  Its writes are
 * visible to the caller afterwards. */
void kb_pool_wait_one(kb_pool *p, size_t ticket);
/* Blocks until every job submitted so far has returned. */
void kb_pool_wait(kb_pool *p);
/* Waits for every job, stops the threads and frees the pool (NULL-safe). */
void kb_pool_free(kb_pool *p);

#endif
