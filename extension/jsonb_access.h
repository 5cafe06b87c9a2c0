/*
 * jsonb_access.h
 *    The cm_json.h interface over stored jsonb.
 */
#ifndef JSONB_ACCESS_H
#define JSONB_ACCESS_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "cm_json.h"

/* Operations reading jsonb; allocations come from CurrentMemoryContext. */
extern const cmj_ops costmodel_jsonb_ops;

/* The root value of a jsonb document as a node. */
extern void costmodel_jsonb_root(Jsonb *jb, cmj_node *out);

#endif							/* JSONB_ACCESS_H */
