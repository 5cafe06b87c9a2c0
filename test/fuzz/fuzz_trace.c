/*
 * fuzz_trace.c
 *    libFuzzer entry point: one input is one NDJSON line, parsed with json-c
 *    exactly as costmodel-load does (strict, UTF-8 validated) and run through
 *    the shared trace normaliser, with every row formatted as the loader
 *    would.  Built with AddressSanitizer and UBSan by test/libfuzzer_test.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cm_trace.h"
#include "jsonc_access.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void	   *load_malloc(size_t size);

/* The loader's allocator (loader/load_main.c): out of memory ends the run. */
void *
load_malloc(size_t size)
{
	void	   *p = malloc(size);

	if (p == NULL)
		abort();
	return p;
}

/* Touch every cell the way a consumer would, so that bad pointers show. */
static void
consume(cm_sink *sink, cm_table t, const cm_cell *cells)
{
	unsigned   *sum = sink->arg;
	char		buf[40];

	for (int i = 0; i < cm_tables[t].ncolumns; i++)
	{
		const cm_cell *c = &cells[i];

		if (c->isnull)
			continue;
		switch (cm_tables[t].columns[i].kind)
		{
			case CMK_TEXT:
				for (int k = 0; k < c->len; k++)
					*sum += (unsigned char) c->s[k];
				break;
			case CMK_MONEY:
				*sum += (unsigned) cmv_format_money(c->i, buf);
				break;
			case CMK_RATE:
				*sum += (unsigned) cmv_format_rate((int32_t) c->i, buf);
				break;
			case CMK_TS:
				*sum += (unsigned) cmv_format_timestamp(c->i, buf);
				break;
			case CMK_DATE:
				*sum += (unsigned) cmv_format_date((cmv_days) c->i, buf);
				break;
			default:
				*sum += (unsigned) c->i;
		}
	}
}

/* Parse one line and normalise it, as the loader does. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_tokener *tok;
	static cmj_ops ops;
	static jca_arena arena;
	static int	ready;
	struct json_object *obj;
	unsigned	sum = 0;
	cm_sink		sink = {consume, CM_WANT_ALL, &sum};

	if (!ready)
	{
		tok = json_tokener_new_ex(64);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		jca_init(&ops, &arena);
		ready = 1;
	}
	if (size > (1 << 20))
		return 0;
	obj = json_tokener_parse_ex(tok, (const char *) data, (int) size);
	if (obj != NULL)
	{
		cmj_node	root;
		cm_reject	rej;

		jca_root(&ops, obj, &root);
		(void) cm_trace_normalize(&ops, &root, &sink, &rej);
		json_object_put(obj);
		jca_arena_reset(&arena);
	}
	json_tokener_reset(tok);
	return 0;
}
