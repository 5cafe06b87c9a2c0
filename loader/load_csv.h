/*
 * load_csv.h
 *    The "csv" command of costmodel-load: CSV exports (members, calls,
 *    cases, claims ...) into the source tables, with header aliasing, map
 *    files, dialect detection, the shared value parsers, upserts that make
 *    reloads harmless, and a processing report per file in
 *    costmodel.load_log.
 */
#ifndef LOAD_CSV_H
#define LOAD_CSV_H

#include "load.h"

/* Defaults and limits of the command's options. */
#define LOAD_CSV_BATCH_DEFAULT		50000
#define LOAD_CSV_BATCH_MAX			1000000
#define LOAD_CSV_MAX_RECORD_DEFAULT	(INT64_C(16) << 20)
#define LOAD_CSV_MAX_RECORD_MAX		(INT64_C(1) << 30)
/* Bytes of a rejected record stored in costmodel.load_reject.raw. */
#define LOAD_CSV_RAW_MAX			4096
/* Bytes of an offending value stored in costmodel.load_reject.value. */
#define LOAD_CSV_VALUE_MAX			200

/* The command; argv[0] is "csv". */
int			load_csv_main(load_global *g, int argc, char **argv);

/* Print the command's section of --help. */
void		load_csv_help(void);

#endif							/* LOAD_CSV_H */
