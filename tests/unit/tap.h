/* tap.h - a tiny TAP-style test harness for the unit tests. */
#ifndef KB_TAP_H
#define KB_TAP_H

#include <string.h>

extern int tap_failures;
extern int tap_count;

void tap_ok(int cond, const char *file, int line, const char *expr);
void tap_str_eq(const char *got, const char *want, const char *file, int line, const char *expr);
int tap_done(void);

#define OK(cond) tap_ok(!!(cond), __FILE__, __LINE__, #cond)
#define STR_EQ(got, want) tap_str_eq((got), (want), __FILE__, __LINE__, #got)

#endif
