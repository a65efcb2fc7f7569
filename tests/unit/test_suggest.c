/* test_suggest.c - "did you mean": which near misses find their word,
 * and which unrelated words find none. */
#include "suggest.h"
#include "tap.h"

#include <stdlib.h>

static const char *const kust_fields[] = {
	"resources", "components", "namePrefix", "nameSuffix", "namespace", "images",
	"patches", "replicas", "labels", "commonLabels", "configMapGenerator",
	"secretGenerator", "generatorOptions", "crds", NULL,
};
static const char *const image_fields[] = { "name", "newName", "newTag", "digest", "tagSuffix",
					     NULL };

static const char *best(const char *word, const char *const *names)
{
	static kb_suggest s;
	kb_suggest_init(&s, word);
	for (; *names; names++)
		kb_suggest_try(&s, *names);
	return kb_suggest_best(&s);
}

static void is(const char *word, const char *const *names, const char *want)
{
	const char *got = best(word, names);
	if (want)
		STR_EQ(got, want);
	else
		OK(got == NULL);
}

int main(void)
{
	/* one letter left out, added, changed; two swapped */
	is("resorces", kust_fields, "resources");
	is("resourcess", kust_fields, "resources");
	is("namePrefx", kust_fields, "namePrefix");
	is("nmaespace", kust_fields, "namespace");
	is("patchs", kust_fields, "patches");
	is("configMapGenerater", kust_fields, "configMapGenerator");
	/* case is not a difference */
	is("commonlabel", kust_fields, "commonLabels");
	/* a word inside a field ("tag" of newTag) beats a longer one (tagSuffix) */
	is("tag", image_fields, "newTag");
	is("image", kust_fields, "images");
	/* closest wins */
	is("label", kust_fields, "labels");
	/* unrelated words get nothing */
	is("foo", kust_fields, NULL);
	is("spec", kust_fields, NULL);
	is("x", image_fields, NULL);
	is("", image_fields, NULL);
	/* short words allow one edit only */
	is("crdz", kust_fields, "crds");
	is("cdz", kust_fields, NULL);
	/* the hint text */
	char *h = kb_suggest_among("resorces", kust_fields);
	STR_EQ(h, "; did you mean 'resources'?");
	free(h);
	h = kb_suggest_among("zzz", kust_fields);
	STR_EQ(h, "");
	free(h);
	/* long words are not compared (and do not overflow anything) */
	char big[200];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is(big, kust_fields, NULL);
	return tap_done();
}
