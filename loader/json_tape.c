/*
 * json_tape.c
 *    The fast JSON reader of costmodel-load (see json_tape.h): a strict,
 *    allocation-free (per value) single pass that builds a tape of nodes,
 *    and the cm_json.h interface over that tape.
 *
 * Node i's subtree is nodes[i .. i + span); an object's members follow it
 * in order, each carrying its key, and an array keeps a vector of its
 * elements' offsets so that element access is O(1).  Strings without
 * escapes point into the line itself; decoded strings, array vectors,
 * canonical numbers and the normaliser's scratch memory come from an arena
 * that is reset after each document.  json-c needs a malloc per value and a
 * hash table per object; this reader needs neither, and also replaces the
 * separate validation pass for the lines it accepts.
 */
#include "json_tape.h"
#include "load.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE		(256 * 1024)
#define ALIGNMENT		16
/* A tape that grew past this many nodes is shrunk after its document. */
#define KEEP_NODES		(64 * 1024)

struct jt_node
{
	uint8_t		type;			/* cmj_type */
	uint8_t		b;				/* a boolean's value */
	uint32_t	span;			/* nodes in the subtree, this one included */
	uint32_t	len;			/* text bytes; elements of a container */
	uint32_t	klen;			/* key bytes, for a member of an object */
	const char *s;				/* text; an array's uint32_t offsets */
	const char *key;			/* key, for a member of an object */
};

struct jt_block
{
	jt_block   *next;
	size_t		size;
	size_t		used;
	_Alignas(ALIGNMENT) char data[];
};

/* ---------------------------------------------------------------- arena */

