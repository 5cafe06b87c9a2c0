#!/usr/bin/env bash
# pglz_read_test.sh: extension/pglz_read.c, the trace functions' reader of
# pglz data, against PostgreSQL's own pglz_decompress (libpgcommon, from the
# server dev package), without a server, under AddressSanitizer and UBSan.
#
# A driver (below) compresses inputs with PostgreSQL's pglz_compress (the
# strategy that always compresses) and decompresses them both ways: the
# generated traces, and random inputs built to reach every path of the
# format: long runs (matches of 273 bytes with a 1-byte period), patterns of
# periods 1 to 20 (the overlapping copies), zero-filled binary stretches,
# incompressible noise, sizes 0 to 70,000 bytes.  Each must give the same
# bytes.  Then each compressed input is damaged many ways (bit flips, random
# bytes, cut short, garbage appended, rawsize off by a little or a lot,
# match tags with offset 0 or pointing before the start) and the two readers
# must agree: both refuse it, or both give the same bytes.  The reader
# writes at most CM_PGLZ_SLACK bytes past rawsize, which ASan holds it to.
# Last, a coverage-guided differential fuzz (libFuzzer) for
# COSTMODEL_PGLZ_FUZZ_SECONDS (default 20) of arbitrary compressed input.
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
source test/fuzz/libfuzzer.sh
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
GEN=${COSTMODEL_GEN:-./costmodel-gen}
PG_CONFIG=${PG_CONFIG:-pg_config}
INC=$("$PG_CONFIG" --includedir-server)
LIB=$("$PG_CONFIG" --pkglibdir)
secs=${COSTMODEL_PGLZ_FUZZ_SECONDS:-20}

cat > "$WORK/ref.h" <<'C'
/* PostgreSQL's pglz, from libpgcommon, and the reader under test. */
#include "postgres_fe.h"
#include "common/pg_lzcompress.h"
#include "pglz_read.h"

/*
 * Decompress (src, slen) to rawsize bytes both ways; 0 when the readers
 * agree (both refuse, or the same bytes), else 1.  The reader under test
 * gets its input in a buffer of the input's size and an output buffer of
 * exactly the size it may write, so ASan catches any read or write past
 * them.
 */
static int
differ(const char *src, int32 slen, int32 rawsize)
{
	/* the input in a buffer of its exact size, so that ASan sees any over-read */
	unsigned char *in = malloc(slen > 0 ? slen : 0);
	char	   *pg = malloc(rawsize > 0 ? rawsize : 1);
	unsigned char *cm = malloc((rawsize > 0 ? rawsize : 0) + CM_PGLZ_SLACK);
	int32		a,
				b;
	int			bad;

	if (slen > 0)
		memcpy(in, src, slen);
	a = pglz_decompress(src, slen, pg, rawsize, true);
	b = cm_pglz_decompress(in, slen, cm, rawsize);
	bad = (a < 0) != (b < 0) || (a >= 0 && (a != b || memcmp(pg, cm, a) != 0));
	free(in);
	free(pg);
	free(cm);
	return bad;
}
C

cat > "$WORK/driver.c" <<'C'
#include "ref.h"

#include <stdio.h>
#include <stdlib.h>

static int	failures;
static long cases;
static long refused;
static unsigned long long rng = 88172645463325252ULL;

