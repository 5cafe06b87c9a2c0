/*
 * load_ledger.c
 *    The load ledger of costmodel-load; see load_ledger.h and docs/loader.md.
 *
 * A source is identified by the SHA-256 of its uncompressed content,
 * computed in a first pass over the file before anything is loaded.  The
 * same pass finds the split points of --jobs ranges (line starts near equal
 * byte offsets) and the line numbers there.  With the x86 SHA extensions
 * the pass runs at several hundred MB/s (gzip input: zlib's speed), a few
 * per cent of a load; the portable code is used elsewhere.
 *
 * One run owns a source while it holds a session advisory lock on
 * load_lock_key(import_id) and its token is in the source's ledger rows.  A
 * second loader of the same source waits for the lock, then finds the load
 * finished (and does nothing) or unfinished (and resumes it).  Every batch
 * commit names the range's committed offset it starts from and this run's
 * token, so it can neither be committed twice nor after another run took
 * the source over.
 */
#include "load_ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI 1
#endif

#define PASS_CHUNK		(4 * 1024 * 1024)

/* ---------------------------------------------------------------- SHA-256 */

/* The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

/* Process n 64-byte blocks with portable code (FIPS 180-4, 6.2.2). */
static void
blocks_portable(uint32_t *hs, const unsigned char *p, size_t n)
{
	for (; n > 0; n--, p += 64)
	{
		uint32_t	w[64];
		uint32_t	a = hs[0],
					b = hs[1],
					c = hs[2],
					d = hs[3],
					e = hs[4],
					f = hs[5],
					g = hs[6],
					h = hs[7];

		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 |
				(uint32_t) p[4 * i + 2] << 8 | (uint32_t) p[4 * i + 3];
		for (int i = 16; i < 64; i++)
		{
			uint32_t	s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t	s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);

			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		for (int i = 0; i < 64; i++)
		{
			uint32_t	t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) +
				((e & f) ^ (~e & g)) + K[i] + w[i];
			uint32_t	t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) +
				((a & b) ^ (a & c) ^ (b & c));

			h = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		hs[0] += a;
		hs[1] += b;
		hs[2] += c;
		hs[3] += d;
		hs[4] += e;
		hs[5] += f;
		hs[6] += g;
		hs[7] += h;
	}
}

#ifdef HAVE_SHA_NI
/*
 * Process n blocks with the SHA extensions: the state lives in two vectors
 * (ABEF and CDGH), sha256rnds2 does two rounds, sha256msg1/msg2 extend the
 * message schedule four words at a time.  Rounds go in 16 groups of four.
 */
__attribute__((target("sha,sse4.1")))
static void
blocks_shani(uint32_t *hs, const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i		tmp = _mm_loadu_si128((const __m128i *) &hs[0]);
	__m128i		st1 = _mm_loadu_si128((const __m128i *) &hs[4]);
	__m128i		st0;

	tmp = _mm_shuffle_epi32(tmp, 0xB1);	/* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);	/* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);	/* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);	/* CDGH */

	for (; n > 0; n--, p += 64)
	{
		__m128i		save0 = st0,
					save1 = st1;
		__m128i		m[4];

		/* unrolled, m[] stays in registers: twice as fast */
#pragma GCC unroll 16
		for (int g = 0; g < 16; g++)
		{
			__m128i		msg;

			if (g < 4)
				m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16 * g)), bswap);
			msg = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *) &K[4 * g]));
			st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
			if (g >= 3 && g <= 14)
			{
				__m128i		t = _mm_alignr_epi8(m[g & 3], m[(g - 1) & 3], 4);

				m[(g + 1) & 3] = _mm_add_epi32(m[(g + 1) & 3], t);
				m[(g + 1) & 3] = _mm_sha256msg2_epu32(m[(g + 1) & 3], m[g & 3]);
			}
			msg = _mm_shuffle_epi32(msg, 0x0E);
			st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
			if (g >= 1 && g <= 12)
				m[(g - 1) & 3] = _mm_sha256msg1_epu32(m[(g - 1) & 3], m[g & 3]);
		}
		st0 = _mm_add_epi32(st0, save0);
		st1 = _mm_add_epi32(st1, save1);
	}

	tmp = _mm_shuffle_epi32(st0, 0x1B);	/* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);	/* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);	/* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);	/* ABEF */
	_mm_storeu_si128((__m128i *) &hs[0], st0);
	_mm_storeu_si128((__m128i *) &hs[4], st1);
}
#endif

