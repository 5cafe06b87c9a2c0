/*
 * jsonb_access.c
 *    The cm_json.h interface over stored jsonb: the normaliser walks the
 *    binary jsonb containers directly, so a stored document is never
 *    re-parsed.
 *
 * The normaliser reads many keys of the same few objects (a result, its
 * coverage, cost and patient_responsibility), so the first lookup in an
 * object indexes all its keys in one pass and later lookups scan that
 * index; PostgreSQL's own lookup re-derives entry offsets on every probe.
 * Values are decoded straight from their JEntry, without a JsonbValue
 * allocation.  Numbers stay in their stored binary form: the normaliser
 * takes amounts, rates and counts from it directly (number_scaled), and
 * asks for the text, printed without a function call (jsonb_numeric.c)
 * into blocks of per-document memory, only for anything else.  The
 * indexes and blocks live in the per-document memory context (the current
 * one while a document is read) and are forgotten at every
 * costmodel_jsonb_root.
 */
#include "postgres.h"

#include "port/pg_bitutils.h"
#include "utils/builtins.h"

#include "jsonb_access.h"
#include "jsonb_numeric.h"

/* Most keys get_many takes in one pass, and the key lengths it groups. */
#define MANY_MAX_KEYS	16
#define MANY_MAX_LEN	32

/* Objects whose key index is kept at once (a result and its sub-objects). */
#define INDEX_SLOTS		8

/* One key of an indexed object, with where its value lies. */
typedef struct key_entry
{
	const char *key;
	uint32		klen;
	uint32		voff;			/* value offset from the data area */
	JEntry		ventry;
} key_entry;

/* The key index of one object container. */
typedef struct key_index
{
	const JsonbContainer *jc;
	uint32		nkeys;
	key_entry  *keys;
} key_index;

static key_index indexes[INDEX_SLOTS];
static int	next_slot;
static int	last_slot;			/* the object read last: most lookups stay there */

/* Room for number texts, carved from per-document blocks. */
#define TEXT_BLOCK		8000
#define NUMBER_ROOM		48
static char *room_next;
static size_t room_left;

/* The data area of a container, where offsets count from. */
static const char *
data_area(const JsonbContainer *jc)
{
	return (const char *) &jc->children[JsonContainerIsObject(jc) ?
										JsonContainerSize(jc) * 2 :
										JsonContainerSize(jc)];
}

/* Fill a node from the JEntry of a value at offset off of data area base. */
static void
entry_node(JEntry je, const char *base, uint32 off, uint32 len, cmj_node *out)
{
	memset(out, 0, sizeof(*out));
	if (JBE_ISSTRING(je))
	{
		out->type = CMJ_STRING;
		out->s = base + off;
		out->len = (int) len;
	}
	else if (JBE_ISNUMERIC(je))
	{
		/* printed only if the normaliser asks (jb_number_text) */
		out->type = CMJ_NUMBER;
		out->ref = base + INTALIGN(off);
	}
	else if (JBE_ISBOOL_TRUE(je) || JBE_ISBOOL_FALSE(je))
	{
		out->type = CMJ_BOOL;
		out->b = JBE_ISBOOL_TRUE(je);
	}
	else if (JBE_ISNULL(je))
		out->type = CMJ_NULL;
	else
	{
		const JsonbContainer *jc = (const JsonbContainer *) (base + INTALIGN(off));

		out->type = JsonContainerIsObject(jc) ? CMJ_OBJECT : CMJ_ARRAY;
		out->ref = jc;
	}
}

/* Index the keys of an object container in one pass over its entries. */
static key_index *
index_object(const JsonbContainer *jc)
{
	key_index  *ix = &indexes[next_slot];
	uint32		count = JsonContainerSize(jc);
	const char *base = data_area(jc);
	uint32		off = 0;

	next_slot = (next_slot + 1) % INDEX_SLOTS;
	ix->jc = jc;
	ix->nkeys = count;
	ix->keys = palloc(sizeof(key_entry) * (count ? count : 1));
	/* keys first, then values, each entry's end is the next one's start */
	for (uint32 i = 0; i < count; i++)
	{
		uint32		end = off;

		JBE_ADVANCE_OFFSET(end, jc->children[i]);
		ix->keys[i].key = base + off;
		ix->keys[i].klen = end - off;
		off = end;
	}
	for (uint32 i = 0; i < count; i++)
	{
		JEntry		je = jc->children[count + i];

		ix->keys[i].voff = off;
		ix->keys[i].ventry = je;
		JBE_ADVANCE_OFFSET(off, je);
	}
	return ix;
}

/* The key index of an object container, built on first use. */
static const key_index *
object_index(const JsonbContainer *jc)
{
	if (indexes[last_slot].jc == jc)
		return &indexes[last_slot];
	for (int i = 0; i < INDEX_SLOTS; i++)
		if (indexes[i].jc == jc)
		{
			last_slot = i;
			return &indexes[i];
		}
	last_slot = next_slot;
	return index_object(jc);
}

