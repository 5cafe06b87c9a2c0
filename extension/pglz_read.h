/*
 * pglz_read.h
 *    A faster reader of PostgreSQL's pglz compressed format, for the trace
 *    functions' own detoasting (detoast_fast.c).
 *
 * Plain C99 without postgres.h, so that test/pglz_read_test.sh can check it
 * against PostgreSQL's own pglz_decompress (libpgcommon) on its own.
 */
#ifndef PGLZ_READ_H
#define PGLZ_READ_H

#include <stdint.h>

/*
 * Bytes past rawsize that cm_pglz_decompress may write (and later
 * overwrite or leave as garbage): dest must have rawsize + CM_PGLZ_SLACK.
 */
#define CM_PGLZ_SLACK	16

/*
 * Decompress slen bytes of pglz data at src into exactly rawsize bytes at
 * dest.  Returns rawsize, or -1 for data that pglz_decompress(src, slen,
 * dest, rawsize, true) refuses: the same output, the same refusals.
 */
extern int32_t cm_pglz_decompress(const unsigned char *src, int32_t slen,
								  unsigned char *dest, int32_t rawsize);

#endif							/* PGLZ_READ_H */