/* A new arena block holding at least size bytes. */
static jt_block *
new_block(size_t size)
{
	jt_block   *b;

	if (size < BLOCK_SIZE)
		size = BLOCK_SIZE;
	b = load_malloc(sizeof(jt_block) + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

/* Memory from the arena, valid until jt_reset(). */
static void *
arena_alloc(jt_reader *r, size_t size)
{
	jt_block   *b = r->cur;
	void	   *p;

	size = (size + ALIGNMENT - 1) & ~(size_t) (ALIGNMENT - 1);
	if (b->size - b->used < size)
	{
		b->next = new_block(size);
		b = r->cur = b->next;
	}
	p = b->data + b->used;
	b->used += size;
	return p;
}

/* ---------------------------------------------------------------- parsing */

/* Bytes that may stand in a string as they are: printable ASCII but " and \. */
static const bool plain_byte[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
	R16(0), R16(0),				/* 0x00-0x1f: control characters */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x20-0x2f, '"' is 0x22 */
	R16(1), R16(1),				/* 0x30-0x4f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,	/* 0x50-0x5f, '\\' is 0x5c */
	R16(1), R16(1),				/* 0x60-0x7f */
	R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
#undef R16
};

/* Skip JSON white space. */
static inline const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/*
 * Length of the valid UTF-8 sequence of two or more bytes at p, or 0:
 * no overlong forms, surrogates or code points above U+10FFFF.
 */
static inline int
utf8_multi(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80,
				hi = 0xBF;
	int			n;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;
	if (end - p < n || p[1] < lo || p[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

/* Value of the 4 hex digits at p, or -1. */
static inline int
hex4(const char *p)
{
	int			v = 0;

	for (int i = 0; i < 4; i++)
	{
		char		c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * Check the escape sequence at p (a backslash) and return its length in the
 * input, 0 if it is invalid or one jsonb refuses; *cp is the code point.
 */
static int
escape_at(const char *p, const char *end, int *cp)
{
	int			v,
				lo;

	if (end - p < 2)
		return 0;
	switch (p[1])
	{
		case '"':
		case '\\':
		case '/':
			*cp = p[1];
			return 2;
		case 'b':
			*cp = '\b';
			return 2;
		case 'f':
			*cp = '\f';
			return 2;
		case 'n':
			*cp = '\n';
			return 2;
		case 'r':
			*cp = '\r';
			return 2;
		case 't':
			*cp = '\t';
			return 2;
		case 'u':
			if (end - p < 6 || (v = hex4(p + 2)) <= 0)
				return 0;		/* malformed, or \u0000 */
			if (v >= 0xDC00 && v <= 0xDFFF)
				return 0;		/* a low surrogate first */
			if (v < 0xD800 || v > 0xDBFF)
			{
				*cp = v;
				return 6;
			}
			if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
				(lo = hex4(p + 8)) < 0xDC00 || lo > 0xDFFF)
				return 0;
			*cp = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
			return 12;
		default:
			return 0;
	}
}

/* Write code point cp as UTF-8 at out; returns the bytes written. */
static inline int
put_utf8(char *out, int cp)
{
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (char) (0xE0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Read the string whose opening quote is at p[-1].  Sets *out and *outlen to
 * its unescaped text and returns the position after the closing quote, or
 * NULL if the string is not acceptable.
 */
static const char *
read_string(jt_reader *r, const char *p, const char *end, const char **out,
			uint32_t *outlen)
{
	const char *start = p;
	bool		escaped = false;
	char	   *buf,
			   *w;
	int			cp;

	/* validate and find the end */
	for (;;)
	{
		unsigned char c;

		while (p < end && plain_byte[(unsigned char) *p])
			p++;
		if (p >= end)
			return NULL;
		c = (unsigned char) *p;
		if (c == '"')
			break;
		if (c == '\\')
		{
			int			n = escape_at(p, end, &cp);

			if (n == 0)
				return NULL;
			escaped = true;
			p += n;
		}
		else if (c >= 0x80)
		{
			int			n = utf8_multi((const unsigned char *) p, (const unsigned char *) end);

			if (n == 0)
				return NULL;
			p += n;
		}
		else
			return NULL;		/* a control character */
	}
	if ((size_t) (p - start) > UINT32_MAX / 2)
		return NULL;
	if (!escaped)
	{
		*out = start;
		*outlen = (uint32_t) (p - start);
		return p + 1;
	}

	/* decode: never longer than the escaped text */
	buf = w = arena_alloc(r, (size_t) (p - start) + 1);
	for (const char *q = start; q < p;)
	{
		if (*q != '\\')
			*w++ = *q++;
		else
		{
			q += escape_at(q, p, &cp);
			w += put_utf8(w, cp);
		}
	}
	*out = buf;
	*outlen = (uint32_t) (w - buf);
	return p + 1;
}

/* The end of the JSON number at p, or NULL if there is none. */
static const char *
read_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (p < end && *p == '.')
	{
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

/* Append a node; returns its index. */
static inline uint32_t
add_node(jt_reader *r)
{
	if (r->nnodes == r->cap)
	{
		if (r->cap >= UINT32_MAX / 2)
			load_oom();
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->nodes = load_realloc(r->nodes, (size_t) r->cap * sizeof(jt_node));
	}
	return r->nnodes++;
}

/* Close container i: its span, element count and, for an array, its index. */
static void
close_container(jt_reader *r, uint32_t i)
{
	jt_node    *n = &r->nodes[i];
	uint32_t	count = 0;

	n->span = r->nnodes - i;
	for (uint32_t c = i + 1; c < r->nnodes; c += r->nodes[c].span)
		count++;
	n->len = count;
	if (n->type == CMJ_ARRAY && count > 0)
	{
		uint32_t   *idx = arena_alloc(r, count * sizeof(uint32_t));
		uint32_t	k = 0;

		for (uint32_t c = i + 1; c < r->nnodes; c += r->nodes[c].span)
			idx[k++] = c - i;
		n->s = (const char *) idx;
	}
}

/* Does the literal word (true, false, null) stand at p? */
static inline bool
word_at(const char *p, const char *end, const char *word, size_t len)
{
	return (size_t) (end - p) >= len && memcmp(p, word, len) == 0;
}

/*
 * Parse the document s[0..len) onto the tape and describe its root in
 * *root.  False if the line is not acceptable here (see json_tape.h); the
 * tape is then meaningless.
 */
bool
jt_parse(jt_reader *r, const char *s, size_t len, cmj_node *root)
{
	const char *p = s,
			   *end = s + len;
	uint32_t	stack[JT_MAX_DEPTH];
	int			depth = 0;
	const char *key = NULL;
	uint32_t	klen = 0;
	uint32_t	i;
	jt_node    *n;

	r->nnodes = 0;

value:
	p = skip_ws(p, end);
	if (p >= end)
		return false;
	i = add_node(r);
	n = &r->nodes[i];
	n->span = 1;
	n->b = 0;
	n->len = 0;
	n->s = NULL;
	n->key = key;
	n->klen = klen;
	switch (*p)
	{
		case '"':
			n->type = CMJ_STRING;
			p = read_string(r, p + 1, end, &n->s, &n->len);
			if (p == NULL)
				return false;
			break;
		case '{':
		case '[':
			if (depth == JT_MAX_DEPTH)
				return false;
			n->type = *p == '{' ? CMJ_OBJECT : CMJ_ARRAY;
			stack[depth++] = i;
			p = skip_ws(p + 1, end);
			if (p < end && *p == (n->type == CMJ_OBJECT ? '}' : ']'))
			{
				p++;
				close_container(r, stack[--depth]);
				goto after;
			}
			if (n->type == CMJ_OBJECT)
				goto member;
			key = NULL;
			klen = 0;
			goto value;
		case 't':
			if (!word_at(p, end, "true", 4))
				return false;
			n->type = CMJ_BOOL;
			n->b = 1;
			p += 4;
			break;
		case 'f':
			if (!word_at(p, end, "false", 5))
				return false;
			n->type = CMJ_BOOL;
			p += 5;
			break;
		case 'n':
			if (!word_at(p, end, "null", 4))
				return false;
			n->type = CMJ_NULL;
			p += 4;
			break;
		default:
			{
				const char *q = read_number(p, end);

				if (q == NULL)
					return false;
				n->type = CMJ_NUMBER;
				n->s = p;
				n->len = (uint32_t) (q - p);
				p = q;
				break;
			}
	}

after:
	/* a value ended: a separator, a closing bracket or the end must follow */
	p = skip_ws(p, end);
	if (depth == 0)
	{
		if (p != end)
			return false;
		memset(root, 0, sizeof(*root));
		root->type = (cmj_type) r->nodes[0].type;
		root->ref = &r->nodes[0];
		if (root->type == CMJ_BOOL)
			root->b = r->nodes[0].b;
		else if (root->type == CMJ_STRING || root->type == CMJ_NUMBER)
		{
			/* a bare scalar: the normaliser only needs to see it is no object */
			root->s = r->nodes[0].s;
			root->len = (int) r->nodes[0].len;
		}
		return true;
	}
	if (p >= end)
		return false;
	i = stack[depth - 1];
	if (*p == ',')
	{
		p++;
		if (r->nodes[i].type == CMJ_OBJECT)
			goto member;
		key = NULL;
		klen = 0;
		goto value;
	}
	if (*p == (r->nodes[i].type == CMJ_OBJECT ? '}' : ']'))
	{
		p++;
		close_container(r, stack[--depth]);
		goto after;
	}
	return false;

member:
	/* "key" : value */
	p = skip_ws(p, end);
	if (p >= end || *p != '"')
		return false;
	p = read_string(r, p + 1, end, &key, &klen);
	if (p == NULL)
		return false;
	p = skip_ws(p, end);
	if (p >= end || *p != ':')
		return false;
	p++;
	goto value;
}

/* ---------------------------------------------------------------- cmj_ops */

/* Describe tape node t (NULL: absent) as a cmj_node. */
static void
describe(jt_reader *r, const jt_node *t, cmj_node *out)
{
	memset(out, 0, sizeof(*out));
	if (t == NULL)
	{
		out->type = CMJ_MISSING;
		return;
	}
	out->type = (cmj_type) t->type;
	out->ref = t;
	switch (t->type)
	{
		case CMJ_BOOL:
			out->b = t->b;
			break;
		case CMJ_STRING:
			out->s = t->s;
			out->len = (int) t->len;
			break;
		case CMJ_NUMBER:
			{
				/* the text numeric would print, as jsonc_access.c gives it */
				bool		same;
				int			n = cmj_canonical_number(t->s, (int) t->len, NULL, &same);

				if (n < 0 || same)
				{
					out->s = t->s;
					out->len = (int) t->len;
				}
				else
				{
					char	   *buf = arena_alloc(r, (size_t) n + 1);

					out->len = cmj_canonical_number(t->s, (int) t->len, buf, &same);
					out->s = buf;
				}
				break;
			}
		default:
			break;
	}
}

/* cmj_ops.get: member key of an object (the last one of that name). */
static void
jt_get(const cmj_ops *ops, const cmj_node *obj, const char *key, cmj_node *out)
{
	const jt_node *o = obj->ref;
	const jt_node *found = NULL;
	size_t		klen;

	if (obj->type != CMJ_OBJECT)
	{
		describe(ops->arg, NULL, out);
		return;
	}
	klen = strlen(key);
	for (const jt_node *c = o + 1, *end = o + o->span; c < end; c += c->span)
		if (c->klen == klen && memcmp(c->key, key, klen) == 0)
			found = c;
	describe(ops->arg, found, out);
}

/* cmj_ops.size: elements of an array. */
static int
jt_size(const cmj_ops *ops, const cmj_node *arr)
{
	if (arr->type != CMJ_ARRAY)
		return 0;
	return (int) ((const jt_node *) arr->ref)->len;
}

/* cmj_ops.at: element i of an array. */
static void
jt_at(const cmj_ops *ops, const cmj_node *arr, int i, cmj_node *out)
{
	const jt_node *a = arr->ref;

	if (arr->type != CMJ_ARRAY || i < 0 || (uint32_t) i >= a->len)
	{
		describe(ops->arg, NULL, out);
		return;
	}
	describe(ops->arg, a + ((const uint32_t *) a->s)[i], out);
}

/* cmj_ops.alloc: scratch memory until the document is done. */
static void *
jt_alloc(const cmj_ops *ops, size_t size)
{
	return arena_alloc(ops->arg, size);
}

/* Set up reader r and ops to read its tapes. */
void
jt_init(jt_reader *r, cmj_ops *ops)
{
	memset(r, 0, sizeof(*r));
	r->first = r->cur = new_block(BLOCK_SIZE);
	ops->get = jt_get;
	ops->size = jt_size;
	ops->at = jt_at;
	ops->alloc = jt_alloc;
	ops->arg = r;
}

/* Forget the document: reset the arena, shrink a tape that grew large. */
void
jt_reset(jt_reader *r)
{
	jt_block   *b = r->first->next;

	while (b)
	{
		jt_block   *next = b->next;

		free(b);
		b = next;
	}
	r->first->next = NULL;
	r->first->used = 0;
	r->cur = r->first;
	if (r->cap > KEEP_NODES)
	{
		free(r->nodes);
		r->nodes = NULL;
		r->cap = 0;
	}
	r->nnodes = 0;
}

/* Free the reader's memory. */
void
jt_free(jt_reader *r)
{
	jt_reset(r);
	free(r->first);
	free(r->nodes);
	memset(r, 0, sizeof(*r));
}
