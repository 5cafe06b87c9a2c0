/*
 * jsonc_access.c
 *    Implements the read-only JSON interface of common/cm_json.h over json-c,
 *    so that the loader runs the same trace normaliser as the server.
 *
 * Numbers are handed over as text in the canonical form PostgreSQL's numeric
 * prints (cmj_canonical_number), as the server's jsonb side sees them: json-c
 * 0.16 keeps the text of a parsed double as written (as the object's
 * userdata), and an integer's text is its exact value.  Strings are handed over with their length, since
 * "\u0000" gives an embedded NUL that the normaliser must see.  Scratch
 * memory comes from a per-document arena; nothing is freed per allocation.
 */
#include "jsonc_access.h"
#include "load.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE		(512 * 1024)
#define ALIGNMENT		16

struct jca_block
{
	jca_block  *next;
	size_t		size;			/* bytes usable in data[] */
	size_t		used;
	_Alignas(ALIGNMENT) char data[];
};

/* ---------------------------------------------------------------- arena */

/* A new block holding at least size bytes. */
static jca_block *
new_block(size_t size)
{
	jca_block  *b;

	if (size < BLOCK_SIZE)
		size = BLOCK_SIZE;
	b = load_malloc(sizeof(jca_block) + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

/* Scratch memory from the arena, valid until its reset. */
static void *
arena_alloc(jca_arena *a, size_t size)
{
	jca_block  *b = a->cur;
	void	   *p;

	size = (size + ALIGNMENT - 1) & ~(size_t) (ALIGNMENT - 1);
	if (b->size - b->used < size)
	{
		/* chain a new block; the current one is always the last */
		b->next = new_block(size);
		b = a->cur = b->next;
	}
	p = b->data + b->used;
	b->used += size;
	return p;
}

/*
 * Forget every allocation.  Blocks beyond the first are freed, so one huge
 * document does not pin its memory for the rest of the load.
 */
void
jca_arena_reset(jca_arena *arena)
{
	jca_block  *b = arena->first->next;

	while (b)
	{
		jca_block  *next = b->next;

		free(b);
		b = next;
	}
	arena->first->next = NULL;
	arena->first->used = 0;
	arena->cur = arena->first;
}

/* Free the arena's memory. */
void
jca_arena_free(jca_arena *arena)
{
	jca_arena_reset(arena);
	free(arena->first);
	arena->first = arena->cur = NULL;
}

/* ---------------------------------------------------------------- nodes */

/*
 * The exact text of an integer, in arena memory.  json-c holds integers
 * above INT64_MAX as uint64, which json_object_get_int64 would clamp.
 */
static const char *
int_text(struct json_object *obj, jca_arena *arena, int *len)
{
	char	   *buf = arena_alloc(arena, 24);
	int64_t		v = json_object_get_int64(obj);

	if (v == INT64_MAX)
		*len = snprintf(buf, 24, "%" PRIu64, json_object_get_uint64(obj));
	else
		*len = snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

/*
 * Set out's text to the canonical form of the number text s ("1.5e2" gives
 * "150").  Text that is no JSON number or beyond numeric's range (NaN, 1e9999)
 * is handed over as it is; the normaliser then finds it unreadable.
 */
static void
number_text(const char *s, jca_arena *arena, cmj_node *out)
{
	int			len = (int) strlen(s);
	bool		same;
	int			n = cmj_canonical_number(s, len, NULL, &same);
	char	   *buf;

	if (n < 0 || same)
	{
		out->s = s;
		out->len = len;
		return;
	}
	buf = arena_alloc(arena, (size_t) n + 1);
	out->len = cmj_canonical_number(s, len, buf, &same);
	out->s = buf;
}

/* Describe json-c value obj (NULL is JSON null) as a cmj_node. */
static void
node(struct json_object *obj, jca_arena *arena, cmj_node *out)
{
	memset(out, 0, sizeof(*out));
	out->ref = obj;
	switch (json_object_get_type(obj))
	{
		case json_type_null:
			out->type = CMJ_NULL;
			break;
		case json_type_boolean:
			out->type = CMJ_BOOL;
			out->b = json_object_get_boolean(obj);
			break;
		case json_type_double:
			{
				/* the tokener keeps the text as written; else json-c's own */
				const char *text = json_object_get_userdata(obj);

				out->type = CMJ_NUMBER;
				number_text(text ? text : json_object_get_string(obj), arena, out);
				break;
			}
		case json_type_int:
			/* already canonical: digits, no exponent, no "-0" */
			out->type = CMJ_NUMBER;
			out->s = int_text(obj, arena, &out->len);
			break;
		case json_type_string:
			out->type = CMJ_STRING;
			out->s = json_object_get_string(obj);
			out->len = json_object_get_string_len(obj);
			break;
		case json_type_object:
			out->type = CMJ_OBJECT;
			break;
		case json_type_array:
			out->type = CMJ_ARRAY;
			break;
	}
}

/* ---------------------------------------------------------------- cmj_ops */

/* cmj_ops.get: member key of an object, CMJ_MISSING if absent. */
static void
jca_get(const cmj_ops *ops, const cmj_node *obj, const char *key, cmj_node *out)
{
	struct json_object *v;

	if (obj->type != CMJ_OBJECT ||
		!json_object_object_get_ex((struct json_object *) obj->ref, key, &v))
	{
		memset(out, 0, sizeof(*out));
		out->type = CMJ_MISSING;
		return;
	}
	node(v, ops->arg, out);
}

/* cmj_ops.size: length of an array. */
static int
jca_size(const cmj_ops *ops, const cmj_node *arr)
{
	if (arr->type != CMJ_ARRAY)
		return 0;
	return (int) json_object_array_length((struct json_object *) arr->ref);
}

/* cmj_ops.at: element i of an array. */
static void
jca_at(const cmj_ops *ops, const cmj_node *arr, int i, cmj_node *out)
{
	struct json_object *a = (struct json_object *) arr->ref;

	if (arr->type != CMJ_ARRAY || i < 0 || (size_t) i >= json_object_array_length(a))
	{
		memset(out, 0, sizeof(*out));
		out->type = CMJ_MISSING;
		return;
	}
	node(json_object_array_get_idx(a, (size_t) i), ops->arg, out);
}

/* cmj_ops.alloc: scratch memory for the normaliser. */
static void *
jca_alloc(const cmj_ops *ops, size_t size)
{
	return arena_alloc(ops->arg, size);
}

/* Set up ops to read json-c values, allocating from arena. */
void
jca_init(cmj_ops *ops, jca_arena *arena)
{
	arena->first = arena->cur = new_block(BLOCK_SIZE);
	ops->get = jca_get;
	ops->size = jca_size;
	ops->at = jca_at;
	ops->alloc = jca_alloc;
	ops->arg = arena;
}

/* The node of a parsed document's root value. */
void
jca_root(const cmj_ops *ops, struct json_object *obj, cmj_node *out)
{
	node(obj, ops->arg, out);
}
