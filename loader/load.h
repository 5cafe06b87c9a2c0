/*
 * load.h
 *    Declarations shared by the parts of costmodel-load: exit codes, the
 *    global (connection and output) options, error reporting, memory
 *    helpers, the connection, and the entry points of the commands.
 */
#ifndef LOAD_H
#define LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libpq-fe.h"

#define LOAD_PROGNAME	"costmodel-load"
#define LOAD_VERSION	"0.1"

/* Exit codes; documented in --help. */
enum
{
	LOAD_EXIT_OK = 0,
	LOAD_EXIT_ERROR = 1,		/* I/O error, server error */
	LOAD_EXIT_CONNECT = 2,		/* cannot connect, or the connection was lost */
	LOAD_EXIT_REJECTS = 3,		/* finished, but some lines were rejected */
	LOAD_EXIT_REJECT_LIMIT = 4, /* stopped: more rejects than --max-rejects */
	LOAD_EXIT_USAGE = 64		/* bad command line */
};

#define LOAD_NORETURN	__attribute__((noreturn))
#define LOAD_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Options every command accepts, before or after the command name. */
typedef struct load_global
{
	const char *dbname;			/* database name, conninfo string or URI */
	const char *host;
	const char *port;
	const char *user;
	bool		quiet;			/* no progress, no summary */
	bool		progress;		/* progress lines even when stderr is no TTY */
} load_global;

/*
 * Short and long forms of the global options, for each command to merge into
 * its own getopt_long tables; load_global_option() handles them.
 */
#define LOAD_GLOBAL_SHORTOPTS	"d:h:p:U:qV?"
#define LOAD_OPT_PROGRESS		256
#define LOAD_OPT_HELP			257
#define LOAD_GLOBAL_LONGOPTS \
	{"dbname", required_argument, NULL, 'd'}, \
	{"host", required_argument, NULL, 'h'}, \
	{"port", required_argument, NULL, 'p'}, \
	{"username", required_argument, NULL, 'U'}, \
	{"quiet", no_argument, NULL, 'q'}, \
	{"progress", no_argument, NULL, LOAD_OPT_PROGRESS}, \
	{"version", no_argument, NULL, 'V'}, \
	{"help", no_argument, NULL, LOAD_OPT_HELP}

/* load_main.c */
bool		load_global_option(load_global *g, int c, const char *arg,
							   char *const *argv, int optind_now);
LOAD_NORETURN void load_usage_error(const char *fmt,...) LOAD_PRINTF(1, 2);
void		load_error(const char *fmt,...) LOAD_PRINTF(1, 2);
LOAD_NORETURN void load_die(int code, const char *fmt,...) LOAD_PRINTF(2, 3);
LOAD_NORETURN void load_oom(void);
LOAD_NORETURN void load_exit(int code);
void	   *load_malloc(size_t size);
void	   *load_realloc(void *p, size_t size);
bool		load_parse_size(const char *arg, int64_t min, int64_t max, int64_t *out);
PGconn	   *load_connect(const load_global *g);
PGconn	   *load_connect_quiet(const load_global *g, char *err, size_t errsize);
bool		load_conn_lost(PGconn *conn, const PGresult *res);
LOAD_NORETURN void load_die_server(PGconn *conn, const PGresult *res,
								   const char *what);
PGresult   *load_exec(PGconn *conn, const char *sql, ExecStatusType want,
					  const char *what);
void		load_check_extension(PGconn *conn);
double		load_now(void);

/* The commands: argv[0] is the command name. */
int			load_traces_main(load_global *g, int argc, char **argv);
int			load_status_main(load_global *g, int argc, char **argv);

#endif							/* LOAD_H */