/* The block function, chosen once. */
static void (*blocks_fn) (uint32_t *hs, const unsigned char *p, size_t n);

/*
 * Does this CPU have the SHA extensions (and are they not disabled with
 * COSTMODEL_LOAD_NO_SHANI=1, which the tests use to check both paths)?
 */
bool
load_sha256_accelerated(void)
{
#ifdef HAVE_SHA_NI
	const char *off = getenv("COSTMODEL_LOAD_NO_SHANI");
	unsigned int a,
				b,
				c,
				d;
	bool		sse41,
				sha;

	if (off && strcmp(off, "1") == 0)
		return false;
	/* CPUID leaf 1: ECX bit 19 is SSE4.1; leaf 7: EBX bit 29 is SHA */
	sse41 = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19));
	sha = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
	return sse41 && sha;
#else
	return false;
#endif
}

/* Start a new digest. */
void
load_sha256_init(load_sha256 *s)
{
	static const uint32_t H0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	if (blocks_fn == NULL)
	{
#ifdef HAVE_SHA_NI
		blocks_fn = load_sha256_accelerated() ? blocks_shani : blocks_portable;
#else
		blocks_fn = blocks_portable;
#endif
	}
	memcpy(s->h, H0, sizeof(H0));
	s->bytes = 0;
	s->used = 0;
}

/* Add len bytes to the message. */
void
load_sha256_update(load_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->bytes += len;
	if (s->used > 0)
	{
		size_t		n = 64 - s->used < len ? 64 - s->used : len;

		memcpy(s->block + s->used, p, n);
		s->used += n;
		p += n;
		len -= n;
		if (s->used < 64)
			return;
		blocks_fn(s->h, s->block, 1);
		s->used = 0;
	}
	if (len >= 64)
	{
		blocks_fn(s->h, p, len / 64);
		p += len & ~(size_t) 63;
		len &= 63;
	}
	memcpy(s->block, p, len);
	s->used = len;
}

/* Pad, finish and write the digest as 64 lower-case hex digits and a NUL. */
void
load_sha256_hex(load_sha256 *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t	bits = s->bytes * 8;

	s->block[s->used++] = 0x80;
	if (s->used > 56)
	{
		memset(s->block + s->used, 0, 64 - s->used);
		blocks_fn(s->h, s->block, 1);
		s->used = 0;
	}
	memset(s->block + s->used, 0, 56 - s->used);
	for (int i = 0; i < 8; i++)
		s->block[56 + i] = (unsigned char) (bits >> (56 - 8 * i));
	blocks_fn(s->h, s->block, 1);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++)
			out[8 * i + j] = hex[(s->h[i] >> (28 - 4 * j)) & 0xF];
	out[64] = '\0';
}

/* ---------------------------------------------------------------- first pass */

/* Number of newlines in p[0..n). */
static int64_t
count_newlines(const char *p, size_t n)
{
	int64_t		c = 0;
	const char *end = p + n;

	while (p < end && (p = memchr(p, '\n', (size_t) (end - p))) != NULL)
	{
		c++;
		p++;
	}
	return c;
}

/*
 * Read the file at path once: its SHA-256 and uncompressed size, and for a
 * plain file split points for up to nranges ranges of about equal size,
 * each at a line start, with the number of lines before it.  A gzip file
 * gets one range (it cannot be read from the middle).  False with a message
 * in err on a read error.
 */
