/*
 * detoast_fast.h
 *    The trace functions' document argument, detoasted, with pglz data read
 *    by pglz_read.c instead of pglz_decompress.
 */
#ifndef DETOAST_FAST_H
#define DETOAST_FAST_H

#include "postgres.h"

/*
 * The varlena datum d with all of its data inline and uncompressed, as
 * pg_detoast_datum gives it; freshly allocated unless d already was.
 */
extern struct varlena *costmodel_detoast(Datum d);

#endif							/* DETOAST_FAST_H */
