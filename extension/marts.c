/*
 * marts.c
 *    The C helpers of the mart framework (extension/sql/46_marts_refresh.sql,
 *    47_marts_schedule.sql): whether refresh_marts may commit, and pg_cron
 *    calls in the database where pg_cron lives when that is not this one.
 *
 *    pg_cron keeps its job table in one database (cron.database_name) and
 *    starts jobs in any database.  cron.schedule_in_database must therefore
 *    be called in pg_cron's database; cm_cron_call opens one libpq
 *    connection there, as the current role, over this server's own socket,
 *    and runs one of two fixed, parameterised statements.  It never runs
 *    caller-supplied SQL.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "libpq-fe.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "postmaster/postmaster.h"
#include "common/string.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(cm_in_transaction_block);
PG_FUNCTION_INFO_V1(cm_cron_call);

/* True inside an explicit transaction block (BEGIN ... COMMIT). */
Datum
cm_in_transaction_block(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(IsTransactionBlock());
}

/* The first socket directory of this server, or NULL when it has none. */
static char *
own_socket_dir(void)
{
	char	   *dirs;
	char	   *comma;

	if (Unix_socket_directories == NULL || Unix_socket_directories[0] == '\0')
		return NULL;
	dirs = pstrdup(Unix_socket_directories);
	comma = strchr(dirs, ',');
	if (comma)
		*comma = '\0';
	return pstrdup(dirs);
}

/* Open a connection to database dbname of this server as the current role. */
static PGconn *
connect_own_server(const char *dbname)
{
	const char *keys[7];
	const char *vals[7];
	char		port[16];
	char	   *sockdir = own_socket_dir();
	int			n = 0;
	PGconn	   *conn;

	snprintf(port, sizeof(port), "%d", PostPortNumber);
	keys[n] = "host";
	vals[n++] = sockdir ? sockdir : "127.0.0.1";
	keys[n] = "port";
	vals[n++] = port;
	keys[n] = "dbname";
	vals[n++] = dbname;
	keys[n] = "user";
	vals[n++] = GetUserNameFromId(GetUserId(), false);
	keys[n] = "application_name";
	vals[n++] = "costmodel.schedule_refresh";
	keys[n] = "client_encoding";
	vals[n++] = GetDatabaseEncodingName();
	keys[n] = NULL;
	vals[n] = NULL;

	conn = PQconnectdbParams(keys, vals, 0);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		char	   *msg = pstrdup(conn ? PQerrorMessage(conn) : "out of memory");

		if (conn)
			PQfinish(conn);
		(void) pg_strip_crlf(msg);
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not connect to database \"%s\", where pg_cron lives", dbname),
				 errdetail_internal("%s", msg),
				 errhint("costmodel connects over this server's own socket as role \"%s\" without a password: "
						 "allow that in pg_hba.conf (peer or trust for local), or CREATE EXTENSION costmodel "
						 "in database \"%s\" and schedule from there.",
						 vals[3], dbname)));
	}
	return conn;
}

/*
 * cm_cron_call(cron_db, action, job_name, schedule, command, target_db):
 * action 'schedule' runs cron.schedule_in_database and returns the job id;
 * 'unschedule' runs cron.unschedule(job_name) when such a job exists and
 * returns the number of jobs removed (0 or 1).  Both in database cron_db.
 */
Datum
cm_cron_call(PG_FUNCTION_ARGS)
{
	char	   *cron_db = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *action = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *job_name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	const char *sql;
	const char *params[4];
	int			nparams;
	PGconn	   *volatile conn = NULL;
	char	   *volatile error = NULL;
	int64		result = 0;

	if (strcmp(action, "schedule") == 0)
	{
		if (PG_ARGISNULL(3) || PG_ARGISNULL(4) || PG_ARGISNULL(5))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("schedule, command and target database must not be NULL")));
		sql = "SELECT cron.schedule_in_database($1, $2, $3, $4)";
		params[0] = job_name;
		params[1] = text_to_cstring(PG_GETARG_TEXT_PP(3));
		params[2] = text_to_cstring(PG_GETARG_TEXT_PP(4));
		params[3] = text_to_cstring(PG_GETARG_TEXT_PP(5));
		nparams = 4;
	}
	else if (strcmp(action, "unschedule") == 0)
	{
		sql = "SELECT count(cron.unschedule(j.jobid)) FROM cron.job j "
			"WHERE j.jobname = $1 AND j.username = current_user";
		params[0] = job_name;
		nparams = 1;
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown pg_cron action \"%s\"", action),
				 errhint("The actions are schedule and unschedule.")));

	conn = connect_own_server(cron_db);
	PG_TRY();
	{
		PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);

		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
			error = pstrdup(PQresultErrorMessage(res));
		else
			result = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	PG_FINALLY();
	{
		PQfinish(conn);
	}
	PG_END_TRY();

	if (error != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("pg_cron call failed in database \"%s\"", cron_db),
				 errdetail_internal("%s", error),
				 errhint("Check that CREATE EXTENSION pg_cron was run in database \"%s\" "
						 "and that role \"%s\" may use it.",
						 cron_db, GetUserNameFromId(GetUserId(), false))));
	PG_RETURN_INT64(result);
}
