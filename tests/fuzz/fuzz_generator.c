/*
 * fuzz_generator.c - configMapGenerator and secretGenerator sources: the
 * input is used one of three ways (its length modulo 3 picks which, one
 * build per input), each in its own kustomization:
 *   /fuzz/gen/env   as an env file (`envs:`), and through the legacy `env:`
 *   /fuzz/gen/file  as a file source, under its own name and under a key
 *   /fuzz/gen/lit   each line as a literal (`literals:`, the line written
 *                   as a YAML double-quoted string), merged into and
 *                   replacing generators of a base with the same names
 * with the content hash suffix and generator options on.
 */
#include "fuzz.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char kust_env[] =
	"configMapGenerator:\n"
	"- name: env\n"
	"  envs:\n"
	"  - input.env\n"
	"- name: legacy\n"
	"  env: input.env\n"
	"secretGenerator:\n"
	"- name: env\n"
	"  envs:\n"
	"  - input.env\n"
	"  type: kubernetes.io/tls\n"
	"generatorOptions:\n"
	"  labels:\n"
	"    gen: env\n"
	"  annotations:\n"
	"    a: b\n";

static const char kust_file[] =
	"configMapGenerator:\n"
	"- name: file\n"
	"  files:\n"
	"  - input.env\n"
	"  - key.txt=input.env\n"
	"secretGenerator:\n"
	"- name: file\n"
	"  files:\n"
	"  - input.env\n"
	"  options:\n"
	"    disableNameSuffixHash: true\n";

static const char kust_genbase[] =
	"configMapGenerator:\n"
	"- name: merged\n"
	"  literals:\n"
	"  - base=1\n"
	"  - shared=base\n"
	"- name: replaced\n"
	"  literals:\n"
	"  - base=1\n"
	"secretGenerator:\n"
	"- name: merged\n"
	"  literals:\n"
	"  - base=1\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

/* The overlay kustomization with one literal per input line. */
static char *literal_kust(const uint8_t *data, size_t size)
{
	kb_buf lits = KB_BUF_INIT;
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		kb_buf_puts(&lits, "  - ");
		fuzz_yaml_quote(&lits, p, n);
		kb_buf_putc(&lits, '\n');
		p += n + (nl != NULL);
	}
	char *l = kb_buf_detach(&lits);
	kb_buf k = KB_BUF_INIT;
	kb_buf_puts(&k, "resources:\n- ../base\nconfigMapGenerator:\n- name: lit\n  literals:\n");
	kb_buf_puts(&k, l);
	kb_buf_puts(&k, "- name: merged\n  behavior: merge\n  literals:\n");
	kb_buf_puts(&k, l);
	kb_buf_puts(&k, "- name: replaced\n  behavior: replace\n  literals:\n");
	kb_buf_puts(&k, l);
	kb_buf_puts(&k, "secretGenerator:\n- name: merged\n  behavior: merge\n  literals:\n");
	kb_buf_puts(&k, l);
	free(l);
	return kb_buf_detach(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_known_defect(data, size))
		return -1;
	kb_memfs *m = kb_memfs_new(NULL);
	fuzz_add_str(m, FUZZ_ROOT "/gen/env/kustomization.yaml", kust_env);
	fuzz_add(m, FUZZ_ROOT "/gen/env/input.env", data, size);
	fuzz_add_str(m, FUZZ_ROOT "/gen/file/kustomization.yaml", kust_file);
	fuzz_add(m, FUZZ_ROOT "/gen/file/input.env", data, size);
	fuzz_add_str(m, FUZZ_ROOT "/gen/base/kustomization.yaml", kust_genbase);
	char *lk = literal_kust(data, size);
	fuzz_add_str(m, FUZZ_ROOT "/gen/lit/kustomization.yaml", lk);
	free(lk);
	static const char *const dirs[] = { FUZZ_ROOT "/gen/env", FUZZ_ROOT "/gen/file",
					    FUZZ_ROOT "/gen/lit" };
	fuzz_build(m, dirs[size % 3]);
	kb_memfs_free(m);
	return 0;
}
