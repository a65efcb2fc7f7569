/* test_pool.c - the thread pool: every job runs once, waits by ticket
 * see the job's writes, a pool of one thread runs jobs in order. */
#include "pool.h"
#include "tap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct item {
	int in, out;
	atomic_int *order; /* next position, for the one-thread test */
	int pos;
} item;

static void square(void *arg)
{
	item *it = arg;
	/* uneven job lengths, so jobs finish out of order */
	if (it->in % 3 == 0) {
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
	it->out = it->in * it->in;
	if (it->order)
		it->pos = atomic_fetch_add(it->order, 1);
}

static void test_results_by_ticket(void)
{
	kb_pool *p = kb_pool_new(4);
	OK(p != NULL);
	OK(kb_pool_threads(p) == 4);
	enum { N = 200 };
	item *items = calloc(N, sizeof(*items));
	for (int i = 0; i < N; i++) {
		items[i].in = i;
		OK(kb_pool_submit(p, square, &items[i]) == (size_t)i);
	}
	int bad = 0;
	for (int i = 0; i < N; i++) {
		kb_pool_wait_one(p, (size_t)i);
		if (items[i].out != i * i)
			bad++;
	}
	OK(bad == 0);
	/* more work after a wait, then wait for all */
	for (int i = 0; i < N; i++) {
		items[i].in = i + 1;
		kb_pool_submit(p, square, &items[i]);
	}
	kb_pool_wait(p);
	bad = 0;
	for (int i = 0; i < N; i++)
		bad += items[i].out != (i + 1) * (i + 1);
	OK(bad == 0);
	kb_pool_free(p);
	free(items);
}

static void test_one_thread_is_fifo(void)
{
	kb_pool *p = kb_pool_new(1);
	atomic_int next = 0;
	item items[20];
	for (int i = 0; i < 20; i++) {
		items[i] = (item){ i, 0, &next, -1 };
		kb_pool_submit(p, square, &items[i]);
	}
	/* free waits for the queue to drain */
	kb_pool_free(p);
	int bad = 0;
	for (int i = 0; i < 20; i++)
		bad += items[i].pos != i || items[i].out != i * i;
	OK(bad == 0);
}

static void test_defaults(void)
{
	OK(kb_cpu_count() >= 1);
	kb_pool *p = kb_pool_new(0);
	OK(p && kb_pool_threads(p) == kb_cpu_count());
	kb_pool_wait(p); /* nothing submitted: returns at once */
	kb_pool_wait_one(p, 5); /* a ticket never given: returns at once */
	kb_pool_free(p);
	kb_pool_free(NULL);
}

int main(void)
{
	test_results_by_ticket();
	test_one_thread_is_fifo();
	test_defaults();
	return tap_done();
}