bool
load_first_pass(const char *path, int nranges, load_file_info *info,
				char *err, size_t errsize)
{
	struct stat st;
	gzFile		gz;
	char	   *buf;
	load_sha256 sha;
	int64_t		pos = 0,
				lines = 0;
	int			k = 1;			/* the split being looked for */
	double		t0 = load_now();

	memset(info, 0, sizeof(*info));
	if (stat(path, &st) != 0 || (gz = gzopen(path, "rb")) == NULL)
	{
		snprintf(err, errsize, "cannot open \"%s\": %s", path, strerror(errno ? errno : ENOMEM));
		return false;
	}
	gzbuffer(gz, 256 * 1024);
	info->stored_bytes = (int64_t) st.st_size;
	buf = load_malloc(PASS_CHUNK);
	load_sha256_init(&sha);
	for (;;)
	{
		int			n = gzread(gz, buf, PASS_CHUNK);
		const char *p = buf,
				   *end;

		if (n < 0)
		{
			int			zerr;
			const char *msg = gzerror(gz, &zerr);

			snprintf(err, errsize, "cannot read \"%s\": %s", path,
					 zerr == Z_ERRNO ? strerror(errno) : msg);
			free(buf);
			gzclose(gz);
			return false;
		}
		if (n == 0)
		{
			int			zerr;

			(void) gzerror(gz, &zerr);
			if (zerr == Z_BUF_ERROR)
			{
				snprintf(err, errsize, "cannot read \"%s\": unexpected end of file in gzip data (truncated?)",
						 path);
				free(buf);
				gzclose(gz);
				return false;
			}
			break;
		}
		if (pos == 0)
		{
			info->compressed = !gzdirect(gz);
			if (info->compressed || nranges < 1)
				nranges = 1;
			if (nranges > LOAD_MAX_JOBS)
				nranges = LOAD_MAX_JOBS;
		}
		load_sha256_update(&sha, buf, (size_t) n);
		end = buf + n;

		/* each split: just after the first newline at or past its target */
		while (k < nranges && p < end)
		{
			int64_t		target = info->stored_bytes * k / nranges - 1;
			int64_t		at = pos + (p - buf);
			const char *nl;

			if (target <= info->split[k - 1].offset - 1)
			{
				nranges--;		/* lines longer than a range: one range fewer */
				continue;
			}
			if (at < target)
			{
				size_t		skip = (size_t) (target - at) < (size_t) (end - p) ?
					(size_t) (target - at) : (size_t) (end - p);

				lines += count_newlines(p, skip);
				p += skip;
				continue;
			}
			nl = memchr(p, '\n', (size_t) (end - p));
			if (nl == NULL)
				break;
			lines++;
			p = nl + 1;
			info->split[k].offset = pos + (p - buf);
			info->split[k].lines = lines;
			k++;
		}
		pos += n;
	}
	/* a split at the very end would make an empty last range */
	while (k > 1 && info->split[k - 1].offset >= pos)
		k--;
	info->nranges = k;
	info->input_bytes = pos;
	load_sha256_hex(&sha, info->sha256);
	free(buf);
	gzclose(gz);
	info->seconds = load_now() - t0;
	return true;
}

/* ---------------------------------------------------------------- ledger */

const char *const ledger_batch_sql =
"UPDATE costmodel.load_ledger_range SET committed_offset = $4, committed_lines = $5,"
" batches = batches OPERATOR(pg_catalog.+) 1,"
" lines_read = lines_read OPERATOR(pg_catalog.+) $6,"
" loaded = loaded OPERATOR(pg_catalog.+) $7,"
" duplicates = duplicates OPERATOR(pg_catalog.+) $8,"
" rejected = rejected OPERATOR(pg_catalog.+) $9,"
" rows_written = rows_written OPERATOR(pg_catalog.+) $10,"
" updated_at = pg_catalog.now()"
" WHERE import_id OPERATOR(pg_catalog.=) $1 AND range_no OPERATOR(pg_catalog.=) $2"
" AND committed_offset OPERATOR(pg_catalog.=) $3 AND owner OPERATOR(pg_catalog.=) $11";

