/*
 * jsonc_access.h
 *    The cm_json.h access interface over json-c objects, with the
 *    per-document arena that serves its scratch allocations.
 */
#ifndef JSONC_ACCESS_H
#define JSONC_ACCESS_H

#include <stddef.h>

#include <json-c/json.h>

#include "cm_json.h"

/* One block of the arena. */
typedef struct jca_block jca_block;

/*
 * A bump allocator over malloc'd blocks.  Allocations live until
 * jca_arena_reset(), which keeps the first block for the next document.
 */
typedef struct jca_arena
{
	jca_block  *first;
	jca_block  *cur;
} jca_arena;

void		jca_init(cmj_ops *ops, jca_arena *arena);
void		jca_root(const cmj_ops *ops, struct json_object *obj, cmj_node *out);
void		jca_arena_reset(jca_arena *arena);
void		jca_arena_free(jca_arena *arena);

#endif							/* JSONC_ACCESS_H */
