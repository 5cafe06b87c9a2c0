/*
 * cm_json.h
 *    A small read-only JSON access interface.
 *
 * The trace normaliser is written once against this interface.  The server
 * implements it over stored jsonb (extension/jsonb_access.c) and the loader
 * over json-c (loader/jsonc_access.c), so both produce identical rows.
 *
 * This header is plain C99: it must not include postgres.h or json-c.
 */
#ifndef CM_JSON_H
#define CM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cmj_type
{
	CMJ_MISSING = 0,			/* key absent (not a JSON value at all) */
	CMJ_NULL,
	CMJ_BOOL,
	CMJ_NUMBER,
	CMJ_STRING,
	CMJ_OBJECT,
	CMJ_ARRAY
} cmj_type;

/*
 * One JSON value.  For strings, s/len is the unescaped UTF-8 text (not
 * NUL-terminated).  For numbers, s/len is the number's text as written (or
 * an exact canonical form of it); an implementation with number_text may
 * leave s NULL and give the text only when asked.  For containers (and such
 * numbers), ref is the implementation's handle.  Nodes are small and passed
 * by value.
 */
typedef struct cmj_node
{
	cmj_type	type;
	bool		b;
	int			len;
	const char *s;
	const void *ref;
} cmj_node;

/* A key to look up, with its length (CMJ_KEY("name") for a literal). */
typedef struct cmj_key
{
	const char *name;
	int			len;
} cmj_key;

#define CMJ_KEY(lit)	{(lit), (int) sizeof(lit) - 1}

typedef struct cmj_ops cmj_ops;

struct cmj_ops
{
	/* look up key in an object; sets out->type = CMJ_MISSING if absent */
	void		(*get) (const cmj_ops *ops, const cmj_node *obj, const char *key,
						cmj_node *out);
	/* number of elements of an array */
	int			(*size) (const cmj_ops *ops, const cmj_node *arr);
	/* element i (0-based) of an array */
	void		(*at) (const cmj_ops *ops, const cmj_node *arr, int i, cmj_node *out);
	/* allocate scratch memory that lives until the current document is done */
	void	   *(*alloc) (const cmj_ops *ops, size_t size);
	/* implementation state */
	void	   *arg;

	/*
	 * Optional (NULL when absent; zero the struct).  get_many looks up
	 * nkeys keys of one object at once, like get for each keys[i].name into
	 * out[i], for a reader that can do it in one pass; keys must be a static
	 * array of literal keys, which names the call site (a reader may keep
	 * what it learnt of the objects read there).  number_text gives the
	 * text of a number node whose s is NULL, in memory that lives until the
	 * document is done.  number_scaled gives a number's exact value times
	 * 10^scale (scale 0..4) and true, or false when that is no integer or
	 * does not fit in int64: a reader that keeps numbers in binary form can
	 * so skip printing them for the normaliser to parse.
	 */
	void		(*get_many) (const cmj_ops *ops, const cmj_node *obj,
							 const cmj_key *keys, int nkeys, cmj_node *out);
	const char *(*number_text) (const cmj_ops *ops, const cmj_node *num, int *len);
	bool		(*number_scaled) (const cmj_ops *ops, const cmj_node *num, int scale,
								  int64_t *out);
};

/*
 * The canonical text of a JSON number, as PostgreSQL's numeric prints it;
 * see cm_json.c.  Returns the length, or -1; *same means "unchanged".
 */
int			cmj_canonical_number(const char *s, int len, char *out, bool *same);

#endif							/* CM_JSON_H */