const char *const ledger_range_sql =
"SELECT committed_offset, owner OPERATOR(pg_catalog.=) $3 FROM costmodel.load_ledger_range"
" WHERE import_id OPERATOR(pg_catalog.=) $1 AND range_no OPERATOR(pg_catalog.=) $2";

/* Write v in decimal into buf; returns buf. */
static const char *
i64(char *buf, int64_t v)
{
	snprintf(buf, 24, "%lld", (long long) v);
	return buf;
}

/* Run a statement with text parameters; exit with a report unless it gives want. */
static PGresult *
run(PGconn *conn, const char *sql, int n, const char *const *params,
	ExecStatusType want, const char *what)
{
	PGresult   *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != want)
		load_die_server(conn, res, what);
	return res;
}

/* A random token naming this run in the ledger: 32 hex digits. */
void
ledger_token(char *out, size_t size)
{
	unsigned char r[16];
	uint64_t	t = (uint64_t) time(NULL);

	if (getrandom(r, sizeof(r), 0) != (ssize_t) sizeof(r))
	{
		/* no entropy source: time and pid still tell runs apart */
		for (int i = 0; i < 16; i++)
			r[i] = (unsigned char) ((t >> (8 * (i % 8))) ^ ((uint64_t) getpid() >> (i % 4)));
	}
	for (size_t i = 0; i < sizeof(r) && 2 * i + 2 < size; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/* Exit 1 with a hint unless the ledger tables exist (an older extension). */
void
ledger_check_tables(PGconn *conn)
{
	PGresult   *res = load_exec(conn,
								"SELECT pg_catalog.to_regclass('costmodel.load_ledger_range') IS NOT NULL",
								PGRES_TUPLES_OK, "checking for the load ledger");
	bool		ok = strcmp(PQgetvalue(res, 0, 0), "t") == 0;

	PQclear(res);
	if (!ok)
	{
		load_error("the costmodel extension in database \"%s\" has no load ledger (costmodel.load_ledger)",
				   PQdb(conn));
		fprintf(stderr, "HINT: install the current costmodel extension (DROP EXTENSION costmodel; CREATE EXTENSION costmodel), or use --dry-run.\n");
		PQfinish(conn);
		load_exit(LOAD_EXIT_ERROR);
	}
}

/* Take the source's advisory lock, waiting for another loader if need be. */
static void
lock_source(PGconn *conn, ledger *lg, bool quiet)
{
	const char *p[1] = {lg->import_id};
	PGresult   *res;
	bool		got;

	res = run(conn, "SELECT pg_catalog.pg_try_advisory_lock(costmodel.load_lock_key($1))",
			  1, p, PGRES_TUPLES_OK, "locking the source");
	got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!got)
	{
		if (!quiet)
		{
			res = run(conn,
					  "SELECT pg_catalog.string_agg(k.pid::pg_catalog.text, ', ') FROM pg_catalog.pg_locks k"
					  " WHERE k.locktype OPERATOR(pg_catalog.=) 'advisory' AND k.granted"
					  " AND k.objsubid OPERATOR(pg_catalog.=) 1"
					  " AND ((k.classid::pg_catalog.int8 OPERATOR(pg_catalog.<<) 32)"
					  " OPERATOR(pg_catalog.|) k.objid::pg_catalog.int8)"
					  " OPERATOR(pg_catalog.=) costmodel.load_lock_key($1)",
					  1, p, PGRES_TUPLES_OK, "finding the other loader");
			fprintf(stderr, "%s: %s: another costmodel-load (server pid %s) is loading it (import %s); waiting for it to end\n",
					LOAD_PROGNAME, lg->source,
					PQgetisnull(res, 0, 0) ? "?" : PQgetvalue(res, 0, 0), lg->import_id);
			PQclear(res);
		}
		PQclear(run(conn, "SELECT pg_catalog.pg_advisory_lock(costmodel.load_lock_key($1))",
					1, p, PGRES_TUPLES_OK, "waiting for the other loader"));
	}
	lg->locked = true;
}

/* Take over the unfinished load's ranges (in the open transaction). */
static void
take_over(PGconn *conn, ledger *lg)
{
	char		b1[24],
				b2[24];
	const char *p[6] = {lg->import_id, lg->token, lg->source, lg->sha256,
		lg->input_bytes >= 0 ? i64(b1, lg->input_bytes) : NULL,
	lg->stored_bytes >= 0 ? i64(b2, lg->stored_bytes) : NULL};
	PGresult   *res;
	int			n;

	PQclear(run(conn,
				"UPDATE costmodel.load_ledger SET owner = $2, runs = runs OPERATOR(pg_catalog.+) 1,"
				" status = 'running', message = NULL, source = $3, updated_at = pg_catalog.now(),"
				" content_sha256 = COALESCE(content_sha256, $4),"
				" input_bytes = COALESCE(input_bytes, $5::pg_catalog.int8),"
				" source_bytes = $6::pg_catalog.int8"
				" WHERE import_id OPERATOR(pg_catalog.=) $1",
				6, p, PGRES_COMMAND_OK, "taking over the load"));
	/* waits for a batch a killed loader may still be committing */
	res = run(conn,
			  "UPDATE costmodel.load_ledger_range SET owner = $2"
			  " WHERE import_id OPERATOR(pg_catalog.=) $1"
			  " RETURNING range_no, start_offset, COALESCE(end_offset, -1), start_line,"
			  " committed_offset, committed_lines, lines_read, loaded, duplicates, rejected",
			  2, p, PGRES_TUPLES_OK, "taking over the load's ranges");
	n = PQntuples(res);
	if (n < 1 || n > LOAD_MAX_JOBS)
		load_die(LOAD_EXIT_ERROR, "the ledger of import %s has %d ranges", lg->import_id, n);
	lg->nranges = n;
	for (int i = 0; i < n; i++)
	{
		int			no = atoi(PQgetvalue(res, i, 0));
		ledger_range *r;

		if (no < 0 || no >= n)
			load_die(LOAD_EXIT_ERROR, "the ledger of import %s has a range %d of %d", lg->import_id, no, n);
		r = &lg->ranges[no];
		r->no = no;
		r->start = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		r->end = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		r->start_line = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		r->committed = strtoll(PQgetvalue(res, i, 4), NULL, 10);
		r->committed_lines = strtoll(PQgetvalue(res, i, 5), NULL, 10);
		r->read = strtoll(PQgetvalue(res, i, 6), NULL, 10);
		r->loaded = strtoll(PQgetvalue(res, i, 7), NULL, 10);
		r->dups = strtoll(PQgetvalue(res, i, 8), NULL, 10);
		r->rejected = strtoll(PQgetvalue(res, i, 9), NULL, 10);
	}
	PQclear(res);
}

/* Create the ledger rows of a new load (in the open transaction). */
static void
create(PGconn *conn, ledger *lg, const load_split *splits, int nsplits)
{
	char		b1[24],
				b2[24],
				b3[24],
				b4[24],
				b5[24],
				b6[24];
	const char *p[8] = {lg->import_id, lg->source,
		lg->stored_bytes >= 0 ? i64(b1, lg->stored_bytes) : NULL,
		lg->input_bytes >= 0 ? i64(b2, lg->input_bytes) : NULL,
	lg->sha256, lg->token, i64(b3, nsplits)};

	PQclear(run(conn,
				"INSERT INTO costmodel.load_ledger (import_id, source, source_bytes, input_bytes,"
				" content_sha256, owner, ranges) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				7, p, PGRES_COMMAND_OK, "creating the ledger entry"));
	lg->nranges = nsplits;
	for (int i = 0; i < nsplits; i++)
	{
		ledger_range *r = &lg->ranges[i];
		const char *q[6];

		memset(r, 0, sizeof(*r));
		r->no = i;
		r->start = r->committed = splits[i].offset;
		r->start_line = r->committed_lines = splits[i].lines;
		r->end = i + 1 < nsplits ? splits[i + 1].offset : lg->input_bytes;
		q[0] = lg->import_id;
		q[1] = i64(b3, i);
		q[2] = i64(b4, r->start);
		q[3] = r->end >= 0 ? i64(b5, r->end) : NULL;
		q[4] = i64(b6, r->start_line);
		q[5] = lg->token;
		PQclear(run(conn,
					"INSERT INTO costmodel.load_ledger_range (import_id, range_no, start_offset,"
					" end_offset, start_line, committed_offset, committed_lines, owner)"
					" VALUES ($1, $2, $3, $4, $5, $3, $5, $6)",
					6, q, PGRES_COMMAND_OK, "creating the ledger ranges"));
	}
}

/* Copy a finished load's totals from columns first.. of row 0 of res. */
static void
finished_from(ledger *lg, PGresult *res, int first)
{
	lg->state = LEDGER_FINISHED;
	snprintf(lg->finished_at, sizeof(lg->finished_at), "%s", PQgetvalue(res, 0, first));
	lg->fin_read = strtoll(PQgetvalue(res, 0, first + 1), NULL, 10);
	lg->fin_loaded = strtoll(PQgetvalue(res, 0, first + 2), NULL, 10);
	lg->fin_dups = strtoll(PQgetvalue(res, 0, first + 3), NULL, 10);
	lg->fin_rejected = strtoll(PQgetvalue(res, 0, first + 4), NULL, 10);
}

/*
 * Lock the source, then find it in the ledger: finished (by import id, or
 * by content for an unnamed source), unfinished (take it over) or new
 * (create its rows from the split points).  Sets lg->state and lg->ranges.
 */
void
ledger_begin(PGconn *conn, ledger *lg, const load_split *splits, int nsplits,
			 bool quiet)
{
	const char *p[1] = {lg->import_id};
	PGresult   *res;

	lg->finished_id[0] = '\0';
	lock_source(conn, lg, quiet);
	PQclear(load_exec(conn, "BEGIN", PGRES_COMMAND_OK, "BEGIN"));
	res = run(conn,
			  "SELECT status, content_sha256,"
			  " pg_catalog.to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS TZ'),"
			  " lines_read, loaded, duplicates, rejected"
			  " FROM costmodel.load_ledger WHERE import_id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
			  1, p, PGRES_TUPLES_OK, "reading the ledger");
	if (PQntuples(res) == 0 && !lg->named && lg->sha256)
	{
		/* the same content, loaded under another name (from stdin, say) */
		const char *q[1] = {lg->sha256};

		PQclear(res);
		res = run(conn,
				  "SELECT import_id, pg_catalog.to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS TZ'),"
				  " lines_read, loaded, duplicates, rejected"
				  " FROM costmodel.load_ledger WHERE content_sha256 OPERATOR(pg_catalog.=) $1"
				  " AND status OPERATOR(pg_catalog.=) 'finished' ORDER BY finished_at LIMIT 1",
				  1, q, PGRES_TUPLES_OK, "reading the ledger");
		if (PQntuples(res) == 1)
		{
			snprintf(lg->finished_id, sizeof(lg->finished_id), "%s", PQgetvalue(res, 0, 0));
			finished_from(lg, res, 1);
		}
		else
		{
			PQclear(res);
			create(conn, lg, splits, nsplits);
			lg->state = LEDGER_NEW;
			res = NULL;
		}
	}
	else if (PQntuples(res) == 0)
	{
		PQclear(res);
		res = NULL;
		create(conn, lg, splits, nsplits);
		lg->state = LEDGER_NEW;
	}
	else if (strcmp(PQgetvalue(res, 0, 0), "finished") == 0)
		finished_from(lg, res, 2);
	else
	{
		if (lg->sha256 && !PQgetisnull(res, 0, 1) &&
			strcmp(PQgetvalue(res, 0, 1), lg->sha256) != 0)
		{
			load_error("import %s was started from other content (SHA-256 %s; this input has %s)",
					   lg->import_id, PQgetvalue(res, 0, 1), lg->sha256);
			fprintf(stderr, "HINT: give this input another --import-id.\n");
			load_exit(LOAD_EXIT_ERROR);
		}
		PQclear(res);
		res = NULL;
		take_over(conn, lg);
		lg->state = LEDGER_RESUME;
	}
	PQclear(res);
	PQclear(load_exec(conn, "COMMIT", PGRES_COMMAND_OK, "COMMIT"));
}

/* Take the source's lock again on a new connection; false if another run has it. */
bool
ledger_relock(PGconn *conn, const ledger *lg)
{
	const char *p[1] = {lg->import_id};
	PGresult   *res = PQexecParams(conn,
								   "SELECT pg_catalog.pg_try_advisory_lock(costmodel.load_lock_key($1))",
								   1, NULL, p, NULL, NULL, 0);
	bool		got = PQresultStatus(res) == PGRES_TUPLES_OK &&
		strcmp(PQgetvalue(res, 0, 0), "t") == 0;

	PQclear(res);
	return got;
}

/*
 * Record the end of this run: status (finished or failed) and message, the
 * time spent, the totals summed from the ranges, and what is now known of
 * the content (stdin's hash and size).
 */
void
ledger_end(PGconn *conn, ledger *lg, const char *status, const char *message,
		   double seconds)
{
	char		b1[32],
				b2[24];
	const char *p[7];
	PGresult   *res;

	snprintf(b1, sizeof(b1), "%.3f", seconds);
	p[0] = lg->import_id;
	p[1] = lg->token;
	p[2] = status;
	p[3] = message;
	p[4] = b1;
	p[5] = lg->sha256;
	p[6] = lg->input_bytes >= 0 ? i64(b2, lg->input_bytes) : NULL;
	res = run(conn,
			  "UPDATE costmodel.load_ledger l SET status = $3, message = $4,"
			  " seconds = l.seconds OPERATOR(pg_catalog.+) $5::pg_catalog.float8,"
			  " updated_at = pg_catalog.now(),"
			  " finished_at = CASE WHEN $3 OPERATOR(pg_catalog.=) 'finished' THEN pg_catalog.now() END,"
			  " content_sha256 = COALESCE(l.content_sha256, $6),"
			  " input_bytes = COALESCE($7::pg_catalog.int8, l.input_bytes),"
			  " (lines_read, loaded, duplicates, rejected, rows_written) ="
			  " (SELECT COALESCE(pg_catalog.sum(r.lines_read), 0)::pg_catalog.int8,"
			  "  COALESCE(pg_catalog.sum(r.loaded), 0)::pg_catalog.int8,"
			  "  COALESCE(pg_catalog.sum(r.duplicates), 0)::pg_catalog.int8,"
			  "  COALESCE(pg_catalog.sum(r.rejected), 0)::pg_catalog.int8,"
			  "  COALESCE(pg_catalog.sum(r.rows_written), 0)::pg_catalog.int8"
			  "  FROM costmodel.load_ledger_range r WHERE r.import_id OPERATOR(pg_catalog.=) l.import_id)"
			  " WHERE l.import_id OPERATOR(pg_catalog.=) $1 AND l.owner OPERATOR(pg_catalog.=) $2",
			  7, p, PGRES_COMMAND_OK, "updating the ledger");
	if (strcmp(PQcmdTuples(res), "1") != 0)
		load_error("warning: import %s was taken over by another loader; its ledger entry is left to it",
				   lg->import_id);
	PQclear(res);
}

/* Release the source's advisory lock. */
void
ledger_unlock(PGconn *conn, ledger *lg)
{
	const char *p[1] = {lg->import_id};

	if (!lg->locked)
		return;
	PQclear(run(conn, "SELECT pg_catalog.pg_advisory_unlock(costmodel.load_lock_key($1))",
				1, p, PGRES_TUPLES_OK, "unlocking the source"));
	lg->locked = false;
}

/* ---------------------------------------------------------------- status */

/* The "status" command: unfinished loads and the most recent finished ones. */
int
load_status_main(load_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		LOAD_GLOBAL_LONGOPTS,
		{"limit", required_argument, NULL, 'l'},
		{NULL, 0, NULL, 0}
	};
	int64_t		limit = 20;
	int			c;
	char		lim[24];
	const char *p[1];
	PGconn	   *conn;
	PGresult   *res;
	bool		resumable = false;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" LOAD_GLOBAL_SHORTOPTS "l:", longopts, NULL)) != -1)
	{
		if (c == 'l')
		{
			if (!load_parse_size(optarg, 1, 1000000, &limit))
				load_usage_error("invalid --limit \"%s\": must be 1 to 1000000", optarg);
		}
		else if (!load_global_option(g, c, optarg, argv, optind))
			load_usage_error("invalid option: %s", argv[optind - 1]);
	}
	if (optind < argc)
		load_usage_error("status takes no file: %s", argv[optind]);
	conn = load_connect(g);
	load_check_extension(conn);
	ledger_check_tables(conn);
	p[0] = i64(lim, limit);
	res = run(conn,
			  "SELECT s.import_id, s.status, COALESCE(s.percent::pg_catalog.text, ''),"
			  " COALESCE(s.lines_read, 0), COALESCE(s.loaded, 0),"
			  " COALESCE(s.duplicates, 0), COALESCE(s.rejected, 0),"
			  " COALESCE(s.rows_per_second::pg_catalog.text, ''),"
			  " pg_catalog.to_char(s.started_at, 'YYYY-MM-DD HH24:MI'),"
			  " COALESCE(pg_catalog.to_char(s.finished_at, 'YYYY-MM-DD HH24:MI'), ''),"
			  " s.source, s.message"
			  " FROM costmodel.load_status s"
			  " WHERE s.status OPERATOR(pg_catalog.<>) 'finished' OR s.import_id IN"
			  " (SELECT l.import_id FROM costmodel.load_ledger l"
			  "  WHERE l.status OPERATOR(pg_catalog.=) 'finished' ORDER BY l.finished_at DESC LIMIT $1)"
			  " ORDER BY s.status OPERATOR(pg_catalog.=) 'finished', s.started_at DESC, s.import_id",
			  1, p, PGRES_TUPLES_OK, "reading costmodel.load_status");
	if (PQntuples(res) == 0)
		printf("no loads in the ledger of database \"%s\"\n", PQdb(conn));
	else
		printf("%-16s  %-11s  %6s  %10s  %10s  %8s  %8s  %8s  %-16s  %-16s  %s\n",
			   "import", "status", "done", "lines", "loaded", "dups", "rejected",
			   "rows/s", "started", "finished", "source");
	for (int i = 0; i < PQntuples(res); i++)
	{
		const char *st = PQgetvalue(res, i, 1);
		char		pct[16];

		snprintf(pct, sizeof(pct), "%s%s", PQgetvalue(res, i, 2),
				 PQgetlength(res, i, 2) > 0 ? "%" : "");
		printf("%-16.16s  %-11s  %6s  %10s  %10s  %8s  %8s  %8s  %-16s  %-16s  %s\n",
			   PQgetvalue(res, i, 0), st, pct, PQgetvalue(res, i, 3),
			   PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 6),
			   PQgetvalue(res, i, 7), PQgetvalue(res, i, 8), PQgetvalue(res, i, 9),
			   PQgetvalue(res, i, 10));
		if (!PQgetisnull(res, i, 11))
			printf("%-16s  %s\n", "", PQgetvalue(res, i, 11));
		if (strcmp(st, "interrupted") == 0 || strcmp(st, "failed") == 0)
			resumable = true;
	}
	if (resumable)
		printf("\nTo resume an interrupted or failed load, run the same \"%s traces\" command again\n"
			   "(the same file, or the same --import-id for standard input).\n", LOAD_PROGNAME);
	PQclear(res);
	PQfinish(conn);
	if (fflush(stdout) != 0)
		load_die(LOAD_EXIT_ERROR, "cannot write the status: %s", strerror(errno));
	return LOAD_EXIT_OK;
}
