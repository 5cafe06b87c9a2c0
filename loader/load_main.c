/*
 * load_main.c
 *    costmodel-load: the command line (psql-style connection options, the
 *    command dispatch, --help and --version), error reporting and the
 *    connection to the server.
 *
 *    costmodel-load [connection options] COMMAND [command options] [FILE...]
 *
 * Global options may also follow the command name.  A new command is one
 * entry in commands[] plus its section of the help text.
 */
#include "load.h"
#include "load_csv.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One command: its name, a one-line summary and its entry point. */
typedef struct load_command
{
	const char *name;
	const char *summary;
	int			(*main) (load_global *g, int argc, char **argv);
} load_command;

static const load_command commands[] = {
	{"traces", "load cost-estimator traces (NDJSON, plain or gzip)", load_traces_main},
	{"csv", "load CSV exports into the source tables (members, calls, claims ...)", load_csv_main},
	{"status", "list unfinished and recent loads from the ledger", load_status_main},
};

#define NCOMMANDS ((int) (sizeof(commands) / sizeof(commands[0])))

/* Print the full help text. */
static void
help(void)
{
	printf("%s loads cost-estimator data into a PostgreSQL database in which the\n"
		   "costmodel extension is installed (CREATE EXTENSION costmodel).\n\n",
		   LOAD_PROGNAME);
	printf("Usage:\n"
		   "  %s [OPTION]... COMMAND [COMMAND OPTION]... [FILE]...\n\n",
		   LOAD_PROGNAME);
	printf("Commands:\n");
	for (int i = 0; i < NCOMMANDS; i++)
		printf("  %-24s %s\n", commands[i].name, commands[i].summary);
	printf("\nConnection options:\n"
		   "  -d, --dbname=DBNAME      database name, or a connection string or URI\n"
		   "                           (\"host=db1 dbname=cm\", \"postgresql://db1/cm\")\n"
		   "  -h, --host=HOSTNAME      database server host or socket directory\n"
		   "  -p, --port=PORT          database server port\n"
		   "  -U, --username=USERNAME  database user name\n"
		   "  The PG* environment variables (PGHOST, PGDATABASE, PGPASSWORD, ...),\n"
		   "  service files and ~/.pgpass apply as in psql; there is no password prompt.\n");
	printf("\nGeneral options (before or after COMMAND):\n"
		   "  -q, --quiet              print neither progress nor the summary\n"
		   "      --progress           print a progress line to stderr every 10 s even\n"
		   "                           when stderr is not a terminal (traces: always)\n"
		   "  -V, --version            print the version and exit\n"
		   "  -?, --help               print this help and exit\n");
	printf("\ntraces [OPTION]... [FILE]...\n"
		   "  FILE is NDJSON, one trace document per line, plain or gzip-compressed;\n"
		   "  \"-\" or no FILE reads standard input.\n"
		   "  -b, --batch-size=N       documents per transaction (default 5000)\n"
		   "  -j, --jobs=N             N workers, each with its own connection, load\n"
		   "                           byte ranges of a plain file in parallel (default\n"
		   "                           1; gzip data and standard input take one)\n"
		   "      --import-id=NAME     name the load in the ledger (default: the SHA-256\n"
		   "                           of the content); needed to resume standard input\n"
		   "      --max-rejects=N|P%%   stop once more than N lines, or more than P per\n"
		   "                           cent of the lines read, are rejected; the batches\n"
		   "                           committed before stay (default: no limit)\n"
		   "      --retry-seconds=S    after a lost connection, reconnect for up to S\n"
		   "                           seconds, then exit 2 (default 60)\n"
		   "      --max-line-bytes=N   reject lines longer than N bytes (default 64M;\n"
		   "                           suffixes k, M, G)\n"
		   "      --reject-file=FILE   also append each rejected line to FILE, as one JSON\n"
		   "                           object per line (source, line, byte_offset, reason,\n"
		   "                           path, raw; raw cut to 4096 bytes for a line\n"
		   "                           over the limit); written in --dry-run too\n"
		   "      --source=NAME        source name recorded with rejects (default: the\n"
		   "                           file's absolute path, \"stdin\" for standard input)\n"
		   "  -n, --dry-run            parse and validate only, connect to no database,\n"
		   "                           and report what would be loaded and rejected\n"
		   "                           (duplicates are then found only among lines at\n"
		   "                           most one batch apart)\n"
		   "      --copy-format=FMT    binary (default) or text COPY\n"
		   "      --parser=P           fast (default) or json-c, for comparison; both\n"
		   "                           give the same rows and rejects\n"
		   "\n"
		   "  A trace whose trace_id is already loaded, or appears earlier in the input,\n"
		   "  is counted as a duplicate and skipped.  A line that is not valid JSON or\n"
		   "  not a usable trace is rejected and recorded in costmodel.trace_reject with\n"
		   "  its line number and byte offset (for a JSON syntax error, the offset of\n"
		   "  the error).  Each batch is one transaction, which also moves the source's\n"
		   "  committed offset in the load ledger (costmodel.load_ledger): a re-run of\n"
		   "  an interrupted load continues after the last committed batch, a re-run of\n"
		   "  a finished one does nothing and says so, and a second loader of the same\n"
		   "  source waits for the first.  A lost connection is retried.  Progress goes\n"
		   "  to stderr (a bar on a terminal, else a line every 10 s); the summary to\n"
		   "  stdout:\n"
		   "    read N, loaded N, duplicates N, rejected N, in S s (R docs/s)\n");
	printf("\nstatus [--limit=N]\n"
		   "  List the unfinished loads and the N most recent finished ones (default\n"
		   "  20) from the load ledger (costmodel.load_status); \"interrupted\" marks a\n"
		   "  load whose loader is gone: run the same command again to resume it.\n");
	load_csv_help();
	printf("\nExit status:\n"
		   "  0   every line loaded or skipped as a duplicate\n"
		   "  1   error: input/output, server error, extension not installed\n"
		   "  2   cannot connect to the server, or the connection was lost and not\n"
		   "      restored within --retry-seconds (run the same command to resume)\n"
		   "  3   finished, but some lines were rejected\n"
		   "  4   stopped: more lines rejected than --max-rejects allows\n"
		   "  64  usage error\n");
}