/* xorshift64: the same cases on every run. */
static unsigned long long
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Check one input: compress it, decompress it both ways, then damage it. */
static void
check(const char *raw, int32 rawlen, const char *what)
{
	char	   *comp = malloc(PGLZ_MAX_OUTPUT(rawlen) + 300);
	char	   *bad = malloc(PGLZ_MAX_OUTPUT(rawlen) + 300);
	int32		clen = pglz_compress(raw, rawlen, comp, PGLZ_strategy_always);

	if (clen < 0)
	{
		/* incompressible: PostgreSQL would store it as it is */
		free(comp);
		free(bad);
		return;
	}
	cases++;
	{
		unsigned char *out = malloc(rawlen + CM_PGLZ_SLACK);

		if (cm_pglz_decompress((unsigned char *) comp, clen, out, rawlen) != rawlen ||
			memcmp(out, raw, rawlen) != 0)
		{
			if (failures++ < 20)
				printf("not ok - %s: %d bytes not decompressed to the original\n", what, rawlen);
		}
		free(out);
	}
	for (int m = 0; m < 40; m++)
	{
		int32		blen = clen,
					rsize = rawlen;

		memcpy(bad, comp, clen);
		switch (m % 8)
		{
			case 0:				/* one bit flipped */
				bad[next() % clen] ^= (char) (1 << (next() % 8));
				break;
			case 1:				/* a few random bytes */
				for (int k = 0; k < 1 + (int) (next() % 4); k++)
					bad[next() % clen] = (char) next();
				break;
			case 2:				/* cut short */
				blen = (int32) (next() % clen);
				break;
			case 3:				/* garbage appended */
				for (int k = 0; k < 1 + (int) (next() % 200); k++)
					bad[blen++] = (char) next();
				break;
			case 4:				/* rawsize a little off */
				rsize = rawlen + (int32) (next() % 17) - 8;
				if (rsize < 0)
					rsize = 0;
				break;
			case 5:				/* rawsize far off */
				rsize = (int32) (next() % (2 * (uint64) rawlen + 2));
				break;
			case 6:				/* a match tag at the start: offset before the output */
				bad[0] = (char) 0xff;
				if (clen > 2)
					bad[1] = (char) next();
				break;
			case 7:				/* a zero offset where a match tag may be */
				{
					int32		at = (int32) (next() % clen);

					bad[at] = (char) (next() & 0x0f);
					if (at + 1 < clen)
						bad[at + 1] = 0;
				}
				break;
		}
		cases++;
		if (differ(bad, blen, rsize))
		{
			if (failures++ < 20)
				printf("not ok - %s: damaged input (kind %d) read differently\n", what, m % 8);
		}
		else
		{
			char	   *o = malloc(rsize > 0 ? rsize : 1);

			refused += pglz_decompress(bad, blen, o, rsize, true) < 0;
			free(o);
		}
	}
	free(comp);
	free(bad);
}

/* A random input of n bytes of one of several shapes. */
static void
random_input(char *buf, int32 n, int shape)
{
	for (int32 i = 0; i < n;)
	{
		int32		run = 1 + (int32) (next() % 600);

		if (run > n - i)
			run = n - i;
		switch ((shape + (int) (next() % 3)) % 6)
		{
			case 0:				/* one byte repeated */
				memset(buf + i, (int) (next() % 4), run);
				break;
			case 1:				/* a pattern of period 1..20 */
				{
					int			p = 1 + (int) (next() % 20);

					for (int32 k = 0; k < run; k++)
						buf[i + k] = k < p ? (char) next() : buf[i + k - p];
					break;
				}
			case 2:				/* noise */
				for (int32 k = 0; k < run; k++)
					buf[i + k] = (char) next();
				break;
			case 3:				/* a copy of something earlier */
				if (i > 0)
				{
					int32		from = (int32) (next() % i);

					for (int32 k = 0; k < run; k++)
						buf[i + k] = buf[from + k];
					break;
				}
				/* FALLTHROUGH */
			case 4:				/* text-like: a small alphabet */
				for (int32 k = 0; k < run; k++)
					buf[i + k] = "abc \"{}:,0123"[next() % 13];
				break;
			default:			/* zeros with a few bytes set, as binary jsonb */
				memset(buf + i, 0, run);
				for (int32 k = 0; k < run; k += 1 + (int32) (next() % 9))
					buf[i + k] = (char) (next() % 64);
				break;
		}
		i += run;
	}
}