/*
 * Do the n bytes at a and b agree?  Inline, in words: the keys of a trace
 * are short.  A tail shorter than a word is compared as the last word (or
 * half-word) of the range, which overlaps bytes already compared.
 */
static inline bool
same_bytes(const char *a, const char *b, uint32 n)
{
	uint64		x,
				y;
	uint32		p,
				q;

	if (n >= 8)
	{
		for (; n > 8; a += 8, b += 8, n -= 8)
		{
			memcpy(&x, a, 8);
			memcpy(&y, b, 8);
			if (x != y)
				return false;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4)
	{
		memcpy(&p, a, 4);
		memcpy(&q, b, 4);
		if (p != q)
			return false;
		memcpy(&p, a + n - 4, 4);
		memcpy(&q, b + n - 4, 4);
		return p == q;
	}
	for (; n > 0; a++, b++, n--)
		if (*a != *b)
			return false;
	return true;
}

/* Look up key in an object container. */
static void
jb_get(const cmj_ops *ops, const cmj_node *obj, const char *key, cmj_node *out)
{
	const JsonbContainer *jc = obj->ref;
	const key_index *ix = object_index(jc);
	uint32		klen = (uint32) strlen(key);

	/* keys are sorted by length first, so stop at the first longer one */
	for (uint32 i = 0; i < ix->nkeys && ix->keys[i].klen <= klen; i++)
	{
		const key_entry *k = &ix->keys[i];

		if (k->klen == klen && same_bytes(k->key, key, klen))
		{
			uint32		end = k->voff;

			JBE_ADVANCE_OFFSET(end, k->ventry);
			entry_node(k->ventry, data_area(jc), k->voff, end - k->voff, out);
			return;
		}
	}
	memset(out, 0, sizeof(*out));
	out->type = CMJ_MISSING;
}

/*
 * The shape of the object a get_many call site read last: the object's key
 * entries and key bytes, and which wanted key each of its keys is.  The
 * call site is named by its key array, a static array of literals (see
 * cm_json.h).  Objects of one kind mostly have the same keys, so the next
 * object whose key entries and key bytes are the same byte for byte is read
 * without comparing a key: only its value offsets are walked.
 */
#define SHAPE_SLOTS		8
#define SHAPE_MAX_KEYS	16
#define SHAPE_MAX_BYTES	256

typedef struct key_shape
{
	const cmj_key *keys;		/* the call site; NULL for an unused slot */
	int			nkeys;
	uint32		count;			/* keys of the object */
	uint32		key_bytes;		/* bytes of its keys: where its values start */
	JEntry		entries[SHAPE_MAX_KEYS];
	char		bytes[SHAPE_MAX_BYTES];
	int8		wanted[SHAPE_MAX_KEYS];	/* object key i is keys[wanted[i]], or -1 */
} key_shape;

static key_shape shapes[SHAPE_SLOTS];
static int	next_shape;

/* The shape slot of call site keys: its own, else the next one to reuse. */
static key_shape *
shape_slot(const cmj_key *keys, int nkeys)
{
	key_shape  *s;

	for (int i = 0; i < SHAPE_SLOTS; i++)
		if (shapes[i].keys == keys && shapes[i].nkeys == nkeys)
			return &shapes[i];
	s = &shapes[next_shape];
	next_shape = (next_shape + 1) % SHAPE_SLOTS;
	s->keys = keys;
	s->nkeys = nkeys;
	s->count = UINT32_MAX;		/* matches no object until one is kept */
	return s;
}

/*
 * Does object jc (count keys) have the shape kept in s?  Equal key entries
 * mean equal key lengths, so the keys take s->key_bytes bytes then.
 */
static bool
shape_fits(const key_shape *s, const JsonbContainer *jc, uint32 count)
{
	return s->count == count &&
		same_bytes((const char *) s->entries, (const char *) jc->children,
				   count * sizeof(JEntry)) &&
		same_bytes(s->bytes, data_area(jc), s->key_bytes);
}

/*
 * Look up several keys of an object container.  An object of the shape
 * its call site read last is read through that shape.  Else one pass over
 * its entries: the wanted keys are grouped by length first, so each key of
 * the object is compared only with wanted keys of its own length; the
 * object's shape is kept for the next call when it is small enough.
 */
static void
jb_get_many(const cmj_ops *ops, const cmj_node *obj, const cmj_key *keys,
			int nkeys, cmj_node *out)
{
	const JsonbContainer *jc = obj->ref;
	uint32		count = JsonContainerSize(jc);
	const char *base = data_area(jc);
	uint16		bylen[MANY_MAX_LEN + 2];	/* wanted keys per length; last: longer */
	uint32		koff = 0,
				voff,
				key_bytes;
	int			left = nkeys;
	key_shape  *shape;

	if (nkeys > MANY_MAX_KEYS)
	{
		/* more than the normaliser ever asks for at once */
		for (int i = 0; i < nkeys; i++)
			jb_get(ops, obj, keys[i].name, &out[i]);
		return;
	}
	memset(out, 0, sizeof(*out) * nkeys);	/* all CMJ_MISSING */
	StaticAssertStmt(CMJ_MISSING == 0, "CMJ_MISSING must be 0");
	shape = shape_slot(keys, nkeys);
	if (shape_fits(shape, jc, count))
	{
		voff = shape->key_bytes;
		for (uint32 i = 0; i < count; i++)
		{
			JEntry		vje = jc->children[count + i];
			uint32		vend = voff;

			JBE_ADVANCE_OFFSET(vend, vje);
			if (shape->wanted[i] >= 0)
				entry_node(vje, base, voff, vend - voff, &out[shape->wanted[i]]);
			voff = vend;
		}
		return;
	}

	/* keep this object's shape, if it fits, as the pass finds it */
	key_bytes = count ? getJsonbOffset(jc, (int) count) : 0;
	if (count <= SHAPE_MAX_KEYS && key_bytes <= SHAPE_MAX_BYTES)
	{
		shape->count = count;
		shape->key_bytes = key_bytes;
		memcpy(shape->entries, jc->children, count * sizeof(JEntry));
		memcpy(shape->bytes, base, key_bytes);
		memset(shape->wanted, -1, sizeof(shape->wanted));
	}
	else
	{
		shape->count = UINT32_MAX;
		shape = NULL;
	}
	memset(bylen, 0, sizeof(bylen));
	for (int i = 0; i < nkeys; i++)
		bylen[Min(keys[i].len, MANY_MAX_LEN + 1)] |= (uint16) (1 << i);
	/* keys come first, then the values in the same order */
	voff = key_bytes;
	for (uint32 i = 0; i < count && left > 0; i++)
	{
		JEntry		vje = jc->children[count + i];
		uint32		kend = koff,
					vend = voff;
		uint32		klen;
		uint16		cand;

		JBE_ADVANCE_OFFSET(kend, jc->children[i]);
		JBE_ADVANCE_OFFSET(vend, vje);
		klen = kend - koff;
		for (cand = bylen[Min(klen, MANY_MAX_LEN + 1)]; cand; cand &= cand - 1)
		{
			int			j = pg_rightmost_one_pos32(cand);

			if ((uint32) keys[j].len == klen && same_bytes(base + koff, keys[j].name, klen))
			{
				entry_node(vje, base, voff, vend - voff, &out[j]);
				bylen[Min(klen, MANY_MAX_LEN + 1)] &= (uint16) ~(1 << j);
				if (shape)
					shape->wanted[i] = (int8) j;
				left--;
				break;
			}
		}
		koff = kend;
		voff = vend;
	}
}

/* Number of elements of an array container. */
static int
jb_size(const cmj_ops *ops, const cmj_node *arr)
{
	return (int) JsonContainerSize((const JsonbContainer *) arr->ref);
}

/* Element i of an array container. */
static void
jb_at(const cmj_ops *ops, const cmj_node *arr, int i, cmj_node *out)
{
	const JsonbContainer *jc = arr->ref;

	if (i < 0 || (uint32) i >= JsonContainerSize(jc))
	{
		memset(out, 0, sizeof(*out));
		out->type = CMJ_MISSING;
		return;
	}
	entry_node(jc->children[i], data_area(jc), getJsonbOffset(jc, i),
			   getJsonbLength(jc, i), out);
}

/* The text of a number node, as numeric_out prints it. */
static const char *
jb_number_text(const cmj_ops *ops, const cmj_node *num, int *len)
{
	char	   *room;
	const char *text;

	if (room_left < NUMBER_ROOM)
	{
		room_next = palloc(TEXT_BLOCK);
		room_left = TEXT_BLOCK;
	}
	room = room_next;
	text = costmodel_numeric_text((Numeric) num->ref, room, NUMBER_ROOM, len);
	if (text == room)
	{
		/* keep only what the text took */
		room_next += *len + 1;
		room_left -= (size_t) *len + 1;
	}
	return text;
}

/* A number node's value times 10^scale, when that is an integer. */
static bool
jb_number_scaled(const cmj_ops *ops, const cmj_node *num, int scale, int64_t *out)
{
	int64		v;

	if (!costmodel_numeric_scaled((Numeric) num->ref, scale, &v))
		return false;
	*out = v;
	return true;
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
	.arg = NULL,
	.get_many = jb_get_many,
	.number_text = jb_number_text,
	.number_scaled = jb_number_scaled
};

/*
 * The root value of a jsonb document as a node.  A new document: the key
 * indexes of the last one are forgotten (their memory went with it).
 */
void
costmodel_jsonb_root(Jsonb *jb, cmj_node *out)
{
	memset(indexes, 0, sizeof(indexes));
	next_slot = last_slot = 0;
	room_left = 0;
	memset(out, 0, sizeof(*out));
	if (JB_ROOT_IS_SCALAR(jb))
	{
		/* a raw scalar is stored as a one-element array */
		cmj_node	arr;

		arr.type = CMJ_ARRAY;
		arr.ref = &jb->root;
		jb_at(&costmodel_jsonb_ops, &arr, 0, out);
		return;
	}
	out->type = JB_ROOT_IS_OBJECT(jb) ? CMJ_OBJECT : CMJ_ARRAY;
	out->ref = &jb->root;
}
