/*
 * pg_json_check.h
 *    Validate one JSON document with PostgreSQL's own lexer, so that the
 *    loader rejects exactly the syntax that jsonb rejects.
 */
#ifndef PG_JSON_CHECK_H
#define PG_JSON_CHECK_H

#include <stddef.h>

/*
 * NULL when s/len is JSON that jsonb accepts; otherwise a static reason, and
 * *err_offset is the byte offset of the offending token within s.
 */
const char *pg_json_check(const char *s, size_t len, size_t *err_offset);

#endif							/* PG_JSON_CHECK_H */
