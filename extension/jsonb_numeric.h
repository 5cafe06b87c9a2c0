/*
 * jsonb_numeric.h
 *    Numeric values to and from the forms the trace functions use, without
 *    going through numeric's SQL functions: the text of a stored numeric,
 *    and a numeric built from an integer scaled by a power of ten.
 */
#ifndef JSONB_NUMERIC_H
#define JSONB_NUMERIC_H

#include "postgres.h"

#include "utils/numeric.h"

/* Bytes costmodel_scaled_numeric may write: header and five base-10000 digits. */
#define SCALED_NUMERIC_SIZE		(VARHDRSZ + sizeof(uint16) + 5 * sizeof(int16))

/* The text numeric_out prints for num (in buf when it fits); its length in *len. */
extern char *costmodel_numeric_text(Numeric num, char *buf, size_t room, int *len);

/* num * 10^scale (scale 0..4) when that is an integer in int64; else false. */
extern bool costmodel_numeric_scaled(Numeric num, int scale, int64 *out);

/*
 * The data bytes (after the varlena header) of num when it is stored in the
 * form costmodel_scaled_numeric builds for its value at display scale
 * `scale`: short header, that display scale, no leading or trailing zero
 * digit (numeric.c's make_result stores every numeric so).  NULL otherwise.
 */
extern const char *costmodel_numeric_as_built(Numeric num, int scale, int *len);

/*
 * v / 10^scale (scale 0..4, |v| < 10^16) as a numeric with display scale
 * `scale`, written into buf (SCALED_NUMERIC_SIZE bytes, int-aligned): the
 * same value, bytes included, as int64_div_fast_to_numeric(v, scale).
 */
extern Numeric costmodel_scaled_numeric(int64 v, int scale, void *buf);

#endif							/* JSONB_NUMERIC_H */
