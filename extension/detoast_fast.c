/*
 * detoast_fast.c
 *    The trace functions' document argument, detoasted.
 *
 * A document stored compressed by pglz, inline or in the TOAST table, is
 * decompressed by pglz_read.c, which reads the same format faster than
 * pglz_decompress; everything else (lz4, plain, short-header and indirect
 * values) goes through pg_detoast_datum.  Data pglz_read.c refuses is
 * handed to pg_detoast_datum as well, so corrupt data gets PostgreSQL's own
 * error.  As a self-check, the first RESULTS_CHECKED documents of each
 * backend are also decompressed by pglz_decompress and compared.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/toast_compression.h"
#include "common/pg_lzcompress.h"
#include "fmgr.h"
#include "utils/memutils.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "detoast_fast.h"
#include "pglz_read.h"

#define RESULTS_CHECKED	1000
static int	checks_left = RESULTS_CHECKED;

/*
 * Compare out (rawsize bytes) with what pglz_decompress makes of the same
 * compressed value; stop with an internal error if they differ.
 */
static void
check_result(const struct varlena *compressed, const char *out, int32 rawsize)
{
	char	   *ref = palloc(rawsize);
	int32		n = pglz_decompress((const char *) compressed + VARHDRSZ_COMPRESSED,
									VARSIZE(compressed) - VARHDRSZ_COMPRESSED,
									ref, rawsize, true);

	if (n != rawsize || memcmp(ref, out, rawsize) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("costmodel: pglz data read differs from pglz_decompress"),
				 errhint("The pglz format is not the one this costmodel build reads; report it with the PostgreSQL version.")));
	pfree(ref);
}

/*
 * v detoasted by PostgreSQL, and the fetched copy it came from (or NULL)
 * freed unless it is the result.
 */
static struct varlena *
plain_detoast(struct varlena *v, struct varlena *fetched)
{
	struct varlena *result = pg_detoast_datum(v);

	if (fetched != NULL && result != fetched)
		pfree(fetched);
	return result;
}

/* Detoast d; see detoast_fast.h. */
struct varlena *
costmodel_detoast(Datum d)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	struct varlena *fetched = NULL;
	struct varlena *out;
	int32		rawsize;

	if (VARATT_IS_EXTERNAL_ONDISK(v))
		v = fetched = detoast_external_attr(v);	/* still compressed, if it was */
	if (!VARATT_IS_COMPRESSED(v) ||
		VARDATA_COMPRESSED_GET_COMPRESS_METHOD(v) != TOAST_PGLZ_COMPRESSION_ID ||
		VARDATA_COMPRESSED_GET_EXTSIZE(v) > MaxAllocSize - VARHDRSZ - CM_PGLZ_SLACK)
		return plain_detoast(v, fetched);

	rawsize = (int32) VARDATA_COMPRESSED_GET_EXTSIZE(v);
	out = palloc(VARHDRSZ + rawsize + CM_PGLZ_SLACK);
	if (cm_pglz_decompress((const unsigned char *) v + VARHDRSZ_COMPRESSED,
						   (int32) (VARSIZE(v) - VARHDRSZ_COMPRESSED),
						   (unsigned char *) VARDATA(out), rawsize) != rawsize)
	{
		/* corrupt: PostgreSQL's own reader reports it */
		pfree(out);
		return plain_detoast(v, fetched);
	}
	SET_VARSIZE(out, VARHDRSZ + rawsize);
#ifdef USE_ASSERT_CHECKING
	check_result(v, VARDATA(out), rawsize);
#else
	if (checks_left > 0)
	{
		checks_left--;
		check_result(v, VARDATA(out), rawsize);
	}
#endif
	if (fetched)
		pfree(fetched);
	return out;
}
