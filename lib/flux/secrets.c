/*
 * secrets.c - Secret and ConfigMap values, SOPS (secrets.h).
 */
#include "secrets.h"

#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *kb_base64_encode(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = kb_xmalloc(4 * ((n + 2) / 3) + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)u[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)u[i + 1] << 8;
		if (i + 2 < n)
			v |= u[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

char *kb_base64_decode(const char *s, size_t n, size_t *outlen, size_t *bad)
{
	/* Go's StdEncoding skips \r and \n */
	char *clean = kb_xmalloc(n + 1);
	size_t cn = 0;
	size_t *pos = kb_xmalloc((n + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\r' && s[i] != '\n') {
			pos[cn] = i;
			clean[cn++] = s[i];
		}
	char *out = kb_xmalloc(cn / 4 * 3 + 4);
	size_t o = 0;
	if (cn % 4 != 0) {
		*bad = cn ? pos[cn - cn % 4] : 0;
		goto fail;
	}
	for (size_t i = 0; i < cn; i += 4) {
		int v[4];
		int pad = 0;
		for (int j = 0; j < 4; j++) {
			char c = clean[i + j];
			if (c == '=' && i + 4 == cn && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad || (v[j] = b64val(c)) < 0) {
				*bad = pos[i + j];
				goto fail;
			}
		}
		if (pad == 1 && clean[i + 3] != '=') {
			*bad = pos[i + 2];
			goto fail;
		}
		unsigned x = ((unsigned)v[0] << 18) | ((unsigned)v[1] << 12) | ((unsigned)v[2] << 6) |
			     (unsigned)v[3];
		out[o++] = (char)((x >> 16) & 0xFF);
		if (pad < 2)
			out[o++] = (char)((x >> 8) & 0xFF);
		if (pad < 1)
			out[o++] = (char)(x & 0xFF);
	}
	out[o] = '\0';
	*outlen = o;
	free(clean);
	free(pos);
	return out;
fail:
	free(clean);
	free(pos);
	free(out);
	return NULL;
}

bool kb_flux_is_sops_secret(const kb_node *doc)
{
	return kb_streq(kb_map_get_str(doc, "kind"), "Secret") &&
	       kb_streq(kb_map_get_str(doc, "apiVersion"), "v1") && kb_map_get(doc, "sops");
}

static void put(kb_strv *keys, kb_strv *values, const char *k, const char *v)
{
	for (size_t i = 0; i < keys->n; i++)
		if (strcmp(keys->v[i], k) == 0) {
			free(values->v[i]);
			values->v[i] = kb_xstrdup(v);
			return;
		}
	kb_strv_push(keys, k);
	kb_strv_push(values, v);
}

kb_error *kb_flux_object_values(const kb_node *doc, const char *file, kb_strv *keys,
				kb_strv *values)
{
	bool secret = kb_streq(kb_map_get_str(doc, "kind"), "Secret");
	const kb_node *data = kb_map_get(doc, "data");
	for (size_t i = 0; data && data->kind == KB_MAP && i < data->n; i++) {
		const kb_node *v = data->pairs[i].val;
		if (!kb_node_is_scalar(v))
			continue;
		const char *text = v->kind == KB_NULL ? "" : kb_node_text(v);
		if (!secret) {
			put(keys, values, data->pairs[i].key, text);
			continue;
		}
		size_t len, bad = 0;
		char *dec = kb_base64_decode(text, strlen(text), &len, &bad);
		if (!dec)
			return kb_error_new(file, v->line, v->col,
					    "Secret data '%s' is not valid base64 (illegal data at "
					    "input byte %zu)",
					    data->pairs[i].key, bad);
		/* values are strings; a NUL byte ends one */
		put(keys, values, data->pairs[i].key, dec);
		free(dec);
	}
	const kb_node *sd = secret ? kb_map_get(doc, "stringData") : NULL;
	for (size_t i = 0; sd && sd->kind == KB_MAP && i < sd->n; i++) {
		const kb_node *v = sd->pairs[i].val;
		if (kb_node_is_scalar(v))
			put(keys, values, sd->pairs[i].key, v->kind == KB_NULL ? "" : kb_node_text(v));
	}
	return NULL;
}

/* ---- flux build's maskSopsData ---- */

#define MASK "**SOPS**"

static bool has(const char *s, size_t n, const char *needle)
{
	size_t l = strlen(needle);
	for (size_t i = 0; i + l <= n; i++)
		if (memcmp(s + i, needle, l) == 0)
			return true;
	return false;
}

/* the map as map[string]string, or NULL (then untouched) */
static kb_node *string_map(const kb_node *m)
{
	kb_node *out = kb_node_new(KB_MAP);
	for (size_t i = 0; m && m->kind == KB_MAP && i < m->n; i++) {
		const kb_node *v = m->pairs[i].val;
		kb_map_set(out, m->pairs[i].key,
			   kb_node_new_str(kb_node_is_scalar(v) && v->kind != KB_NULL ? kb_node_text(v)
										: ""));
	}
	return out;
}

kb_error *kb_flux_mask_secret(kb_node *doc, const char *text, const char *what)
{
	if (!kb_streq(kb_map_get_str(doc, "kind"), "Secret"))
		return NULL;
	kb_node *data = string_map(kb_map_get(doc, "data"));
	kb_node *sdata = string_map(kb_map_get(doc, "stringData"));
	char *mask64 = kb_base64_encode(MASK, strlen(MASK));
	size_t tl = strlen(text);
	kb_error *e = NULL;
	if (has(text, tl, "sops:") && has(text, tl, "mac: ENC[")) {
		kb_map_del(doc, "sops");
		const char *type = kb_map_get_str(doc, "type");
		if (kb_streq(type, "kubernetes.io/dockerconfigjson")) {
			const char *js = "{\"mask\":\"" MASK "\"}";
			char *js64 = kb_base64_encode(js, strlen(js));
			for (size_t i = 0; i < data->n; i++)
				kb_node_set_str(data->pairs[i].val, js64);
			for (size_t i = 0; i < sdata->n; i++)
				kb_node_set_str(sdata->pairs[i].val, js);
			free(js64);
		} else {
			for (size_t i = 0; i < data->n; i++)
				kb_node_set_str(data->pairs[i].val, mask64);
			for (size_t i = 0; i < sdata->n; i++)
				kb_node_set_str(sdata->pairs[i].val, MASK);
		}
	} else {
		for (size_t i = 0; i < data->n && !e; i++) {
			const char *v = data->pairs[i].val->str;
			size_t len, bad = 0;
			char *dec = kb_base64_decode(v, strlen(v), &len, &bad);
			if (!dec) {
				e = kb_error_new(NULL, 0, 0,
						 "failed to mask secret %s sops data: illegal base64 "
						 "data at input byte %zu",
						 what, bad);
				break;
			}
			if (has(dec, len, "sops") && has(dec, len, "ENC["))
				kb_node_set_str(data->pairs[i].val, mask64);
			free(dec);
		}
		for (size_t i = 0; i < sdata->n; i++) {
			const char *v = sdata->pairs[i].val->str;
			if (has(v, strlen(v), "sops") && has(v, strlen(v), "ENC["))
				kb_node_set_str(sdata->pairs[i].val, mask64);
		}
	}
	if (!e) {
		/* SetDataMap: an empty map clears the field */
		if (data->n)
			kb_map_set(doc, "data", data);
		else {
			kb_map_del(doc, "data");
			kb_node_free(data);
		}
		data = NULL;
		if (sdata->n) {
			kb_map_set(doc, "stringData", sdata);
			sdata = NULL;
		}
	}
	kb_node_free(data);
	kb_node_free(sdata);
	free(mask64);
	return e;
}
