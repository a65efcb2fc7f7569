/*
 * pool.c - the thread pool (pool.h): one mutex guards the job list, one
 * condition variable wakes workers, one tells waiters a job finished.
 * Jobs are few and long (a build, a file parse) next to the cost of a
 * lock, so nothing cleverer is needed.
 */
#include "pool.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct pool_job {
	kb_pool_fn fn;
	void *arg;
	bool done;
} pool_job;

struct kb_pool {
	pthread_mutex_t mu;
	pthread_cond_t work; /* a job was queued, or the pool stops */
	pthread_cond_t idle; /* a job finished */
	pool_job *jobs;      /* every job ever submitted, by ticket */
	size_t n, cap;
	size_t next;         /* ticket of the next job to start */
	size_t finished;     /* how many have returned */
	bool stop;
	pthread_t *threads;
	unsigned nthreads;
};

unsigned kb_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static void *worker(void *arg)
{
	kb_pool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next == p->n)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->next == p->n) /* stopping, and nothing left */
			break;
		size_t t = p->next++;
		kb_pool_fn fn = p->jobs[t].fn;
		void *a = p->jobs[t].arg;
		pthread_mutex_unlock(&p->mu);
		fn(a);
		pthread_mutex_lock(&p->mu);
		p->jobs[t].done = true;
		p->finished++;
		pthread_cond_broadcast(&p->idle);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

kb_pool *kb_pool_new(unsigned nthreads)
{
	if (nthreads == 0)
		nthreads = kb_cpu_count();
	kb_pool *p = kb_xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->threads = kb_xcalloc(nthreads, sizeof(*p->threads));
	for (unsigned i = 0; i < nthreads; i++) {
		int rc = pthread_create(&p->threads[i], NULL, worker, p);
		if (rc != 0) {
			if (i > 0)
				break; /* fewer threads than asked is still a pool */
			free(p->threads);
			pthread_cond_destroy(&p->idle);
			pthread_cond_destroy(&p->work);
			pthread_mutex_destroy(&p->mu);
			free(p);
			errno = rc;
			return NULL;
		}
		p->nthreads++;
	}
	return p;
}

unsigned kb_pool_threads(const kb_pool *p)
{
	return p->nthreads;
}

size_t kb_pool_submit(kb_pool *p, kb_pool_fn fn, void *arg)
{
	pthread_mutex_lock(&p->mu);
	kb_grow((void **)&p->jobs, &p->cap, p->n + 1, sizeof(*p->jobs));
	size_t t = p->n++;
	p->jobs[t] = (pool_job){ fn, arg, false };
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return t;
}

void kb_pool_wait_one(kb_pool *p, size_t ticket)
{
	pthread_mutex_lock(&p->mu);
	while (ticket < p->n && !p->jobs[ticket].done)
		pthread_cond_wait(&p->idle, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void kb_pool_wait(kb_pool *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->finished < p->n)
		pthread_cond_wait(&p->idle, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void kb_pool_free(kb_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	/* workers drain the queue before they see stop */
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	free(p->jobs);
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