/* Print an error message, prefixed with the program name. */
void
load_error(const char *fmt,...)
{
	va_list		ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", LOAD_PROGNAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * End the process after a fatal error: flush stdio, then _exit, so that no
 * exit handler (OpenSSL's, say) runs while the other thread still works.
 * The server rolls back the open transaction.
 */
void
load_exit(int code)
{
	fflush(NULL);
	_exit(code);
}

/* Print an error message and exit with the given code. */
void
load_die(int code, const char *fmt,...)
{
	va_list		ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", LOAD_PROGNAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	load_exit(code);
}

/* Report a usage error with a pointer to --help and exit 64. */
void
load_usage_error(const char *fmt,...)
{
	va_list		ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", LOAD_PROGNAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry \"%s --help\" for more information.\n", LOAD_PROGNAME);
	exit(LOAD_EXIT_USAGE);
}

/* Exit after a failed allocation. */
void
load_oom(void)
{
	load_die(LOAD_EXIT_ERROR, "out of memory");
}

/* malloc that never returns NULL. */
void *
load_malloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		load_oom();
	return p;
}

/* realloc that never returns NULL. */
void *
load_realloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL)
		load_oom();
	return p;
}

/* Seconds on a monotonic clock. */
double
load_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/*
 * Parse a size or count: digits with an optional k, M or G suffix (powers of
 * 1024), within [min, max].
 */
