/*
 * fuzz_kustomization.c - the kustomization file itself: the input is
 * /fuzz/app/kustomization.yaml, in a tree that holds what its fields can
 * name (resources.yaml, a base ../base, a component ../comp, env and
 * properties files, patch files, a replacement file, a transformer
 * configuration), so that a mutated field finds something to load.
 */
#include "fuzz.h"

#include <stdint.h>

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
	fuzz_add(m, FUZZ_ROOT "/app/kustomization.yaml", data, size);
	fuzz_build(m, FUZZ_ROOT "/app");
	kb_memfs_free(m);
	return 0;
}
