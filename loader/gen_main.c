/*
 * gen_main.c
 *    costmodel-gen: the command line of the test-data generator.  Parses
 *    options, opens the output (stdout, a file, or gzip when the name ends
 *    in .gz) and dispatches to a subcommand.
 *
 * To add a subcommand: write a run_NAME() adapter below that maps the parsed
 * options onto the generator's own options, and add a row to subcommands[]
 * saying which options it accepts.  New options go in long_options[], the
 * OPT_ bits and parse_option().  Subcommands that write several files
 * (experience, cases, claims) take --output-dir instead of --output and
 * open their files themselves.
 *
 * Exit codes follow sysexits.h: 0 success, 64 usage error, 70 internal
 * error (out of memory), 73 the output cannot be created, 74 write error.
 */
#include "gen_traces.h"
#include "gen_cases.h"
#include "gen_claims.h"
#include "gen_experience.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define GEN_VERSION		"costmodel-gen 0.1"

#define EXIT_USAGE		64
#define EXIT_SOFTWARE	70
#define EXIT_CANTCREAT	73
#define EXIT_IOERR		74

/* Options a subcommand may accept, as bits. */
#define OPT_COUNT		(1u << 0)
#define OPT_SEED		(1u << 1)
#define OPT_START		(1u << 2)
#define OPT_DAYS		(1u << 3)
#define OPT_OUTPUT		(1u << 4)
#define OPT_CLEAN		(1u << 5)
#define OPT_MEMBERS		(1u << 6)
#define OPT_CALLS		(1u << 7)
#define OPT_OUTDIR		(1u << 8)

/* Everything the command line can say. */
typedef struct cli_opts
{
	unsigned	given;			/* OPT_ bits seen */
	int64_t		count;
	uint64_t	seed;
	int			start_y,
				start_m,
				start_d;
	int			days;
	const char *output;			/* NULL or "-": stdout */
	bool		clean;
	int64_t		members;
	int64_t		calls;
	const char *output_dir;		/* default "." */
} cli_opts;

/* Where output goes: a stdio stream or a gzip stream. */
typedef struct cli_out
{
	const char *name;			/* for messages */
	FILE	   *fp;
	gzFile		gz;
	bool		is_file;		/* a file we created (removed on failure) */
} cli_out;

/* A subcommand: its name, a one-line summary, options, and entry point. */
typedef struct subcommand
{
	const char *name;
	const char *summary;
	const char *usage;			/* the options part of the synopsis */
	unsigned	accepts;		/* OPT_ bits */
	unsigned	requires;		/* OPT_ bits that must be given */
	int			(*run) (const cli_opts *o, cli_out *out);	/* out: NULL with OPT_OUTDIR */
} subcommand;

static int	run_traces(const cli_opts *o, cli_out *out);
static int	run_experience(const cli_opts *o, cli_out *out);
static int	run_cases(const cli_opts *o, cli_out *out);
static int	run_claims(const cli_opts *o, cli_out *out);

static const subcommand subcommands[] = {
	{"traces", "realistic cost-estimator traces, one JSON document per line",
		"--count N --seed S [--start YYYY-MM-DD] [--days D] [--output FILE] [--clean]",
		OPT_COUNT | OPT_SEED | OPT_START | OPT_DAYS | OPT_OUTPUT | OPT_CLEAN,
	OPT_COUNT | OPT_SEED, run_traces},
	{"experience", "member experience CSVs: members, calls, digital, surveys, fills, enrollments, claims",
		"(--members N | --calls N) --seed S [--start YYYY-MM-DD] [--days D] [--output-dir DIR]",
		OPT_MEMBERS | OPT_CALLS | OPT_SEED | OPT_START | OPT_DAYS | OPT_OUTDIR,
	OPT_SEED, run_experience},
	{"cases", "patient-advocacy CSVs: advocates, cases, events, interactions, feedback",
		"--members N --seed S [--start YYYY-MM-DD] [--days D] [--output-dir DIR]",
		OPT_MEMBERS | OPT_SEED | OPT_START | OPT_DAYS | OPT_OUTDIR,
	OPT_MEMBERS | OPT_SEED, run_cases},
	{"claims", "billing-system claims exports in four layouts, with a manifest of bad rows",
		"--members N --seed S [--start YYYY-MM-DD] [--days D] [--output-dir DIR]",
		OPT_MEMBERS | OPT_SEED | OPT_START | OPT_DAYS | OPT_OUTDIR,
	OPT_MEMBERS | OPT_SEED, run_claims},
};

