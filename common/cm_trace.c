/*
 * cm_trace.c
 *    The trace normaliser: reads one cost-estimator trace through the
 *    cm_json.h interface and emits the rows of fact_request, fact_response,
 *    fact_exception, trace_problem and (last) fact_trace.
 *
 * Every tolerance rule of docs/trace-format.md lives here, once.  A value
 * that cannot be read becomes NULL and is listed as a problem, never a silent
 * zero; a value that was read but not written in canonical form is listed
 * too.  A document is rejected only when it is not an object, has no usable
 * trace_id, or has no usable request.services; the checks for those run
 * before any row is emitted.
 */
#include "cm_trace.h"
#include "cm_trace_cols.h"

#include <stdio.h>
#include <string.h>

/* Most line x provider rows (or results) one trace may carry. */
#define MAX_ROWS		5000
/* Most bytes of a raw value quoted in a problem row. */
#define MAX_RAW			200
#define MAX_DEPTH		8

/* One segment of the JSON path of the value being read. */
typedef struct path_seg
{
	const char *key;			/* NULL for an array index */
	int			index;
} path_seg;

/* A (line_id, provider_id) key, for duplicate checks. */
typedef struct row_key
{
	int32_t		line_id;
	int			len;
	const char *provider;
} row_key;

/* The state of normalising one document. */
typedef struct norm
{
	const cmj_ops *ops;
	cm_sink    *sink;
	cm_cell		trace_id;
	path_seg	path[MAX_DEPTH];
	int			depth;
	int			problems;
	int			exceptions;
	row_key    *keys;			/* request keys, then reused for results */
	int			nkeys;
	int			keys_cap;
	row_key		first_keys[16]; /* keys until a trace has more rows */
} norm;

/* ---------------------------------------------------------------- paths */

/* Enter an object key. */
static void
push_key(norm *n, const char *key)
{
	if (n->depth < MAX_DEPTH)
		n->path[n->depth] = (path_seg) {key, 0};
	n->depth++;
}

/* Enter an array element. */
static void
push_index(norm *n, int i)
{
	if (n->depth < MAX_DEPTH)
		n->path[n->depth] = (path_seg) {NULL, i};
	n->depth++;
}

/* Leave the innermost segment. */
static void
pop(norm *n)
{
	n->depth--;
}

/* Write the current path, plus an optional last key, into buf. */
static int
format_path(const norm *n, const char *last, char *buf, size_t size)
{
	size_t		len = 0;
	int			depth = n->depth < MAX_DEPTH ? n->depth : MAX_DEPTH;

	buf[0] = '\0';
	for (int i = 0; i <= depth && len < size; i++)
	{
		const char *key = (i < depth) ? n->path[i].key : last;
		int			w;

		if (i == depth && last == NULL)
			break;
		if (key)
			w = snprintf(buf + len, size - len, "%s%s", len ? "." : "", key);
		else
			w = snprintf(buf + len, size - len, "[%d]", n->path[i].index);
		if (w < 0)
			break;
		len += (size_t) w;
	}
	return len < size ? (int) len : (int) size - 1;
}

/* ------------------------------------------------------------- problems */

/* Length of s cut to at most max bytes without splitting a UTF-8 character. */
static int
utf8_cut(const char *s, int len, int max)
{
	if (len <= max)
		return len;
	while (max > 0 && (((unsigned char) s[max]) & 0xC0) == 0x80)
		max--;
	return max;
}

/* A node with its text: a number's text may be given only on request. */
static cmj_node
with_text(norm *n, const cmj_node *v)
{
	cmj_node	t = *v;

	if (t.type == CMJ_NUMBER && t.s == NULL)
		t.s = n->ops->number_text(n->ops, v, &t.len);
	return t;
}

/* Record that the value at key (below the current path) was nulled or normalised. */
static void
problem(norm *n, const char *key, const char *reason, const cmj_node *v)
{
	cm_cell		c[PB_NCOLS];
	char	   *path;
	int			plen;
	cmj_node	t;

	n->problems++;
	if (!(n->sink->want & CM_WANT(CMT_PROBLEM)))
		return;
	if (v)
	{
		t = with_text(n, v);
		v = &t;
	}
	path = n->ops->alloc(n->ops, 160);
	plen = format_path(n, key, path, 160);
	memset(c, 0, sizeof(c));
	c[PB_TRACE_ID] = n->trace_id;
	c[PB_PATH] = (cm_cell) {false, plen, path, 0};
	c[PB_REASON] = (cm_cell) {false, (int) strlen(reason), reason, 0};
	switch (v ? v->type : CMJ_MISSING)
	{
		case CMJ_STRING:
		case CMJ_NUMBER:
			{
				/* quoted up to a NUL, which PostgreSQL text cannot hold */
				const char *nul = memchr(v->s, '\0', (size_t) v->len);
				int			len = nul ? (int) (nul - v->s) : v->len;

				c[PB_RAW_VALUE] = (cm_cell) {false, utf8_cut(v->s, len, MAX_RAW), v->s, 0};
				break;
			}
		case CMJ_BOOL:
			c[PB_RAW_VALUE] = (cm_cell) {false, v->b ? 4 : 5, v->b ? "true" : "false", 0};
			break;
		case CMJ_NULL:
			c[PB_RAW_VALUE] = (cm_cell) {false, 4, "null", 0};
			break;
		case CMJ_OBJECT:
			c[PB_RAW_VALUE] = (cm_cell) {false, 5, "{...}", 0};
			break;
		case CMJ_ARRAY:
			c[PB_RAW_VALUE] = (cm_cell) {false, 5, "[...]", 0};
			break;
		case CMJ_MISSING:
			c[PB_RAW_VALUE].isnull = true;
			break;
	}
	n->sink->row(n->sink, CMT_PROBLEM, c);
}

/* --------------------------------------------------------- JSON access */

/* Value of key in obj; CMJ_MISSING when obj is not an object or lacks it. */
static cmj_node
get(norm *n, const cmj_node *obj, const char *key)
{
	cmj_node	out;

	memset(&out, 0, sizeof(out));
	out.type = CMJ_MISSING;
	if (obj && obj->type == CMJ_OBJECT)
		n->ops->get(n->ops, obj, key, &out);
	return out;
}

/*
 * Values of several keys of obj at once, out[i] for keys[i]: one pass over
 * the object where the implementation offers it (get_many), else one
 * lookup per key.  All CMJ_MISSING when obj is not an object.
 */
