#include "tap.h"

#include <stdio.h>

int tap_failures;
int tap_count;

void tap_ok(int cond, const char *file, int line, const char *expr)
{
	tap_count++;
	if (!cond) {
		tap_failures++;
		printf("not ok %d - %s:%d: %s\n", tap_count, file, line, expr);
	}
}

void tap_str_eq(const char *got, const char *want, const char *file, int line, const char *expr)
{
	tap_count++;
	if (!got || !want || strcmp(got, want) != 0) {
		tap_failures++;
		printf("not ok %d - %s:%d: %s\n  got:  [%s]\n  want: [%s]\n", tap_count, file, line,
		       expr, got ? got : "(null)", want ? want : "(null)");
	}
}

int tap_done(void)
{
	printf("%d passed, %d failed\n", tap_count - tap_failures, tap_failures);
	return tap_failures ? 1 : 0;
}
