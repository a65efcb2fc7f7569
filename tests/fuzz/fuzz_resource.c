/*
 * fuzz_resource.c - a resource file under a set of transformers: the
 * input is `input.yaml`, the only resource of a kustomization that runs
 * generators, prefix/suffix, namespace, labels (selectors and templates
 * too), annotations, images, both kinds of patch against every
 * resource, replacements, vars, custom field specs, name references and
 * the legacy sort over it.  Nothing in it fails for want of a resource
 * (`replicas:` does, when no workload has its name: the kustomization
 * harness covers it), so most inputs reach the name references, the sort
 * and the emitter.
 */
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>

static const char kust[] =
	"resources:\n"
	"- input.yaml\n"
	"namePrefix: p-\n"
	"nameSuffix: -s\n"
	"namespace: fuzz\n"
	"commonLabels:\n"
	"  team: a\n"
	"labels:\n"
	"- pairs:\n"
	"    tier: web\n"
	"  includeSelectors: true\n"
	"  includeTemplates: true\n"
	"commonAnnotations:\n"
	"  owner: fuzz\n"
	"images:\n"
	"- name: nginx\n"
	"  newName: registry.example/nginx\n"
	"  newTag: \"1.26\"\n"
	"- name: busybox\n"
	"  digest: sha256:1111111111111111111111111111111111111111111111111111111111111111\n"
	"- name: postgres\n"
	"  newName: pg\n"
	"configMapGenerator:\n"
	"- name: fuzz-gen\n"
	"  literals:\n"
	"  - mode=generated\n"
	"secretGenerator:\n"
	"- name: fuzz-secret\n"
	"  literals:\n"
	"  - password=hunter2\n"
	"patches:\n"
	"- patch: |-\n"
	"    apiVersion: v1\n"
	"    kind: Any\n"
	"    metadata:\n"
	"      name: any\n"
	"      annotations:\n"
	"        smp: patched\n"
	"  target:\n"
	"    name: \".*\"\n"
	"- patch: |-\n"
	"    - op: add\n"
	"      path: /metadata/labels\n"
	"      value: {json: patched}\n"
	"  target:\n"
	"    kind: Deployment|StatefulSet|Service\n"
	"replacements:\n"
	"- source:\n"
	"    kind: ConfigMap\n"
	"    name: fuzz-gen\n"
	"    fieldPath: data.mode\n"
	"  targets:\n"
	"  - select:\n"
	"      kind: Deployment\n"
	"    fieldPaths:\n"
	"    - metadata.annotations.mode\n"
	"    options:\n"
	"      create: true\n"
	"vars:\n"
	"- name: GEN_NAME\n"
	"  objref:\n"
	"    apiVersion: v1\n"
	"    kind: ConfigMap\n"
	"    name: fuzz-gen\n"
	"configurations:\n"
	"- configurations.yaml\n";

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
