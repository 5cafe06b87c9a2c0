/*
 * load_copy.h
 *    Growable byte buffers, COPY text-format rows built from normaliser
 *    cells, the COPY FROM STDIN protocol, and text helpers (UTF-8 repair,
 *    array literals) for the statements the loader sends.
 */
#ifndef LOAD_COPY_H
#define LOAD_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libpq-fe.h"
#include "cm_trace.h"

/* A growable byte buffer. */
typedef struct load_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} load_buf;

/* Bytes per PQputCopyData call (the last call of a COPY may send fewer). */
#define LOAD_COPY_CHUNK		(1024 * 1024)

void		load_buf_grow(load_buf *b, size_t extra);
void		load_buf_append(load_buf *b, const void *data, size_t len);
void		load_buf_free(load_buf *b);

/* Append extra bytes' worth of room, then use b->data + b->len directly. */
static inline void
load_buf_reserve(load_buf *b, size_t extra)
{
	if (b->cap - b->len < extra)
		load_buf_grow(b, extra);
}

void		load_copy_row(load_buf *b, const cm_table_def *def, const cm_cell *cells);
char	   *load_copy_command(const cm_table_def *def);
PGresult   *load_copy_run(PGconn *conn, const char *command, const char *data,
						  size_t len);

size_t		load_utf8_char(const char *s, size_t len);
size_t		load_utf8_repair(load_buf *b, const char *s, size_t len, size_t max);
void		load_array_begin(load_buf *b);
void		load_array_text(load_buf *b, const char *s, size_t len);
void		load_array_null(load_buf *b);
void		load_array_int(load_buf *b, int64_t v);
void		load_array_end(load_buf *b);

#endif							/* LOAD_COPY_H */
