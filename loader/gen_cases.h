/*
 * gen_cases.h
 *    The "cases" subcommand of costmodel-gen: a patient-advocacy system's
 *    extract as canonical CSVs (advocates, cases with their metadata JSON,
 *    case events, case interactions and case feedback).
 */
#ifndef GEN_CASES_H
#define GEN_CASES_H

#include "gen_common.h"

/* Write the advocacy CSVs into o->output_dir. */
gen_status	gen_cases_run(const gen_source_opts *o);

#endif							/* GEN_CASES_H */
