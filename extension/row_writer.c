/*
 * row_writer.c
 *    Rows of the trace tables written straight into minimal tuples.
 *
 * tuplestore_putvalues takes a Datum and a null flag per column and forms
 * the tuple in two generic passes (heap_compute_data_size, then
 * heap_fill_tuple), asking each column's type how it is stored; for the
 * trace functions that was a tenth of the time of filling fact_response.
 * The trace tables' columns are of six known kinds, so a row's cells are
 * written in one pass, each by its kind, following heap_fill_tuple's rules:
 * a null bitmap only when a cell is NULL; a text or numeric of up to 126
 * bytes with a 1-byte header and no alignment, a longer one aligned with a
 * 4-byte header; fixed-width values at their type's alignment; padding
 * zeroed.  The bytes are those heap_form_minimal_tuple makes of the same
 * values (trace_srf.c compares them for the first rows of each backend, and
 * for every row in an assert-enabled build).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "utils/numeric.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "jsonb_numeric.h"
#include "row_writer.h"

/* Bytes a cell may take in a tuple, beyond its text: alignment and header. */
#define CELL_OVERHEAD	(MAXIMUM_ALIGNOF + VARHDRSZ)
/* Bytes a numeric of an int64 scaled value may take. */
#define NUMERIC_ROOM	32

/* How one attribute is stored. */
typedef struct rw_column
{
	cm_kind		kind;
	char		align;			/* pg_attribute.attalign */
} rw_column;

struct row_writer
{
	int			natts;
	rw_column  *cols;
	char	   *buf;			/* the tuple being written, MAXALIGNed */
	size_t		size;
};

/* The attribute length and storage a cell kind must have. */
static bool
kind_fits(cm_kind kind, Form_pg_attribute att)
{
	switch (kind)
	{
		case CMK_TEXT:
		case CMK_MONEY:
		case CMK_RATE:
			/* varlena, and packable into a 1-byte header as fill_val does */
			return att->attlen == -1 && att->attstorage != TYPSTORAGE_PLAIN;
		case CMK_INT:
		case CMK_DATE:
			return att->attlen == 4 && att->attbyval;
		case CMK_BOOL:
			return att->attlen == 1 && att->attbyval;
		case CMK_TS:
			return att->attlen == 8 && att->attbyval;
	}
	return false;
}

/* Make a writer; see row_writer.h. */
row_writer *
row_writer_create(TupleDesc desc, const cm_table_def *def)
{
	row_writer *w;

	if (desc->natts != def->ncolumns)
		return NULL;
	for (int a = 0; a < desc->natts; a++)
		if (TupleDescAttr(desc, a)->attisdropped ||
			!kind_fits(def->columns[a].kind, TupleDescAttr(desc, a)))
			return NULL;
	w = palloc(sizeof(row_writer));
	w->natts = desc->natts;
	w->cols = palloc(sizeof(rw_column) * desc->natts);
	for (int a = 0; a < desc->natts; a++)
	{
		w->cols[a].kind = def->columns[a].kind;
		w->cols[a].align = TupleDescAttr(desc, a)->attalign;
	}
	w->size = 1024;
	w->buf = palloc(w->size);
	return w;
}

/* Offset off moved up to alignment code align, the bytes skipped zeroed. */
static inline size_t
align_to(char *data, size_t off, char align)
{
	size_t		to = att_align_nominal(off, align);

	while (off < to)
		data[off++] = 0;
	return to;
}

/* Write len bytes s as a varlena at data + off, as fill_val does; the new offset. */
static inline size_t
put_varlena(char *data, size_t off, char align, const char *s, size_t len)
{
	if (len + VARHDRSZ_SHORT <= VARATT_SHORT_MAX)
	{
		SET_VARSIZE_SHORT(data + off, len + VARHDRSZ_SHORT);
		memcpy(data + off + VARHDRSZ_SHORT, s, len);
		return off + VARHDRSZ_SHORT + len;
	}
	off = align_to(data, off, align);
	SET_VARSIZE(data + off, len + VARHDRSZ);
	memcpy(data + off + VARHDRSZ, s, len);
	return off + VARHDRSZ + len;
}