bool
load_parse_size(const char *arg, int64_t min, int64_t max, int64_t *out)
{
	char	   *end;
	long long	v;
	int64_t		mult = 1;

	if (arg[0] < '0' || arg[0] > '9')
		return false;
	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0)
		return false;
	if (*end == 'k' || *end == 'K')
		mult = INT64_C(1) << 10, end++;
	else if (*end == 'M')
		mult = INT64_C(1) << 20, end++;
	else if (*end == 'G')
		mult = INT64_C(1) << 30, end++;
	if (*end != '\0' || v > max / mult)
		return false;
	v *= mult;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * Handle one global option returned by getopt_long; false if c is not one.
 * argv and optind_now tell "-?" apart from getopt's "unknown option".
 */
bool
load_global_option(load_global *g, int c, const char *arg, char *const *argv,
				   int optind_now)
{
	switch (c)
	{
		case 'd':
			g->dbname = arg;
			return true;
		case 'h':
			g->host = arg;
			return true;
		case 'p':
			g->port = arg;
			return true;
		case 'U':
			g->user = arg;
			return true;
		case 'q':
			g->quiet = true;
			return true;
		case LOAD_OPT_PROGRESS:
			g->progress = true;
			return true;
		case 'V':
			printf("%s %s\n", LOAD_PROGNAME, LOAD_VERSION);
			exit(LOAD_EXIT_OK);
		case LOAD_OPT_HELP:
			help();
			exit(LOAD_EXIT_OK);
		case '?':
			if (optind_now > 0 && strcmp(argv[optind_now - 1], "-?") == 0)
			{
				help();
				exit(LOAD_EXIT_OK);
			}
			if (optopt != 0 && optopt != '?')
				load_usage_error("invalid option: -%c", optopt);
			load_usage_error("invalid option: %s",
							 argv[optind_now - 1]);
		case ':':
			load_usage_error("option requires an argument: %s", argv[optind_now - 1]);
		default:
			return false;
	}
}

/* Print "database "x" on host "y" port z as user "u"" without any password. */
static void
describe_conn(PGconn *conn, char *buf, size_t size)
{
	const char *db = PQdb(conn);
	const char *host = PQhost(conn);
	const char *port = PQport(conn);
	const char *user = PQuser(conn);

	snprintf(buf, size, "database \"%s\" on host \"%s\" port %s as user \"%s\"",
			 db ? db : "", host ? host : "", port ? port : "", user ? user : "");
}

/*
 * Connect as psql does: -d may be a conninfo string or URI (expand_dbname),
 * PG* variables and .pgpass apply.  The session gets a secure search_path
 * and UTF-8 client encoding.  Returns NULL, with the reason in err, when
 * the connection fails (for retrying after a lost connection).
 */
PGconn *
load_connect_quiet(const load_global *g, char *err, size_t errsize)
{
	const char *keywords[8];
	const char *values[8];
	int			n = 0;
	PGconn	   *conn;
	PGresult   *res;

	/* "dbname" first: expanding it must not override -h/-p/-U */
	keywords[n] = "dbname", values[n++] = g->dbname;
	keywords[n] = "host", values[n++] = g->host;
	keywords[n] = "port", values[n++] = g->port;
	keywords[n] = "user", values[n++] = g->user;
	keywords[n] = "fallback_application_name", values[n++] = LOAD_PROGNAME;
	keywords[n] = "client_encoding", values[n++] = "UTF8";
	keywords[n] = NULL, values[n] = NULL;

	conn = PQconnectdbParams(keywords, values, 1);
	if (conn == NULL)
		load_oom();
	if (PQstatus(conn) != CONNECTION_OK)
	{
		char		where[512];
		char	   *msg = PQerrorMessage(conn);
		size_t		len = strlen(msg);

		while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
			msg[--len] = '\0';
		describe_conn(conn, where, sizeof(where));
		snprintf(err, errsize, "cannot connect to %s: %s", where, msg);
		PQfinish(conn);
		return NULL;
	}
	/* as vacuumlo and pg_dump do: no user-writable schema in the path */
	res = PQexec(conn, "SELECT pg_catalog.set_config('search_path', '', false)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		snprintf(err, errsize, "setting search_path failed: %s", PQerrorMessage(conn));
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);
	return conn;
}

