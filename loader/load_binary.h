/*
 * load_binary.h
 *    COPY in binary format for costmodel-load: rows built from normaliser
 *    cells, and a COPY FROM STDIN that sends a buffer between the format's
 *    header and trailer.
 */
#ifndef LOAD_BINARY_H
#define LOAD_BINARY_H

#include <stdbool.h>
#include <stddef.h>

#include "libpq-fe.h"
#include "cm_trace.h"
#include "load_copy.h"

/* The SQL type each cell kind is sent as, for checking the table. */
const char *load_binary_type(cm_kind kind);

void		load_binary_row(load_buf *b, const cm_table_def *def, const cm_cell *cells);
char	   *load_binary_command(const cm_table_def *def);
PGresult   *load_copy_send(PGconn *conn, const char *command, bool binary,
						   const char *data, size_t len);

#endif							/* LOAD_BINARY_H */
