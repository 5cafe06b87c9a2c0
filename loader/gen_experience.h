/*
 * gen_experience.h
 *    The "experience" subcommand of costmodel-gen: a health plan's member-
 *    experience extract as canonical CSVs (members, calls, digital
 *    interactions, surveys, pharmacy fills, enrollments and claims), with the
 *    correlations the marts are meant to find.
 */
#ifndef GEN_EXPERIENCE_H
#define GEN_EXPERIENCE_H

#include "gen_common.h"

/* The member pool size used when only --calls is given: about 2 calls per
 * member per 90 days. */
int64_t		gen_experience_members_for(int64_t calls, int days);

/* Write the experience CSVs into o->output_dir. */
gen_status	gen_experience_run(const gen_source_opts *o);

#endif							/* GEN_EXPERIENCE_H */
