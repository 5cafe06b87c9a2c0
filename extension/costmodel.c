/*
 * costmodel.c
 *    Module entry point of costmodel.so.  The SQL-callable functions live in
 *    the files named after what they do (trace_srf.c, values_sql.c, ...).
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
