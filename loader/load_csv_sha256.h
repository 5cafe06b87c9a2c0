/*
 * load_csv_sha256.h
 *    SHA-256 (FIPS 180-4), for the content hash of each loaded file in
 *    costmodel.load_log.  Written for this project; no library needed.
 */
#ifndef LOAD_CSV_SHA256_H
#define LOAD_CSV_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct csv_sha256
{
	uint32_t	h[8];
	uint64_t	bytes;			/* message length so far */
	unsigned char block[64];
	size_t		used;			/* bytes in block */
} csv_sha256;

void		csv_sha256_init(csv_sha256 *s);
void		csv_sha256_update(csv_sha256 *s, const void *data, size_t len);
/* Finish and write the digest as 64 lower-case hex digits and a NUL. */
void		csv_sha256_hex(csv_sha256 *s, char out[65]);

#endif							/* LOAD_CSV_SHA256_H */