static void
get_fields(norm *n, const cmj_node *obj, const cmj_key *keys, int nkeys,
		   cmj_node *out)
{
	if (obj->type != CMJ_OBJECT)
	{
		memset(out, 0, sizeof(*out) * (size_t) nkeys);
		for (int i = 0; i < nkeys; i++)
			out[i].type = CMJ_MISSING;
	}
	else if (n->ops->get_many)
		n->ops->get_many(n->ops, obj, keys, nkeys, out);
	else
		for (int i = 0; i < nkeys; i++)
			n->ops->get(n->ops, obj, keys[i].name, &out[i]);
}

/*
 * Number of elements of a value expected to be an array.  An object or a
 * string stands for a one-element array (noted as a problem); null or
 * missing is empty.
 */
static int
list_size(norm *n, const char *key, const cmj_node *v)
{
	switch (v->type)
	{
		case CMJ_ARRAY:
			return n->ops->size(n->ops, v);
		case CMJ_OBJECT:
		case CMJ_STRING:
			problem(n, key, "single value where an array was expected", v);
			return 1;
		case CMJ_MISSING:
		case CMJ_NULL:
			return 0;
		default:
			problem(n, key, "not an array; ignored", v);
			return 0;
	}
}

/* Element i of a value sized by list_size. */
static cmj_node
list_at(norm *n, const cmj_node *v, int i)
{
	cmj_node	out;

	if (v->type != CMJ_ARRAY)
		return *v;
	n->ops->at(n->ops, v, i, &out);
	return out;
}

/* Value v (under key) as an object, or MISSING (noted) when it is something else. */
static cmj_node
object_of(norm *n, const char *key, cmj_node v)
{
	if (v.type == CMJ_OBJECT || v.type == CMJ_MISSING || v.type == CMJ_NULL)
		return v;
	problem(n, key, "not an object; ignored", &v);
	v.type = CMJ_MISSING;
	return v;
}

/* The object under key, or MISSING (noted) when it is something else. */
static cmj_node
get_object(norm *n, const cmj_node *obj, const char *key)
{
	return object_of(n, key, get(n, obj, key));
}

/* ---------------------------------------------------------------- cells */

/* A NULL cell. */
static cm_cell
null_cell(void)
{
	cm_cell		c;

	memset(&c, 0, sizeof(c));
	c.isnull = true;
	return c;
}

/* A text cell over a constant or stored string. */
static cm_cell
text_cell(const char *s, int len)
{
	cm_cell		c = null_cell();

	c.isnull = false;
	c.s = s;
	c.len = len;
	return c;
}

