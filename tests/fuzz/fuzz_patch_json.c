/*
 * fuzz_patch_json.c - RFC 6902 JSON patches: the input is `patch.json`
 * (JSON or a YAML list of operations), applied by patchesJson6902 to the
 * Deployment (a deep, schema'd object) or, for inputs of odd length, by
 * `patches` to every resource, which also exercises telling JSON patches
 * from strategic merge ones.  One build per input.
 */
#include "fuzz.h"

#include <stdint.h>

static const char kust_json6902[] =
	"resources:\n"
	"- resources.yaml\n"
	"patchesJson6902:\n"
	"- path: patch.json\n"
	"  target:\n"
	"    group: apps\n"
	"    version: v1\n"
	"    kind: Deployment\n"
	"    name: web\n";

static const char kust_patches[] =
	"resources:\n"
	"- resources.yaml\n"
	"patches:\n"
	"- path: patch.json\n"
	"  target:\n"
	"    name: \".*\"\n";

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
	fuzz_add(m, FUZZ_ROOT "/app/patch.json", data, size);
	fuzz_add_str(m, FUZZ_ROOT "/app/kustomization.yaml", kust_json6902);
	fuzz_add_str(m, FUZZ_ROOT "/all/kustomization.yaml", kust_patches);
	fuzz_add_str(m, FUZZ_ROOT "/all/resources.yaml", fuzz_resources_yaml);
	fuzz_add(m, FUZZ_ROOT "/all/patch.json", data, size);
	fuzz_build(m, size & 1 ? FUZZ_ROOT "/all" : FUZZ_ROOT "/app");
	kb_memfs_free(m);
	return 0;
}