int
main(int argc, char **argv)
{
	FILE	   *f = argc == 2 ? fopen(argv[1], "r") : NULL;
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		n;
	long		traces = 0;
	char	   *buf = malloc(70000);

	if (argc != 2 || f == NULL)
	{
		printf("not ok - open the traces file\n");
		return 1;
	}
	while ((n = getline(&line, &cap, f)) > 0)
	{
		check(line, (int32) n, "generated trace");
		traces++;
	}
	fclose(f);
	free(line);
	printf("%s - %ld generated traces compressed by pglz_compress read back the same, damaged copies read as pglz_decompress reads them\n",
		   failures ? "not ok" : "ok", traces);

	{
		int			before = failures;

		for (int t = 0; t < 3000; t++)
		{
			int32		len = (t % 50 == 0) ? (int32) (next() % 70000) : (int32) (next() % 5000);

			random_input(buf, len, t % 6);
			check(buf, len, "random input");
		}
		check(buf, 0, "empty input");
		printf("%s - 3,000 random inputs (runs, short periods, noise, copies, text, sparse binary; 0 to 70,000 bytes) read back the same\n",
			   failures > before ? "not ok" : "ok");
	}
	printf("%s - %ld cases in all, %ld damaged inputs refused by both readers, none read differently\n",
		   failures ? "not ok" : "ok", cases, refused);
	free(buf);
	return failures > 0;
}
C

cat > "$WORK/fuzz.c" <<'C'
#include "ref.h"

#include <stdlib.h>

/*
 * Arbitrary bytes: the first two give rawsize (0..65535), the rest is the
 * compressed data.  The readers must agree.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *src;

	if (size < 2)
		return 0;
	src = malloc(size - 2 + 1);
	memcpy(src, data + 2, size - 2);
	if (differ(src, (int32) (size - 2), (int32) (data[0] | (data[1] << 8))))
		abort();
	free(src);
	return 0;
}
C

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
if ! cc -std=gnu99 -O1 -g -Wall -Wextra -Werror $SAN -I"$WORK" -Iextension -I"$INC" \
        -o "$WORK/driver" "$WORK/driver.c" extension/pglz_read.c -L"$LIB" -lpgcommon -lpgport \
        > "$WORK/cc.log" 2>&1; then
    echo "not ok - compile the driver against extension/pglz_read.c and libpgcommon"
    sed 's/^/# /' "$WORK/cc.log"
    exit 1
fi
echo "ok - compiled the driver with AddressSanitizer and UBSan"

"$GEN" traces --count 2000 --seed 77 > "$WORK/traces.ndjson"
"$WORK/driver" "$WORK/traces.ndjson" > "$WORK/driver.log" 2>&1
rc=$?
cat "$WORK/driver.log"
if [ $rc -ne 0 ] && ! grep -q '^not ok' "$WORK/driver.log"; then
    echo "not ok - the driver stopped (exit $rc): a sanitizer report above"
fi

if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$WORK" -Iextension -I"$INC" "$WORK/fuzz.c" extension/pglz_read.c \
        -L"$LIB" -lpgcommon -lpgport -o "$WORK/fuzz" > "$WORK/fuzzcc.log" 2>&1; then
    echo "not ok - build the differential libFuzzer harness"
    sed 's/^/# /' "$WORK/fuzzcc.log"
    exit 1
fi
# seeds: a few real compressed traces, with their rawsize in front
mkdir -p "$WORK/corpus"
cat > "$WORK/seed.c" <<'C'
#include "postgres_fe.h"
#include "common/pg_lzcompress.h"

#include <stdio.h>

int
main(int argc, char **argv)
{
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		n;
	int			i = 0;

	while ((n = getline(&line, &cap, stdin)) > 0 && i < 50)
	{
		char		out[PGLZ_MAX_OUTPUT(65535)];
		char		path[4096];
		int32		len;
		FILE	   *f;

		if (n > 65535)
			continue;
		len = pglz_compress(line, (int32) n, out, PGLZ_strategy_always);
		if (len < 0)
			continue;
		snprintf(path, sizeof(path), "%s/seed_%d", argv[1], i++);
		f = fopen(path, "wb");
		fputc((int) (n & 0xff), f);
		fputc((int) (n >> 8), f);
		fwrite(out, 1, (size_t) len, f);
		fclose(f);
	}
	return 0;
}
C
cc -O1 -I"$INC" -o "$WORK/seed" "$WORK/seed.c" -L"$LIB" -lpgcommon -lpgport && "$WORK/seed" "$WORK/corpus" < "$WORK/traces.ndjson"
libfuzzer_run "$WORK/fuzz" "$WORK/corpus" "$secs" 8192 \
    "the two readers always agree, no sanitizer report" || rc=1
exit $rc