static const struct option long_options[] = {
	{"count", required_argument, NULL, 'n'},
	{"seed", required_argument, NULL, 's'},
	{"start", required_argument, NULL, 'S'},
	{"days", required_argument, NULL, 'D'},
	{"output", required_argument, NULL, 'o'},
	{"clean", no_argument, NULL, 'C'},
	{"members", required_argument, NULL, 'm'},
	{"calls", required_argument, NULL, 'c'},
	{"output-dir", required_argument, NULL, 'd'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0}
};

/* The OPT_ bit of an option letter; 0 for --help and --version. */
static unsigned
option_bit(int c)
{
	switch (c)
	{
		case 'n':
			return OPT_COUNT;
		case 's':
			return OPT_SEED;
		case 'S':
			return OPT_START;
		case 'D':
			return OPT_DAYS;
		case 'o':
			return OPT_OUTPUT;
		case 'C':
			return OPT_CLEAN;
		case 'm':
			return OPT_MEMBERS;
		case 'c':
			return OPT_CALLS;
		case 'd':
			return OPT_OUTDIR;
		default:
			return 0;
	}
}

/* Print the general help text. */
static void
print_help(FILE *f)
{
	fprintf(f, "costmodel-gen writes deterministic, realistic test data for costmodel.\n\n"
			"Usage:\n"
			"  costmodel-gen SUBCOMMAND [OPTION]...\n\n"
			"Subcommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\nOptions:\n"
			"  -n, --count N          number of output lines (0..%" PRId64 ")\n"
			"  -s, --seed S           random seed; the same seed and options give the same bytes\n"
			"      --start YYYY-MM-DD first day of the time range (default 2025-01-01)\n"
			"      --days D           length of the time range in days (default 90)\n"
			"  -o, --output FILE      write to FILE instead of stdout; gzip if FILE ends in .gz\n"
			"      --clean            no messy values, duplicate lines or malformed lines\n"
			"      --members N        size of the member pool (1..%" PRId64 "); the same --seed,\n"
			"                         --members, --start and --days give the same members\n"
			"      --calls N          experience: write exactly N calls (0..%" PRId64 "); without\n"
			"                         --members the pool is sized for about 2 calls per member\n"
			"                         per 90 days\n"
			"      --output-dir DIR   where experience, cases and claims write their files\n"
			"                         (default: the current directory; created if missing)\n"
			"  -h, --help             show this help, then exit\n"
			"  -V, --version          show the version, then exit\n\n"
			"Run \"costmodel-gen SUBCOMMAND --help\" for a subcommand's synopsis.\n"
			"Exit status: 0 success, 64 usage error, 70 out of memory,\n"
			"73 cannot create the output, 74 write error.\n",
			GEN_TRACES_MAX_COUNT, GEN_MAX_MEMBERS, GEN_MAX_CALLS);
}

/* Print one subcommand's synopsis. */
static void
print_sub_help(FILE *f, const subcommand *sc)
{
	fprintf(f, "costmodel-gen %s: %s\n\nUsage:\n  costmodel-gen %s %s\n\n"
			"Run \"costmodel-gen --help\" for what each option means.\n",
			sc->name, sc->summary, sc->name, sc->usage);
}

static int	usage_error(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/* Report a usage error on stderr and return the usage exit code. */
static int
usage_error(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "costmodel-gen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry \"costmodel-gen --help\" for more information.\n");
	return EXIT_USAGE;
}

/* Parse a signed decimal within [lo, hi]; false if it is not one. */
static bool
parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char	   *end;
	long long	v;

	if (*s == '\0' || *s == ' ')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* Parse an unsigned 64-bit decimal; false if it is not one. */