/* Write a fixed-width value of size bytes at data + off, aligned; the new offset. */
static inline size_t
put_fixed(char *data, size_t off, char align, const void *v, size_t size)
{
	off = align_to(data, off, align);
	memcpy(data + off, v, size);
	return off + size;
}

/* Form a row; see row_writer.h. */
MinimalTuple
row_writer_form(row_writer *w, const cm_cell *cells)
{
	bool		hasnull = false;
	size_t		bound,
				hoff,
				off = 0;
	uint16		infomask = 0;
	char	   *data;
	MinimalTuple tuple;

	/* room: the header and bitmap, then every cell at its largest */
	bound = MAXALIGN(SizeofMinimalTupleHeader + BITMAPLEN(w->natts));
	for (int a = 0; a < w->natts; a++)
	{
		hasnull |= cells[a].isnull;
		bound += CELL_OVERHEAD + (w->cols[a].kind == CMK_TEXT ? (size_t) cells[a].len : NUMERIC_ROOM);
	}
	if (bound > w->size)
	{
		w->size = Max(bound, 2 * w->size);
		w->buf = repalloc(w->buf, w->size);
	}

	hoff = SizeofMinimalTupleHeader + (hasnull ? BITMAPLEN(w->natts) : 0);
	hoff = MAXALIGN(hoff);
	memset(w->buf, 0, hoff);
	tuple = (MinimalTuple) w->buf;
	data = w->buf + hoff;
	for (int a = 0; a < w->natts; a++)
	{
		const cm_cell *c = &cells[a];
		char		align = w->cols[a].align;

		if (c->isnull)
		{
			infomask |= HEAP_HASNULL;
			continue;
		}
		if (hasnull)
			tuple->t_bits[a >> 3] |= (bits8) (1 << (a & 7));
		switch (w->cols[a].kind)
		{
			case CMK_TEXT:
				infomask |= HEAP_HASVARWIDTH;
				off = put_varlena(data, off, align, c->s, (size_t) c->len);
				break;
			case CMK_MONEY:
			case CMK_RATE:
				{
					union
					{
						char		bytes[SCALED_NUMERIC_SIZE];
						int32		aligner;	/* int-aligned, as a numeric must be */
					}			room;
					int			scale = w->cols[a].kind == CMK_MONEY ? 2 : 4;
					const char *stored;
					int			len;
					Numeric		num;

					infomask |= HEAP_HASVARWIDTH;
					/* a number stored as it would be built is copied as it is */
					if (c->num != NULL &&
						(stored = costmodel_numeric_as_built((Numeric) c->num, scale, &len)) != NULL)
					{
						off = put_varlena(data, off, align, stored, (size_t) len);
						break;
					}
					num = costmodel_scaled_numeric(c->i, scale, room.bytes);
					Assert(VARSIZE(num) <= NUMERIC_ROOM);
					off = put_varlena(data, off, align, VARDATA(num), VARSIZE(num) - VARHDRSZ);
					if ((char *) num != room.bytes)
						pfree(num);
					break;
				}
			case CMK_INT:
				{
					int32		v = (int32) c->i;

					off = put_fixed(data, off, align, &v, sizeof(v));
					break;
				}
			case CMK_BOOL:
				{
					bool		v = c->i != 0;

					off = put_fixed(data, off, align, &v, sizeof(v));
					break;
				}
			case CMK_TS:
				{
					TimestampTz v = cm_cell_timestamptz(c);

					off = put_fixed(data, off, align, &v, sizeof(v));
					break;
				}
			case CMK_DATE:
				{
					DateADT		v = cm_cell_date(c);

					off = put_fixed(data, off, align, &v, sizeof(v));
					break;
				}
		}
	}
	tuple->t_len = (uint32) (hoff + off);
	HeapTupleHeaderSetNatts(tuple, w->natts);
	tuple->t_infomask = infomask;
	tuple->t_hoff = (uint8) (hoff + MINIMAL_TUPLE_OFFSET);
	return tuple;
}
