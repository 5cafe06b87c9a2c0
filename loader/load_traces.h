/*
 * load_traces.h
 *    The "traces" command of costmodel-load: NDJSON trace documents are
 *    parsed, normalised and written to the costmodel fact tables in batches,
 *    one transaction per batch, skipping duplicates, recording rejects and
 *    moving the load ledger forward; --jobs workers load byte ranges in
 *    parallel.
 */
#ifndef LOAD_TRACES_H
#define LOAD_TRACES_H

#include "load.h"

/* Defaults and limits of the command's options. */
#define LOAD_TRACES_BATCH_DEFAULT		5000
#define LOAD_TRACES_BATCH_MAX			1000000
#define LOAD_TRACES_MAX_LINE_DEFAULT	(INT64_C(64) << 20)
#define LOAD_TRACES_MAX_LINE_MAX		(INT64_C(1) << 30)
/* Seconds to keep trying to reconnect after the connection was lost. */
#define LOAD_TRACES_RETRY_DEFAULT		60
/* Bytes of a rejected line stored in costmodel.trace_reject.raw. */
#define LOAD_TRACES_RAW_MAX				4096

#endif							/* LOAD_TRACES_H */