static bool
parse_u64(const char *s, uint64_t *out)
{
	char	   *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

/* Parse YYYY-MM-DD into a valid calendar date between 1971 and 9998. */
static bool
parse_date(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			len = 0;
	bool		leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	if (*y < 1971 || *y > 9998 || *m < 1 || *m > 12)
		return false;
	leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	len = mdays[*m - 1] + (*m == 2 && leap);
	return *d >= 1 && *d <= len;
}

/* Apply one parsed option; returns 0 or a usage exit code. */
static int
parse_option(int c, const char *arg, cli_opts *o)
{
	int64_t		v;

	switch (c)
	{
		case 'n':
			if (!parse_int(arg, 0, GEN_TRACES_MAX_COUNT, &v))
				return usage_error("--count must be a whole number from 0 to %" PRId64 ", not \"%s\"",
								   GEN_TRACES_MAX_COUNT, arg);
			o->count = v;
			o->given |= OPT_COUNT;
			break;
		case 's':
			if (!parse_u64(arg, &o->seed))
				return usage_error("--seed must be a whole number from 0 to 18446744073709551615, not \"%s\"", arg);
			o->given |= OPT_SEED;
			break;
		case 'S':
			if (!parse_date(arg, &o->start_y, &o->start_m, &o->start_d))
				return usage_error("--start must be a date YYYY-MM-DD between 1971 and 9998, not \"%s\"", arg);
			o->given |= OPT_START;
			break;
		case 'D':
			if (!parse_int(arg, 1, GEN_TRACES_MAX_DAYS, &v))
				return usage_error("--days must be a whole number from 1 to %d, not \"%s\"",
								   GEN_TRACES_MAX_DAYS, arg);
			o->days = (int) v;
			o->given |= OPT_DAYS;
			break;
		case 'o':
			if (*arg == '\0')
				return usage_error("--output needs a file name");
			o->output = arg;
			o->given |= OPT_OUTPUT;
			break;
		case 'C':
			o->clean = true;
			o->given |= OPT_CLEAN;
			break;
		case 'm':
			if (!parse_int(arg, 1, GEN_MAX_MEMBERS, &v))
				return usage_error("--members must be a whole number from 1 to %" PRId64 ", not \"%s\"",
								   GEN_MAX_MEMBERS, arg);
			o->members = v;
			o->given |= OPT_MEMBERS;
			break;
		case 'c':
			if (!parse_int(arg, 0, GEN_MAX_CALLS, &v))
				return usage_error("--calls must be a whole number from 0 to %" PRId64 ", not \"%s\"",
								   GEN_MAX_CALLS, arg);
			o->calls = v;
			o->given |= OPT_CALLS;
			break;
		case 'd':
			if (*arg == '\0')
				return usage_error("--output-dir needs a directory name");
			o->output_dir = arg;
			o->given |= OPT_OUTDIR;
			break;
		default:
			return usage_error("unhandled option \"-%c\"", c);
	}
	return 0;
}

/* Open the output named in the options. */
static bool
out_open(cli_out *out, const char *path)
{
	size_t		len;

	memset(out, 0, sizeof(*out));
	if (path == NULL || strcmp(path, "-") == 0)
	{
		out->name = "standard output";
		out->fp = stdout;
		return true;
	}
	out->name = path;
	out->is_file = true;
	len = strlen(path);
	if (len > 3 && strcmp(path + len - 3, ".gz") == 0)
	{
		out->gz = gzopen(path, "wb6");
		if (out->gz != NULL)
			gzbuffer(out->gz, 1 << 18);
		return out->gz != NULL;
	}
	out->fp = fopen(path, "wb");
	return out->fp != NULL;
}

/* The write callback handed to generators. */
static bool
out_write(void *arg, const char *buf, size_t len)
{
	cli_out    *out = arg;

	if (out->gz != NULL)
	{
		while (len > 0)
		{
			unsigned	chunk = len > (1u << 30) ? (1u << 30) : (unsigned) len;

			if (gzwrite(out->gz, buf, chunk) != (int) chunk)
				return false;
			buf += chunk;
			len -= chunk;
		}
		return true;
	}
	return fwrite(buf, 1, len, out->fp) == len;
}

/* Finish the output; ok says whether generation succeeded.  True if all is written. */
static bool
out_close(cli_out *out, bool ok)
{
	if (out->gz != NULL)
		ok = gzclose(out->gz) == Z_OK && ok;
	else if (out->fp == stdout)
		ok = fflush(stdout) == 0 && !ferror(stdout) && ok;
	else if (out->fp != NULL)
		ok = fclose(out->fp) == 0 && ok;
	if (!ok && out->is_file)
		remove(out->name);
	return ok;
}

/* The traces subcommand: map options and run the generator. */
static int
run_traces(const cli_opts *o, cli_out *out)
{
	gen_traces_opts t;
	gen_traces_status st;

	t.count = o->count;
	t.seed = o->seed;
	t.start_year = o->start_y;
	t.start_month = o->start_m;
	t.start_day = o->start_d;
	t.days = o->days;
	t.clean = o->clean;
	st = gen_traces_run(&t, out_write, out);
	if (st == GEN_TRACES_NO_MEMORY)
	{
		fprintf(stderr, "costmodel-gen: out of memory\n");
		return EXIT_SOFTWARE;
	}
	if (st == GEN_TRACES_WRITE_FAILED)
		return EXIT_IOERR;
	return 0;
}

/* Map the options onto those of the directory-writing generators. */
static void
source_opts(const cli_opts *o, gen_source_opts *s)
{
	s->members = o->members;
	s->calls = (o->given & OPT_CALLS) ? o->calls : -1;
	s->seed = o->seed;
	s->first_day = days_from_civil(o->start_y, o->start_m, o->start_d);
	s->days = o->days;
	s->output_dir = o->output_dir ? o->output_dir : ".";
}

/* The exit code of a directory-writing generator's outcome (it reported errors). */
static int
source_exit(gen_status st)
{
	switch (st)
	{
		case GEN_OK:
			return 0;
		case GEN_CANT_CREATE:
			return EXIT_CANTCREAT;
		case GEN_WRITE_FAILED:
			return EXIT_IOERR;
		case GEN_NO_MEMORY:
			fprintf(stderr, "costmodel-gen: out of memory\n");
			return EXIT_SOFTWARE;
	}
	return EXIT_SOFTWARE;
}

/* The experience subcommand. */
static int
run_experience(const cli_opts *o, cli_out *out)
{
	gen_source_opts s;

	if (!(o->given & (OPT_MEMBERS | OPT_CALLS)))
		return usage_error("\"experience\" needs --members or --calls");
	source_opts(o, &s);
	if (!(o->given & OPT_MEMBERS))
		s.members = gen_experience_members_for(o->calls, o->days);
	return source_exit(gen_experience_run(&s));
}

/* The cases subcommand. */
static int
run_cases(const cli_opts *o, cli_out *out)
{
	gen_source_opts s;

	source_opts(o, &s);
	return source_exit(gen_cases_run(&s));
}

/* The claims subcommand. */
static int
run_claims(const cli_opts *o, cli_out *out)
{
	gen_source_opts s;

	source_opts(o, &s);
	return source_exit(gen_claims_run(&s));
}

/* Parse the command line, open the output and run the subcommand. */
int
main(int argc, char **argv)
{
	const subcommand *sc = NULL;
	cli_opts	o;
	cli_out		out;
	int			c,
				rc;

	if (argc < 2)
		return usage_error("no subcommand given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
	{
		print_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
	{
		puts(GEN_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			sc = &subcommands[i];
	if (sc == NULL)
	{
		if (argv[1][0] == '-')
			return usage_error("the subcommand must come first, not \"%s\"", argv[1]);
		return usage_error("unknown subcommand \"%s\"", argv[1]);
	}

	memset(&o, 0, sizeof(o));
	o.start_y = 2025;
	o.start_m = 1;
	o.start_d = 1;
	o.days = 90;

	/* parse the options after the subcommand name; argv[1] plays argv[0] */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, ":n:s:o:hV", long_options, NULL)) != -1)
	{
		const char *bad = argv[optind];	/* argv+1 shifts optind by one */

		switch (c)
		{
			case 'h':
				print_sub_help(stdout, sc);
				return 0;
			case 'V':
				puts(GEN_VERSION);
				return 0;
			case '?':
				if (optopt)
					return usage_error("unknown option \"-%c\"", optopt);
				return usage_error("unknown option \"%s\"", bad);
			case ':':
				return usage_error("option \"%s\" needs a value", bad);
			default:
				if ((rc = parse_option(c, optarg, &o)) != 0)
					return rc;
				break;
		}
	}
	if (optind < argc - 1)
		return usage_error("unexpected argument \"%s\"", argv[optind + 1]);
	for (int i = 0; long_options[i].name; i++)
	{
		unsigned	bit = option_bit(long_options[i].val);

		if ((o.given & bit) && !(sc->accepts & bit))
			return usage_error("\"%s\" does not take --%s", sc->name,
							   long_options[i].name);
		if ((sc->requires & bit) && !(o.given & bit))
			return usage_error("\"%s\" needs --%s", sc->name,
							   long_options[i].name);
	}

	if (sc->accepts & OPT_OUTDIR)
		return sc->run(&o, NULL);
	if (!out_open(&out, o.output))
	{
		fprintf(stderr, "costmodel-gen: could not create \"%s\": %s\n",
				o.output, strerror(errno));
		return EXIT_CANTCREAT;
	}
	rc = sc->run(&o, &out);
	if (!out_close(&out, rc == 0) && rc == 0)
		rc = EXIT_IOERR;
	if (rc == EXIT_IOERR)
		fprintf(stderr, "costmodel-gen: could not write to %s: %s\n",
				out.name, strerror(errno));
	return rc;
}
