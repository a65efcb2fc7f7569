/*
 * fuzz.h - what the libFuzzer harnesses in tests/fuzz share: an in-memory
 * tree (kb_memfs) holding a fixed set of resources, patches and a base,
 * with the fuzzed bytes placed at one path in it, and one kb_build of it
 * checked against what every build must satisfy:
 *
 *   - no crash, leak or sanitizer report (the harness is built with
 *     -fsanitize=fuzzer,address,undefined);
 *   - a failed build returns no result and an error of code
 *     KB_ERR_BUILD whose text is not empty and ends in '\n';
 *   - a successful build's stream parses back (kbuild's output is valid
 *     YAML) into as many documents as kb_result_count says.
 *
 * A property that does not hold calls fuzz_fail(), which prints why and
 * aborts, so libFuzzer saves the input as a crash.
 */
#ifndef KB_FUZZ_H
#define KB_FUZZ_H

#include "kbuild.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The node limit of the harnesses' builds and parses (kb_options.max_nodes). */
#define FUZZ_MAX_NODES 100000

/* Where the harnesses' trees live in the memfs. */
#define FUZZ_ROOT "/fuzz"

/* The shared fixtures (fuzz_common.c): several kinds of resource with
 * containers, ports, volumes, env and selectors, so that transformers,
 * patches and name references have something to walk. */
extern const char fuzz_resources_yaml[];
extern const char fuzz_base_kustomization[];

/* A fresh memfs holding the fixture tree:
 *   /fuzz/app/resources.yaml     fuzz_resources_yaml
 *   /fuzz/base/kustomization.yaml, /fuzz/base/res.yaml
 *   /fuzz/comp/kustomization.yaml (a Component)
 *   /fuzz/app/{app.env,config.properties,patch-smp.yaml,patch-json.yaml,
 *              replacement.yaml,configurations.yaml,transformer.yaml,
 *              generator.yaml (builtin plugin configs),crd.yaml}
 * Callers add the kustomization and the fuzzed file. */
kb_memfs *fuzz_tree_new(void);

/* Adds a file (absolute path, data copied). */
void fuzz_add(kb_memfs *m, const char *path, const void *data, size_t len);
void fuzz_add_str(kb_memfs *m, const char *path, const char *text);

/* Builds dir in m and checks the properties above.  Returns true when
 * the build succeeded. */
bool fuzz_build(kb_memfs *m, const char *dir);

/* Aborts with a message (the input is then saved as a crash). */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Inputs that trigger defects already filed and being fixed elsewhere
 * (issue 9, defects 1 and 3), so that a fuzzing run finds new ones
 * instead of the same one again and again.  Returns true for an input to
 * skip.  Each check names its defect; remove it once the fix has landed
 * on main (the regression inputs in testdata/fuzz/ then run again).
 * Set KB_FUZZ_KNOWN=1 in the environment to run them anyway.
 */
bool fuzz_known_defect(const uint8_t *data, size_t size);

/* Once per process, before the first input: PATH is pointed at an
 * empty directory, so that a fuzzed remote base (`resources: [github.com/
 * a/b]`) cannot run git, nor anything else be spawned.  Every harness's
 * LLVMFuzzerInitialize calls it. */
void fuzz_init(void);

/* The length (1-4) of the valid UTF-8 sequence at p, or 0. */
size_t fuzz_utf8_len(const unsigned char *p, size_t n);

/* Appends s as a YAML double-quoted scalar (every byte that is not
 * printable ASCII escaped as \xNN), for harnesses that put fuzzed text
 * inside YAML they generate. */
typedef struct kb_buf kb_buf;
void fuzz_yaml_quote(kb_buf *b, const char *s, size_t len);

#endif
