/*
 * jsonb_access.c
 *    The cm_json.h interface over stored jsonb: the normaliser walks the
 *    binary jsonb containers directly, so a stored document is never
 *    re-parsed.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/numeric.h"

#include "jsonb_access.h"

/* Fill a node from a JsonbValue (scalars, or a binary container). */
static void
set_node(const JsonbValue *v, cmj_node *out)
{
	memset(out, 0, sizeof(*out));
	switch (v->type)
	{
		case jbvNull:
			out->type = CMJ_NULL;
			break;
		case jbvString:
			out->type = CMJ_STRING;
			out->s = v->val.string.val;
			out->len = v->val.string.len;
			break;
		case jbvNumeric:
			{
				char	   *txt = DatumGetCString(DirectFunctionCall1(numeric_out,
																	  NumericGetDatum(v->val.numeric)));

				out->type = CMJ_NUMBER;
				out->s = txt;
				out->len = (int) strlen(txt);
				break;
			}
		case jbvBool:
			out->type = CMJ_BOOL;
			out->b = v->val.boolean;
			break;
		case jbvBinary:
			out->type = JsonContainerIsObject(v->val.binary.data) ? CMJ_OBJECT : CMJ_ARRAY;
			out->ref = v->val.binary.data;
			break;
		default:
			/* in-memory arrays and objects never come out of a container */
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
}

/* Look up key in an object container. */
static void
jb_get(const cmj_ops *ops, const cmj_node *obj, const char *key, cmj_node *out)
{
	JsonbValue	res;

	if (getKeyJsonValueFromContainer((JsonbContainer *) obj->ref, key,
									 (int) strlen(key), &res) == NULL)
	{
		memset(out, 0, sizeof(*out));
		out->type = CMJ_MISSING;
		return;
	}
	set_node(&res, out);
}

/* Number of elements of an array container. */
static int
jb_size(const cmj_ops *ops, const cmj_node *arr)
{
	return (int) JsonContainerSize((JsonbContainer *) arr->ref);
}

/* Element i of an array container. */
static void
jb_at(const cmj_ops *ops, const cmj_node *arr, int i, cmj_node *out)
{
	JsonbValue *v = getIthJsonbValueFromContainer((JsonbContainer *) arr->ref, (uint32) i);

	if (v == NULL)
	{
		memset(out, 0, sizeof(*out));
		out->type = CMJ_MISSING;
		return;
	}
	set_node(v, out);
	pfree(v);
}

/* Scratch memory for the current document. */
static void *
jb_alloc(const cmj_ops *ops, size_t size)
{
	return palloc(size ? size : 1);
}

const cmj_ops costmodel_jsonb_ops = {
	.get = jb_get,
	.size = jb_size,
	.at = jb_at,
	.alloc = jb_alloc,
	.arg = NULL
};

/* The root value of a jsonb document as a node. */
void
costmodel_jsonb_root(Jsonb *jb, cmj_node *out)
{
	memset(out, 0, sizeof(*out));
	if (JB_ROOT_IS_SCALAR(jb))
	{
		/* a raw scalar is stored as a one-element array */
		JsonbValue *v = getIthJsonbValueFromContainer(&jb->root, 0);

		set_node(v, out);
		return;
	}
	out->type = JB_ROOT_IS_OBJECT(jb) ? CMJ_OBJECT : CMJ_ARRAY;
	out->ref = &jb->root;
}