/* An integer-valued cell (INT, BOOL, MONEY, RATE, TS, DATE). */
static cm_cell
int_cell(int64_t i)
{
	cm_cell		c = null_cell();

	c.isnull = false;
	c.i = i;
	return c;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * A text value.  Strings are trimmed; numbers and booleans are taken as their
 * text (noted, since codes must be strings); empty strings, containers and
 * strings holding a NUL character become NULL (noted).
 */
static cm_cell
text_of(norm *n, const char *key, const cmj_node *v)
{
	const char *s;
	int			len;

	switch (v->type)
	{
		case CMJ_MISSING:
		case CMJ_NULL:
			return null_cell();
		case CMJ_NUMBER:
			{
				cmj_node	t = with_text(n, v);

				problem(n, key, "number given where text was expected", &t);
				return text_cell(t.s, t.len);
			}
		case CMJ_BOOL:
			problem(n, key, "boolean given where text was expected", v);
			return v->b ? text_cell("true", 4) : text_cell("false", 5);
		case CMJ_OBJECT:
		case CMJ_ARRAY:
			problem(n, key, "container given where text was expected; nulled", v);
			return null_cell();
		case CMJ_STRING:
			break;
	}
	s = v->s;
	len = v->len;
	if (memchr(s, '\0', (size_t) len) != NULL)
	{
		problem(n, key, "text holds a NUL character; nulled", NULL);
		return null_cell();
	}
	while (len > 0 && is_ws(*s))
		s++, len--;
	while (len > 0 && is_ws(s[len - 1]))
		len--;
	if (len == 0)
	{
		problem(n, key, "empty text; nulled", v);
		return null_cell();
	}
	if (len != v->len)
		problem(n, key, "surrounding white space removed", v);
	return text_cell(s, len);
}

/* The text value under key of obj. */
static cm_cell
text_at(norm *n, const cmj_node *obj, const char *key)
{
	cmj_node	v = get(n, obj, key);

	return text_of(n, key, &v);
}

/* Report the outcome of a value parser and build the cell. */
static cm_cell
typed_result(norm *n, const char *key, const cmj_node *v, cmv_status st,
			 int64_t value, const char *why, const char *as_text_reason)
{
	if (st != CMV_OK)
	{
		problem(n, key, why ? why : "not readable; nulled", v);
		return null_cell();
	}
	if (why)
		problem(n, key, why, v);
	else if (as_text_reason)
		problem(n, key, as_text_reason, v);
	return int_cell(value);
}

/* The note for a boolean where a value of another kind was expected. */
static const char *
bool_misplaced(cm_kind kind)
{
	switch (kind)
	{
		case CMK_MONEY:
			return "boolean given where an amount was expected; nulled";
		case CMK_RATE:
			return "boolean given where a rate was expected; nulled";
		case CMK_TS:
			return "boolean given where a timestamp was expected; nulled";
		case CMK_DATE:
			return "boolean given where a date was expected; nulled";
		default:
			return "boolean given where a number was expected; nulled";
	}
}

/*
 * A JSON number that the access implementation can give exactly as a
 * scaled integer, when the value parsers would read it as it is: the common
 * case of an amount, rate or count, without printing the number for the
 * parser to read back.  Anything else (rounding, percentages, epoch
 * timestamps, out of range) goes through the parsers.
 */
static bool
exact_number(norm *n, const cmj_node *v, cm_kind kind, int64_t *value)
{
	if (n->ops->number_scaled == NULL)
		return false;
	switch (kind)
	{
		case CMK_MONEY:
			return n->ops->number_scaled(n->ops, v, 2, value) && cmv_money_exact(*value);
		case CMK_RATE:
			return n->ops->number_scaled(n->ops, v, 4, value) && cmv_rate_exact(*value);
		case CMK_INT:
			return n->ops->number_scaled(n->ops, v, 0, value) && cmv_int32_exact(*value);
		default:
			return false;
	}
}

/*
 * A typed value (money, rate, boolean, integer, timestamp or date) read
 * with the shared value parsers.  JSON null or missing is NULL without a
 * note; a container is NULL and noted; text where a JSON number or boolean
 * belongs is read and noted; an unreadable value is NULL and noted.
 */
static cm_cell
value_of(norm *n, const char *key, const cmj_node *v, cm_kind kind)
{
	int64_t		value = 0;
	const char *why = NULL;
	const char *as_text = NULL;
	bool		text = (v->type == CMJ_STRING);
	cmv_status	st = CMV_INVALID;
	cmj_node	t;

	if (v->type == CMJ_MISSING || v->type == CMJ_NULL)
		return null_cell();
	if (v->type == CMJ_NUMBER && exact_number(n, v, kind, &value))
	{
		cm_cell		c = int_cell(value);

		if (kind == CMK_MONEY || kind == CMK_RATE)
			c.num = v->ref;
		return c;
	}
	if (v->type == CMJ_OBJECT || v->type == CMJ_ARRAY)
	{
		problem(n, key, "container given where a value was expected; nulled", v);
		return null_cell();
	}
	if (v->type == CMJ_BOOL)
	{
		if (kind == CMK_BOOL)
			return int_cell(v->b);
		problem(n, key, bool_misplaced(kind), v);
		return null_cell();
	}
	t = with_text(n, v);
	v = &t;
	switch (kind)
	{
		case CMK_MONEY:
			st = cmv_money(v->s, (size_t) v->len, false, &value, &why);
			as_text = text ? "amount given as text" : NULL;
			break;
		case CMK_RATE:
			{
				int32_t		bp4 = 0;

				st = cmv_rate(v->s, (size_t) v->len, &bp4, &why);
				value = bp4;
				as_text = text ? "rate given as text" : NULL;
				break;
			}
		case CMK_BOOL:
			{
				bool		b = false;

				st = cmv_bool(v->s, (size_t) v->len, &b, &why);
				value = b;
				as_text = text ? "boolean given as text" : "boolean given as a number";
				break;
			}
		case CMK_INT:
			{
				int32_t		i = 0;

				st = cmv_int32(v->s, (size_t) v->len, &i, &why);
				value = i;
				as_text = text ? "number given as text" : NULL;
				break;
			}
		case CMK_TS:
			st = cmv_timestamp(v->s, (size_t) v->len, !text, &value, &why);
			break;
		case CMK_DATE:
			{
				cmv_days	d = 0;

				st = cmv_date(v->s, (size_t) v->len, !text, &d, &why);
				value = d;
				break;
			}
		case CMK_TEXT:
			break;
	}
	return typed_result(n, key, v, st, value, why, as_text);
}

/* The typed value under key of obj. */
static cm_cell
value_at(norm *n, const cmj_node *obj, const char *key, cm_kind kind)
{
	cmj_node	v = get(n, obj, key);

	return value_of(n, key, &v, kind);
}

#define money_at(n, obj, key)	value_at((n), (obj), (key), CMK_MONEY)
#define rate_at(n, obj, key)	value_at((n), (obj), (key), CMK_RATE)
#define bool_at(n, obj, key)	value_at((n), (obj), (key), CMK_BOOL)
#define int_at(n, obj, key)		value_at((n), (obj), (key), CMK_INT)
#define ts_at(n, obj, key)		value_at((n), (obj), (key), CMK_TS)
#define date_at(n, obj, key)	value_at((n), (obj), (key), CMK_DATE)

/*
 * A CMS place-of-service code: text, with a number zero-padded to two
 * digits ("2" and 2 both give "02").
 */
static cm_cell
pos_of(norm *n, const char *key, const cmj_node *v)
{
	cm_cell		c = text_of(n, key, v);

	if (!c.isnull && c.len == 1 && c.s[0] >= '0' && c.s[0] <= '9')
	{
		char	   *buf = n->ops->alloc(n->ops, 2);

		buf[0] = '0';
		buf[1] = c.s[0];
		if (v->type == CMJ_STRING)
			problem(n, key, "place-of-service code zero-padded to two digits", v);
		return text_cell(buf, 2);
	}
	return c;
}

/* The place-of-service code under key of obj. */
static cm_cell
pos_at(norm *n, const cmj_node *obj, const char *key)
{
	cmj_node	v = get(n, obj, key);

	return pos_of(n, key, &v);
}

/*
 * A list of codes (modifiers, diagnosis codes) as one comma-separated text;
 * an empty list is NULL.
 */
static cm_cell
code_list_at(norm *n, const cmj_node *obj, const char *key)
{
	cmj_node	v = get(n, obj, key);
	int			count;
	size_t		total = 0;
	cm_cell    *parts;
	char	   *buf;
	size_t		len = 0;
	int			used = 0;

	if (v.type == CMJ_STRING || v.type == CMJ_NUMBER)
	{
		/* a single code where a list belongs */
		problem(n, key, "single value where an array was expected", &v);
		return text_of(n, key, &v);
	}
	count = list_size(n, key, &v);
	if (count == 0)
		return null_cell();
	if (count > MAX_ROWS)
		count = MAX_ROWS;
	parts = n->ops->alloc(n->ops, sizeof(cm_cell) * (size_t) count);
	push_key(n, key);
	for (int i = 0; i < count; i++)
	{
		cmj_node	e = list_at(n, &v, i);

		push_index(n, i);
		parts[i] = text_of(n, NULL, &e);
		pop(n);
		if (!parts[i].isnull)
			total += (size_t) parts[i].len + 1;
	}
	pop(n);
	if (total == 0)
		return null_cell();
	buf = n->ops->alloc(n->ops, total);
	for (int i = 0; i < count; i++)
	{
		if (parts[i].isnull)
			continue;
		if (used++)
			buf[len++] = ',';
		memcpy(buf + len, parts[i].s, (size_t) parts[i].len);
		len += (size_t) parts[i].len;
	}
	return text_cell(buf, (int) len);
}

/* A text cell seen as a JSON string node, to quote it in a problem row. */
static const cmj_node *
cell_node(const cm_cell *c, cmj_node *node)
{
	memset(node, 0, sizeof(*node));
	node->type = CMJ_STRING;
	node->s = c->s;
	node->len = c->len;
	return node;
}

/* Does the cell hold exactly the given text? */
static bool
cell_is(const cm_cell *c, const char *s)
{
	return !c->isnull && (size_t) c->len == strlen(s) && memcmp(c->s, s, (size_t) c->len) == 0;
}

static const cmj_node *cell_node(const cm_cell *c, cmj_node *node);

/*
 * Is (line_id, provider) new among keys[0..nkeys)?  Adds it if so.  A
 * duplicate, or a key past MAX_ROWS, is noted and not new.
 */
static bool
new_key(norm *n, int32_t line_id, const cm_cell *provider)
{
	for (int i = 0; i < n->nkeys; i++)
		if (n->keys[i].line_id == line_id && n->keys[i].len == provider->len &&
			memcmp(n->keys[i].provider, provider->s, (size_t) provider->len) == 0)
		{
			cmj_node	raw;

			problem(n, "provider_id", "duplicate line and provider; first kept",
					cell_node(provider, &raw));
			return false;
		}
	if (n->nkeys >= MAX_ROWS)
	{
		problem(n, NULL, "more than 5000 line and provider rows; rest dropped", NULL);
		return false;
	}
	if (n->nkeys == n->keys_cap)
	{
		/* grow by doubling: most traces have a handful of rows */
		int			cap = n->keys_cap * 2 < MAX_ROWS ? n->keys_cap * 2 : MAX_ROWS;
		row_key    *keys = n->ops->alloc(n->ops, sizeof(row_key) * (size_t) cap);

		memcpy(keys, n->keys, sizeof(row_key) * (size_t) n->nkeys);
		n->keys = keys;
		n->keys_cap = cap;
	}
	n->keys[n->nkeys++] = (row_key) {line_id, provider->len, provider->s};
	return true;
}

/* Emit a row if the sink wants its table. */
static void
emit(norm *n, cm_table t, const cm_cell *cells)
{
	if (n->sink->want & CM_WANT(t))
		n->sink->row(n->sink, t, cells);
}

/* ----------------------------------------------------------- exceptions */

/* The exception's severity v in lower case (noted when that changed it). */
static cm_cell
severity_of(norm *n, const cmj_node *v)
{
	cm_cell		c = text_of(n, "severity", v);
	char	   *buf;
	int			i = 0;

	if (c.isnull)
		return c;
	/* most severities are written in lower case already: no copy then */
	while (i < c.len && !(c.s[i] >= 'A' && c.s[i] <= 'Z'))
		i++;
	if (i == c.len)
		return c;
	buf = n->ops->alloc(n->ops, (size_t) c.len);
	memcpy(buf, c.s, (size_t) i);
	for (; i < c.len; i++)
		buf[i] = (c.s[i] >= 'A' && c.s[i] <= 'Z') ? (char) (c.s[i] + 32) : c.s[i];
	problem(n, "severity", "severity spelling normalised", v);
	return text_cell(buf, c.len);
}

/* What one exception contributes to its result row. */
typedef struct exc_summary
{
	int			count;
	bool		have_error;
	cm_cell		type;
	cm_cell		code;
} exc_summary;

/* The keys of an exception object, in the order they are read. */
enum
{
	EK_TYPE,
	EK_CODE,
	EK_SEVERITY,
	EK_MESSAGE,
	EK_SOURCE,
	EK_NKEYS
};
static const cmj_key exception_keys[EK_NKEYS] = {
	[EK_TYPE] = CMJ_KEY("type"),
	[EK_CODE] = CMJ_KEY("code"),
	[EK_SEVERITY] = CMJ_KEY("severity"),
	[EK_MESSAGE] = CMJ_KEY("message"),
	[EK_SOURCE] = CMJ_KEY("source"),
};

/*
 * Emit the rows of the exceptions[] / errors[] list that is the value list
 * (under key).  line_id, provider_id and service_code are NULL cells for
 * request-level errors.
 */
static void
exceptions(norm *n, const char *key, cmj_node list, const char *level,
		   cm_cell line_id, cm_cell provider_id, cm_cell service_code,
		   exc_summary *sum)
{
	int			count = list_size(n, key, &list);

	if (count > MAX_ROWS)
	{
		problem(n, key, "more than 5000 exceptions; rest dropped", NULL);
		count = MAX_ROWS;
	}
	push_key(n, key);
	for (int i = 0; i < count; i++)
	{
		cmj_node	e = list_at(n, &list, i);
		cm_cell		c[EX_NCOLS];
		cm_cell		raw;
		cmj_node	rawnode;
		const char *canon = NULL;
		const char *type_key = "type";
		bool		is_error;

		push_index(n, i);
		c[EX_TRACE_ID] = n->trace_id;
		c[EX_LEVEL] = text_cell(level, (int) strlen(level));
		c[EX_LINE_ID] = line_id;
		c[EX_PROVIDER_ID] = provider_id;
		c[EX_SERVICE_CODE] = service_code;
		if (e.type == CMJ_STRING)
		{
			problem(n, NULL, "exception given as a bare string", &e);
			raw = text_of(n, NULL, &e);
			type_key = NULL;	/* the string itself is the type */
			c[EX_CODE] = c[EX_SEVERITY] = c[EX_MESSAGE] = c[EX_SOURCE] = null_cell();
		}
		else if (e.type == CMJ_OBJECT)
		{
			cmj_node	f[EK_NKEYS];

			get_fields(n, &e, exception_keys, EK_NKEYS, f);
			raw = text_of(n, "type", &f[EK_TYPE]);
			c[EX_CODE] = text_of(n, "code", &f[EK_CODE]);
			c[EX_SEVERITY] = severity_of(n, &f[EK_SEVERITY]);
			c[EX_MESSAGE] = text_of(n, "message", &f[EK_MESSAGE]);
			c[EX_SOURCE] = text_of(n, "source", &f[EK_SOURCE]);
		}
		else
		{
			problem(n, NULL, "exception is neither an object nor a string; skipped", &e);
			pop(n);
			continue;
		}
		if (!raw.isnull)
			canon = cmv_exception_type(raw.s, (size_t) raw.len);
		if (!canon && !c[EX_CODE].isnull)
			canon = cmv_exception_type(c[EX_CODE].s, (size_t) c[EX_CODE].len);
		if (raw.isnull)
		{
			/* no type: the code stands for it */
			raw = c[EX_CODE];
			type_key = "code";
		}
		if (!canon)
		{
			canon = "Other";
			if (!raw.isnull && !cell_is(&raw, "Other"))
				problem(n, type_key, "unrecognised exception type; counted as Other",
						cell_node(&raw, &rawnode));
		}
		else if (!cell_is(&raw, canon))
			problem(n, type_key, "exception type spelling normalised",
					cell_node(&raw, &rawnode));
		c[EX_RAW_TYPE] = raw;
		c[EX_EXCEPTION_TYPE] = text_cell(canon, (int) strlen(canon));
		c[EX_EXCEPTION_SEQ] = int_cell(++n->exceptions);
		emit(n, CMT_EXCEPTION, c);

		/* the primary exception: the first error, else the first of any kind */
		is_error = cell_is(&c[EX_SEVERITY], "error");
		if (sum->count == 0 || (is_error && !sum->have_error))
		{
			sum->type = c[EX_EXCEPTION_TYPE];
			sum->code = c[EX_CODE];
			sum->have_error = is_error;
		}
		sum->count++;
		pop(n);
	}
	pop(n);
}

/* ------------------------------------------------------------- request */

/* Normalise one service line's providers into request rows. */
static void
service_line(norm *n, const cmj_node *line, int index, int *rows)
{
	cm_cell		c[RQ_NCOLS];
	cmj_node	providers;
	int			nprov;

	c[RQ_TRACE_ID] = n->trace_id;
	c[RQ_LINE_ID] = int_at(n, line, "line_id");
	if (c[RQ_LINE_ID].isnull)
	{
		problem(n, "line_id", "missing or unreadable line_id; position used", NULL);
		c[RQ_LINE_ID] = int_cell(index + 1);
	}
	c[RQ_SERVICE_CODE] = text_at(n, line, "service_code");
	c[RQ_SERVICE_LOCATION] = pos_at(n, line, "service_location");
	c[RQ_CODE_SYSTEM] = text_at(n, line, "code_system");
	c[RQ_MODIFIERS] = code_list_at(n, line, "modifiers");
	c[RQ_QUANTITY] = int_at(n, line, "quantity");
	c[RQ_PLACE_ZIP] = text_at(n, line, "place_zip");
	c[RQ_DIAGNOSIS_CODES] = code_list_at(n, line, "diagnosis_codes");
	c[RQ_PLANNED_DATE] = date_at(n, line, "planned_date");

	providers = get(n, line, "providers");
	nprov = list_size(n, "providers", &providers);
	if (nprov == 0)
	{
		/* a line without providers still appears, keyed by an empty provider */
		problem(n, "providers", "service line without providers", NULL);
		c[RQ_PROVIDER_ID] = text_cell("", 0);
		c[RQ_PROVIDER_SEQ] = int_cell(0);
		c[RQ_NPI] = c[RQ_TIN] = c[RQ_PROVIDER_TYPE] = c[RQ_TAXONOMY] = c[RQ_NETWORK_ID] = null_cell();
		if (new_key(n, (int32_t) c[RQ_LINE_ID].i, &c[RQ_PROVIDER_ID]))
		{
			emit(n, CMT_REQUEST, c);
			(*rows)++;
		}
		return;
	}
	push_key(n, "providers");
	for (int j = 0; j < nprov; j++)
	{
		cmj_node	p = list_at(n, &providers, j);

		push_index(n, j);
		if (p.type != CMJ_OBJECT)
		{
			problem(n, NULL, "provider is not an object; skipped", &p);
			pop(n);
			continue;
		}
		c[RQ_PROVIDER_ID] = text_at(n, &p, "provider_id");
		if (c[RQ_PROVIDER_ID].isnull)
		{
			problem(n, "provider_id", "missing provider_id; empty text used as key", NULL);
			c[RQ_PROVIDER_ID] = text_cell("", 0);
		}
		c[RQ_PROVIDER_SEQ] = int_cell(j + 1);
		c[RQ_NPI] = text_at(n, &p, "npi");
		c[RQ_TIN] = text_at(n, &p, "tin");
		c[RQ_PROVIDER_TYPE] = text_at(n, &p, "provider_type");
		c[RQ_TAXONOMY] = text_at(n, &p, "taxonomy");
		c[RQ_NETWORK_ID] = text_at(n, &p, "network_id");
		if (new_key(n, (int32_t) c[RQ_LINE_ID].i, &c[RQ_PROVIDER_ID]))
		{
			emit(n, CMT_REQUEST, c);
			(*rows)++;
		}
		pop(n);
	}
	pop(n);
}

/* Count distinct non-empty provider ids among the request keys. */
static int
distinct_providers(const norm *n)
{
	int			count = 0;

	for (int i = 0; i < n->nkeys; i++)
	{
		bool		dup = false;

		if (n->keys[i].len == 0)
			continue;
		for (int j = 0; j < i && !dup; j++)
			dup = n->keys[j].len == n->keys[i].len &&
				memcmp(n->keys[j].provider, n->keys[i].provider, (size_t) n->keys[i].len) == 0;
		count += !dup;
	}
	return count;
}

/* ------------------------------------------------------------ response */

/* A result_status character in canonical form: lower case, "_" for space and hyphen. */
static char
status_char(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return (char) (ch + 32);
	if (ch == ' ' || ch == '-')
		return '_';
	return ch;
}

/* Canonical result_status v: lower case, with spaces and hyphens as "_". */
static cm_cell
result_status_of(norm *n, const cmj_node *v)
{
	cm_cell		c = text_of(n, "result_status", v);
	char	   *buf;
	int			i = 0;

	if (c.isnull)
		return c;
	/* most statuses are canonical already: no copy then */
	while (i < c.len && status_char(c.s[i]) == c.s[i])
		i++;
	if (i == c.len)
		return c;
	buf = n->ops->alloc(n->ops, (size_t) c.len);
	memcpy(buf, c.s, (size_t) i);
	for (; i < c.len; i++)
		buf[i] = status_char(c.s[i]);
	problem(n, "result_status", "result status spelling normalised", v);
	return text_cell(buf, c.len);
}

/* Canonical network status of value nv; "unknown" when absent or unreadable. */
static cm_cell
network_status_of(norm *n, const cmj_node *nv)
{
	cmj_node	v = *nv;
	const char *canon;

	if (v.type == CMJ_MISSING || v.type == CMJ_NULL)
		return text_cell("unknown", 7);
	if (v.type != CMJ_STRING)
	{
		problem(n, "network_status", "network status is not text; unknown used", &v);
		return text_cell("unknown", 7);
	}
	canon = cmv_network_status(v.s, (size_t) v.len);
	if (!canon)
	{
		if (!cmv_is_placeholder(v.s, (size_t) v.len))
			problem(n, "network_status", "unrecognised network status; unknown used", &v);
		return text_cell("unknown", 7);
	}
	if ((size_t) v.len != strlen(canon) || memcmp(v.s, canon, (size_t) v.len) != 0)
		problem(n, "network_status", "network status spelling normalised", &v);
	return text_cell(canon, (int) strlen(canon));
}

/* The keys of a result and of its parts, in the order they are read. */
enum
{
	RK_LINE_ID,
	RK_PROVIDER_ID,
	RK_SERVICE_CODE,
	RK_SERVICE_LOCATION,
	RK_RESULT_STATUS,
	RK_COVERAGE,
	RK_COST,
	RK_PATIENT_RESPONSIBILITY,
	RK_EXCEPTIONS,
	RK_NKEYS
};
static const cmj_key result_keys[RK_NKEYS] = {
	[RK_LINE_ID] = CMJ_KEY("line_id"),
	[RK_PROVIDER_ID] = CMJ_KEY("provider_id"),
	[RK_SERVICE_CODE] = CMJ_KEY("service_code"),
	[RK_SERVICE_LOCATION] = CMJ_KEY("service_location"),
	[RK_RESULT_STATUS] = CMJ_KEY("result_status"),
	[RK_COVERAGE] = CMJ_KEY("coverage"),
	[RK_COST] = CMJ_KEY("cost"),
	[RK_PATIENT_RESPONSIBILITY] = CMJ_KEY("patient_responsibility"),
	[RK_EXCEPTIONS] = CMJ_KEY("exceptions"),
};

enum
{
	CK_COVERED,
	CK_NETWORK_STATUS,
	CK_BENEFIT_CATEGORY,
	CK_PRIOR_AUTH_REQUIRED,
	CK_NKEYS
};
static const cmj_key coverage_keys[CK_NKEYS] = {
	[CK_COVERED] = CMJ_KEY("covered"),
	[CK_NETWORK_STATUS] = CMJ_KEY("network_status"),
	[CK_BENEFIT_CATEGORY] = CMJ_KEY("benefit_category"),
	[CK_PRIOR_AUTH_REQUIRED] = CMJ_KEY("prior_auth_required"),
};

/*
 * The amounts of cost and patient_responsibility: each key and the
 * fact_response column it fills, read as that column's kind.
 */
#define AMOUNT_NKEYS	5
static const cmj_key cost_keys[AMOUNT_NKEYS] = {
	CMJ_KEY("billed_amount"), CMJ_KEY("allowed_amount"), CMJ_KEY("in_network_estimate"),
	CMJ_KEY("out_of_network_estimate"), CMJ_KEY("plan_pays"),
};
static const int cost_columns[AMOUNT_NKEYS] = {
	RS_BILLED_AMOUNT, RS_ALLOWED_AMOUNT, RS_IN_NETWORK_ESTIMATE,
	RS_OUT_OF_NETWORK_ESTIMATE, RS_PLAN_PAYS,
};
static const cmj_key patient_keys[AMOUNT_NKEYS] = {
	CMJ_KEY("total"), CMJ_KEY("copay"), CMJ_KEY("coinsurance"), CMJ_KEY("deductible"),
	CMJ_KEY("coinsurance_rate"),
};
static const int patient_columns[AMOUNT_NKEYS] = {
	RS_PATIENT_TOTAL, RS_PATIENT_COPAY, RS_PATIENT_COINSURANCE, RS_PATIENT_DEDUCTIBLE,
	RS_COINSURANCE_RATE,
};

/* Read the amounts of the object under key (value v) into row c. */
static void
amounts(norm *n, const char *key, const cmj_node *v, const cmj_key *keys,
		const int *columns, cm_cell *c)
{
	cmj_node	obj = object_of(n, key, *v);
	cmj_node	f[AMOUNT_NKEYS];

	get_fields(n, &obj, keys, AMOUNT_NKEYS, f);
	push_key(n, key);
	for (int i = 0; i < AMOUNT_NKEYS; i++)
		c[columns[i]] = value_of(n, keys[i].name, &f[i],
								 cm_tables[CMT_RESPONSE].columns[columns[i]].kind);
	pop(n);
}

/* Normalise one result into a response row and its exception rows. */
static void
result(norm *n, const cmj_node *r, int index, int *rows)
{
	cm_cell		c[RS_NCOLS];
	cmj_node	f[RK_NKEYS];
	cmj_node	coverage;
	cmj_node	cf[CK_NKEYS];
	exc_summary sum;

	memset(&sum, 0, sizeof(sum));
	get_fields(n, r, result_keys, RK_NKEYS, f);
	c[RS_TRACE_ID] = n->trace_id;
	c[RS_LINE_ID] = value_of(n, "line_id", &f[RK_LINE_ID], CMK_INT);
	if (c[RS_LINE_ID].isnull)
	{
		problem(n, "line_id", "missing or unreadable line_id; 0 used", NULL);
		c[RS_LINE_ID] = int_cell(0);
	}
	c[RS_PROVIDER_ID] = text_of(n, "provider_id", &f[RK_PROVIDER_ID]);
	if (c[RS_PROVIDER_ID].isnull)
	{
		problem(n, "provider_id", "missing provider_id; empty text used as key", NULL);
		c[RS_PROVIDER_ID] = text_cell("", 0);
	}
	if (!new_key(n, (int32_t) c[RS_LINE_ID].i, &c[RS_PROVIDER_ID]))
		return;
	c[RS_SERVICE_CODE] = text_of(n, "service_code", &f[RK_SERVICE_CODE]);
	c[RS_SERVICE_LOCATION] = pos_of(n, "service_location", &f[RK_SERVICE_LOCATION]);
	c[RS_RESULT_SEQ] = int_cell(index + 1);
	c[RS_RESULT_STATUS] = result_status_of(n, &f[RK_RESULT_STATUS]);

	coverage = object_of(n, "coverage", f[RK_COVERAGE]);
	get_fields(n, &coverage, coverage_keys, CK_NKEYS, cf);
	push_key(n, "coverage");
	c[RS_COVERED] = value_of(n, "covered", &cf[CK_COVERED], CMK_BOOL);
	c[RS_NETWORK_STATUS] = network_status_of(n, &cf[CK_NETWORK_STATUS]);
	c[RS_BENEFIT_CATEGORY] = text_of(n, "benefit_category", &cf[CK_BENEFIT_CATEGORY]);
	c[RS_PRIOR_AUTH_REQUIRED] = value_of(n, "prior_auth_required",
										 &cf[CK_PRIOR_AUTH_REQUIRED], CMK_BOOL);
	pop(n);

	amounts(n, "cost", &f[RK_COST], cost_keys, cost_columns, c);
	amounts(n, "patient_responsibility", &f[RK_PATIENT_RESPONSIBILITY], patient_keys,
			patient_columns, c);

	exceptions(n, "exceptions", f[RK_EXCEPTIONS], "result",
			   c[RS_LINE_ID], c[RS_PROVIDER_ID], c[RS_SERVICE_CODE], &sum);
	c[RS_EXCEPTION_COUNT] = int_cell(sum.count);
	c[RS_PRIMARY_EXCEPTION_TYPE] = sum.count ? sum.type : null_cell();
	c[RS_PRIMARY_EXCEPTION_CODE] = sum.count ? sum.code : null_cell();
	emit(n, CMT_RESPONSE, c);
	(*rows)++;
}

/* One accumulator amount: accumulators.<net>.<kind>.individual.<field>. */
static cm_cell
accumulator(norm *n, const cmj_node *acc, const char *net, const char *kind,
			const char *field)
{
	cmj_node	a = get_object(n, acc, net);
	cmj_node	b,
				c;
	cm_cell		out;

	push_key(n, net);
	b = get_object(n, &a, kind);
	push_key(n, kind);
	c = get_object(n, &b, "individual");
	push_key(n, "individual");
	out = money_at(n, &c, field);
	pop(n);
	pop(n);
	pop(n);
	return out;
}

/* ----------------------------------------------------------- the trace */

/* Set a reject reason and path. */
static cm_result
reject(cm_reject *rej, const char *reason, const char *path)
{
	rej->reason = reason;
	snprintf(rej->path, sizeof(rej->path), "%s", path);
	return CM_REJECTED;
}

static void header(norm *n, const cmj_node *doc, const cmj_node *request, cm_cell *t);
static void request_lines(norm *n, const cmj_node *services, int nlines, cm_cell *t);
static void response_part(norm *n, cmj_node response, cm_cell *t, unsigned want);

/* The keys of the document and of its request read for every table. */
enum
{
	DK_TRACE_ID,
	DK_REQUEST,
	DK_RESPONSE,
	DK_NKEYS
};
static const cmj_key doc_keys[DK_NKEYS] = {
	[DK_TRACE_ID] = CMJ_KEY("trace_id"),
	[DK_REQUEST] = CMJ_KEY("request"),
	[DK_RESPONSE] = CMJ_KEY("response"),
};
static const cmj_key services_key[1] = {CMJ_KEY("services")};

/* Normalise one document; see cm_trace.h. */
cm_result
cm_trace_normalize(const cmj_ops *ops, const cmj_node *doc, cm_sink *sink,
				   cm_reject *rej)
{
	norm		n;
	cm_cell		t[TR_NCOLS];
	cmj_node	v,
				request,
				services,
				top[DK_NKEYS];
	int			nlines,
				usable = 0;
	unsigned	want;

	memset(&n, 0, sizeof(n));
	n.ops = ops;
	n.sink = sink;

	/* the checks that reject a document come before any row */
	if (doc->type != CMJ_OBJECT)
		return reject(rej, "document is not a JSON object", "$");
	get_fields(&n, doc, doc_keys, DK_NKEYS, top);
	v = top[DK_TRACE_ID];
	if (v.type != CMJ_STRING && v.type != CMJ_NUMBER)
		return reject(rej, "trace_id is missing or not text", "trace_id");
	v = with_text(&n, &v);
	{
		const char *s = v.s;
		int			len = v.len;

		while (len > 0 && is_ws(*s))
			s++, len--;
		while (len > 0 && is_ws(s[len - 1]))
			len--;
		if (len == 0)
			return reject(rej, "trace_id is empty", "trace_id");
		if (len > CM_MAX_TRACE_ID)
			return reject(rej, "trace_id is longer than 200 bytes", "trace_id");
		if (memchr(s, '\0', (size_t) len))
			return reject(rej, "trace_id holds a NUL character", "trace_id");
		n.trace_id = text_cell(s, len);
	}
	request = top[DK_REQUEST];
	if (request.type != CMJ_OBJECT)
		return reject(rej, "request is missing or not an object", "request");
	get_fields(&n, &request, services_key, 1, &services);
	if (services.type == CMJ_ARRAY)
	{
		nlines = ops->size(ops, &services);
		for (int i = 0; i < nlines; i++)
		{
			cmj_node	s;

			ops->at(ops, &services, i, &s);
			usable += (s.type == CMJ_OBJECT);
		}
	}
	else if (services.type == CMJ_OBJECT)
		nlines = usable = 1;
	else
		return reject(rej, "request.services is missing or not an array", "request.services");
	if (usable == 0)
		return reject(rej, "request.services has no service line object", "request.services");
	if (usable > MAX_ROWS)
		return reject(rej, "request.services has more than 5000 lines", "request.services");

	n.keys = n.first_keys;
	n.keys_cap = (int) (sizeof(n.first_keys) / sizeof(n.first_keys[0]));

	/*
	 * Only the sections whose rows (or counts) the sink wants are read: the
	 * trace row and the problem list need everything.
	 */
	want = sink->want;
	if (want & (CM_WANT(CMT_TRACE) | CM_WANT(CMT_PROBLEM)))
		want = CM_WANT_ALL;

	/* now only tolerance: the trace id's own notes first */
	if (v.type == CMJ_NUMBER)
		problem(&n, "trace_id", "number given where text was expected", &v);
	else if (n.trace_id.len != v.len)
		problem(&n, "trace_id", "surrounding white space removed", &v);

	t[TR_TRACE_ID] = n.trace_id;
	if (want & CM_WANT(CMT_TRACE))
		header(&n, doc, &request, t);
	if (want & CM_WANT(CMT_REQUEST))
		request_lines(&n, &services, nlines, t);
	if (want & (CM_WANT(CMT_RESPONSE) | CM_WANT(CMT_EXCEPTION)))
		response_part(&n, top[DK_RESPONSE], t, want);
	if (want & CM_WANT(CMT_TRACE))
	{
		t[TR_EXCEPTION_COUNT] = int_cell(n.exceptions);
		t[TR_PROBLEM_COUNT] = int_cell(n.problems);
		emit(&n, CMT_TRACE, t);
	}
	return CM_LOADED;
}

/* The trace-level fields of the request: ids, channel, member and plan. */
static void
header(norm *n, const cmj_node *doc, const cmj_node *request, cm_cell *t)
{
	cmj_node	member,
				plan;

	t[TR_SCHEMA_VERSION] = text_at(n, doc, "schema_version");
	t[TR_SOURCE_SYSTEM] = text_at(n, doc, "source_system");

	push_key(n, "request");
	t[TR_REQUEST_ID] = text_at(n, request, "request_id");
	t[TR_RECEIVED_AT] = ts_at(n, request, "received_at");
	t[TR_CHANNEL] = text_at(n, request, "channel");
	member = get_object(n, request, "member");
	push_key(n, "member");
	t[TR_MEMBER_ID] = text_at(n, &member, "member_id");
	t[TR_SUBSCRIBER_ID] = text_at(n, &member, "subscriber_id");
	t[TR_RELATIONSHIP] = text_at(n, &member, "relationship");
	plan = get_object(n, &member, "plan");
	push_key(n, "plan");
	t[TR_PLAN_ID] = text_at(n, &plan, "plan_id");
	t[TR_GROUP_ID] = text_at(n, &plan, "group_id");
	t[TR_PRODUCT_TYPE] = text_at(n, &plan, "product_type");
	t[TR_PLAN_YEAR] = int_at(n, &plan, "plan_year");
	pop(n);
	pop(n);
	pop(n);
}

/* The service lines: request rows, and the trace's line and provider counts. */
static void
request_lines(norm *n, const cmj_node *services, int nlines, cm_cell *t)
{
	int			lines = 0,
				request_rows = 0;

	push_key(n, "request");
	if (services->type == CMJ_OBJECT)
		problem(n, "services", "single value where an array was expected", services);
	push_key(n, "services");
	for (int i = 0; i < nlines; i++)
	{
		cmj_node	line = list_at(n, services, i);

		push_index(n, i);
		if (line.type != CMJ_OBJECT)
			problem(n, NULL, "service line is not an object; skipped", &line);
		else
		{
			service_line(n, &line, i, &request_rows);
			lines++;
		}
		pop(n);
	}
	pop(n);
	pop(n);
	t[TR_LINE_COUNT] = int_cell(lines);
	t[TR_PROVIDER_COUNT] = int_cell(distinct_providers(n));
	t[TR_REQUEST_ROW_COUNT] = int_cell(request_rows);
}

/* The lists of the response. */
enum
{
	RP_ERRORS,
	RP_RESULTS,
	RP_NKEYS
};
static const cmj_key response_keys[RP_NKEYS] = {
	[RP_ERRORS] = CMJ_KEY("errors"),
	[RP_RESULTS] = CMJ_KEY("results"),
};

/*
 * The response: its trace-level fields, the request-level errors, then each
 * result with its exceptions.  A null or missing response is a timeout.
 */
static void
response_part(norm *n, cmj_node response, cm_cell *t, unsigned want)
{
	cmj_node	parts[RP_NKEYS];
	exc_summary errors;
	int			result_rows = 0;

	memset(&errors, 0, sizeof(errors));
	if (response.type != CMJ_OBJECT && response.type != CMJ_MISSING &&
		response.type != CMJ_NULL)
	{
		problem(n, "response", "response is not an object; ignored", &response);
		response.type = CMJ_MISSING;
	}
	get_fields(n, &response, response_keys, RP_NKEYS, parts);
	push_key(n, "response");
	if (want & CM_WANT(CMT_TRACE))
	{
		cmj_node	acc;

		t[TR_HAS_RESPONSE] = int_cell(response.type == CMJ_OBJECT);
		t[TR_RESPONDED_AT] = ts_at(n, &response, "responded_at");
		t[TR_STATUS_CODE] = int_at(n, &response, "status_code");
		t[TR_LATENCY_MS] = int_at(n, &response, "latency_ms");
		t[TR_ESTIMATE_ID] = text_at(n, &response, "estimate_id");
		acc = get_object(n, &response, "accumulators");
		push_key(n, "accumulators");
		t[TR_ACCUMULATORS_AS_OF] = date_at(n, &acc, "as_of");
		t[TR_INN_DEDUCTIBLE_LIMIT] = accumulator(n, &acc, "in_network", "deductible", "limit");
		t[TR_INN_DEDUCTIBLE_MET] = accumulator(n, &acc, "in_network", "deductible", "met");
		t[TR_INN_OOP_LIMIT] = accumulator(n, &acc, "in_network", "out_of_pocket", "limit");
		t[TR_INN_OOP_MET] = accumulator(n, &acc, "in_network", "out_of_pocket", "met");
		t[TR_OON_DEDUCTIBLE_LIMIT] = accumulator(n, &acc, "out_of_network", "deductible", "limit");
		t[TR_OON_DEDUCTIBLE_MET] = accumulator(n, &acc, "out_of_network", "deductible", "met");
		t[TR_OON_OOP_LIMIT] = accumulator(n, &acc, "out_of_network", "out_of_pocket", "limit");
		t[TR_OON_OOP_MET] = accumulator(n, &acc, "out_of_network", "out_of_pocket", "met");
		pop(n);
	}

	/* request errors come first: they take the first exception_seq numbers */
	if (want & (CM_WANT(CMT_TRACE) | CM_WANT(CMT_EXCEPTION)))
		exceptions(n, "errors", parts[RP_ERRORS], "request", null_cell(),
				   null_cell(), null_cell(), &errors);
	{
		cmj_node	results = parts[RP_RESULTS];
		int			nres = list_size(n, "results", &results);

		n->nkeys = 0;			/* the keys now track results */
		push_key(n, "results");
		for (int i = 0; i < nres; i++)
		{
			cmj_node	r = list_at(n, &results, i);

			push_index(n, i);
			if (r.type != CMJ_OBJECT)
				problem(n, NULL, "result is not an object; skipped", &r);
			else
				result(n, &r, i, &result_rows);
			pop(n);
		}
		pop(n);
	}
	pop(n);
	t[TR_RESULT_COUNT] = int_cell(result_rows);
	t[TR_ERROR_COUNT] = int_cell(errors.count);
}