/* Connect (see load_connect_quiet); exits 2 when the connection fails. */
PGconn *
load_connect(const load_global *g)
{
	char		err[1024];
	PGconn	   *conn = load_connect_quiet(g, err, sizeof(err));

	if (conn == NULL)
	{
		load_error("%s", err);
		exit(LOAD_EXIT_CONNECT);
	}
	return conn;
}

/*
 * Was the connection lost?  True when libpq says so or the server reported
 * a connection-class or shutdown error.
 */
bool
load_conn_lost(PGconn *conn, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn) == CONNECTION_BAD)
		return true;
	if (state == NULL)
		return false;
	return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
		strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/*
 * Report a failed server operation with its SQLSTATE, message, detail and
 * hint, and exit: 2 if the connection was lost, 1 otherwise.
 */
void
load_die_server(PGconn *conn, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	bool		lost = load_conn_lost(conn, res);
	char		where[512];

	describe_conn(conn, where, sizeof(where));
	if (state && msg)
		load_error("%s failed: SQLSTATE %s: %s", what, state, msg);
	else
	{
		char	   *cmsg = PQerrorMessage(conn);
		size_t		len = strlen(cmsg);

		while (len > 0 && (cmsg[len - 1] == '\n' || cmsg[len - 1] == ' '))
			cmsg[--len] = '\0';
		load_error("%s failed: %s", what, len ? cmsg : "unknown error");
	}
	if (detail)
		fprintf(stderr, "DETAIL: %s\n", detail);
	if (hint)
		fprintf(stderr, "HINT: %s\n", hint);
	if (lost)
		fprintf(stderr, "%s: connection to %s lost\n", LOAD_PROGNAME, where);
	PQfinish(conn);
	load_exit(lost ? LOAD_EXIT_CONNECT : LOAD_EXIT_ERROR);
}

/* Run a parameterless statement; exit with a report unless it gives want. */
PGresult *
load_exec(PGconn *conn, const char *sql, ExecStatusType want, const char *what)
{
	PGresult   *res = PQexec(conn, sql);

	if (PQresultStatus(res) != want)
		load_die_server(conn, res, what);
	return res;
}

/* Exit 1 with a hint unless the costmodel tables exist in this database. */
void
load_check_extension(PGconn *conn)
{
	PGresult   *res;
	bool		ok;

	res = load_exec(conn,
					"SELECT pg_catalog.to_regclass('costmodel.fact_trace') IS NOT NULL"
					" AND pg_catalog.to_regclass('costmodel.trace_reject') IS NOT NULL",
					PGRES_TUPLES_OK, "checking for the costmodel extension");
	ok = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!ok)
	{
		load_error("the costmodel tables do not exist in database \"%s\"", PQdb(conn));
		fprintf(stderr, "HINT: run CREATE EXTENSION costmodel in database \"%s\" first.\n",
				PQdb(conn));
		PQfinish(conn);
		exit(LOAD_EXIT_ERROR);
	}
}

/* Parse the global options, find the command and run it. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		LOAD_GLOBAL_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	load_global g;
	int			c;
	const char *name;

	memset(&g, 0, sizeof(g));
	opterr = 0;
	/* "+": stop at the command name; its own options follow it */
	while ((c = getopt_long(argc, argv, "+:" LOAD_GLOBAL_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (!load_global_option(&g, c, optarg, argv, optind))
			load_usage_error("invalid option: %s", argv[optind - 1]);
	}
	if (optind >= argc)
		load_usage_error("no command given");
	name = argv[optind];
	for (int i = 0; i < NCOMMANDS; i++)
	{
		if (strcmp(name, commands[i].name) == 0)
		{
			argc -= optind;
			argv += optind;
			optind = 0;			/* glibc: start afresh on the new vector */
			return commands[i].main(&g, argc, argv);
		}
	}
	load_usage_error("unknown command \"%s\"", name);
}
