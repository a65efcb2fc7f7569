/*
 * fuzz_replacement.c - replacements: the input is `replacement.yaml` (one
 * replacement or a list of them, as a `replacements: - path:` file
 * holds), applied to the fixture resources and a generated ConfigMap.
 */
#include "fuzz.h"

#include <stdint.h>

static const char kust[] =
	"resources:\n"
	"- resources.yaml\n"
	"configMapGenerator:\n"
	"- name: gen\n"
	"  literals:\n"
	"  - key=value\n"
	"  - image=nginx:1.27\n"
	"replacements:\n"
	"- path: input.yaml\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_known_defect(data, size))
		return -1;
	kb_memfs *m = fuzz_tree_new();
	fuzz_add_str(m, FUZZ_ROOT "/app/kustomization.yaml", kust);
	fuzz_add(m, FUZZ_ROOT "/app/input.yaml", data, size);
	fuzz_build(m, FUZZ_ROOT "/app");
	kb_memfs_free(m);
	return 0;
}
