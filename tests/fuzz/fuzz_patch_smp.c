/*
 * fuzz_patch_smp.c - strategic-merge patches: the input is `patch.yaml`,
 * applied by `patches` with a target that selects every resource (so
 * whatever the patch names, each kind of fixture resource, with and
 * without a schema, is merged with it) or, for inputs of odd length, by
 * patchesStrategicMerge (matched by the patch's own id).  One build per
 * input: the length picks which, so a crash replays the same way.
 */
#include "fuzz.h"

#include <stdint.h>

static const char kust_targeted[] =
	"resources:\n"
	"- resources.yaml\n"
	"patches:\n"
	"- path: patch.yaml\n"
	"  target:\n"
	"    name: \".*\"\n"
	"  options:\n"
	"    allowNameChange: true\n"
	"    allowKindChange: true\n";

static const char kust_by_id[] =
	"resources:\n"
	"- resources.yaml\n"
	"patchesStrategicMerge:\n"
	"- patch.yaml\n";

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
	fuzz_add(m, FUZZ_ROOT "/app/patch.yaml", data, size);
	fuzz_add_str(m, FUZZ_ROOT "/app/kustomization.yaml", kust_targeted);
	fuzz_add_str(m, FUZZ_ROOT "/byid/kustomization.yaml", kust_by_id);
	fuzz_add_str(m, FUZZ_ROOT "/byid/resources.yaml", fuzz_resources_yaml);
	fuzz_add(m, FUZZ_ROOT "/byid/patch.yaml", data, size);
	fuzz_build(m, size & 1 ? FUZZ_ROOT "/byid" : FUZZ_ROOT "/app");
	kb_memfs_free(m);
	return 0;
}
