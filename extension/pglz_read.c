/*
 * pglz_read.c
 *    A faster reader of PostgreSQL's pglz compressed format.
 *
 * A jsonb staging table keeps each trace compressed by pglz (PostgreSQL's
 * default), and reading it back was a third of trace_responses' time:
 * pglz_decompress handles one item per step and calls memcpy for every
 * match, most of which are a few bytes long.  This reader takes the same
 * format (src/common/pg_lzcompress.c: a control byte, then eight items,
 * each a literal byte or a 2-3 byte match tag of length and offset) with
 * three changes of method, none of meaning:
 *   - a run of literals is copied in one 8-byte move;
 *   - a match is copied 8 bytes at a time, which may write up to 7 bytes
 *     past it (the caller leaves CM_PGLZ_SLACK bytes of room);
 *   - a match that repeats a pattern shorter than 8 bytes is copied byte
 *     by byte only until the pattern, repeated, spans 8 bytes.
 * Every check of pglz_decompress is made at the same point, so corrupt
 * data is refused exactly when PostgreSQL refuses it; test/pglz_read_test.sh
 * compares the two on valid, truncated and corrupted input.
 */
#include "pglz_read.h"

#include <string.h>

/* Copy 8 bytes from s to d, reading all of s before writing d. */
static inline void
copy8(unsigned char *d, const unsigned char *s)
{
	uint64_t	v;

	memcpy(&v, s, 8);
	memcpy(d, &v, 8);
}

/* Number of low zero bits of x, which is not 0. */
static inline int
low_zeros(unsigned int x)
{
#if defined(__GNUC__) || defined(__clang__)
	return __builtin_ctz(x);
#else
	int			n = 0;

	while (!(x & 1))
		x >>= 1, n++;
	return n;
#endif
}

/*
 * The copy of a match: len bytes, each the byte off places before it in the
 * output (so an offset shorter than the length repeats a pattern).  Each
 * 8-byte step reads only bytes that are already final; it may write up to
 * 7 bytes past len.
 */
static inline void
copy_match(unsigned char *dp, int32_t off, int32_t len)
{
	int32_t		i = 0;

	if (off < 8)
	{
		/* a period of off is also one of any multiple of it: widen to >= 8 */
		static const int32_t widened[8] = {0, 8, 8, 9, 8, 10, 12, 14};
		int32_t		wide = widened[off];

		for (; i < len && i < wide; i++)
			dp[i] = dp[i - off];
		off = wide;
	}
	for (; i < len; i += 8)
		copy8(dp + i, dp + i - off);
}

/* Decompress pglz data; see pglz_read.h. */
int32_t
cm_pglz_decompress(const unsigned char *src, int32_t slen, unsigned char *dest,
				   int32_t rawsize)
{
	const unsigned char *sp = src;
	const unsigned char *srcend = src + (slen > 0 ? slen : 0);
	unsigned char *dp = dest;
	unsigned char *destend = dest + (rawsize > 0 ? rawsize : 0);

	if (slen < 0 || rawsize < 0)
		return -1;
	while (sp < srcend && dp < destend)
	{
		unsigned int ctrl = *sp++;

		/* eight literals, the common case in text */
		if (ctrl == 0 && srcend - sp >= 8 && destend - dp >= 8)
		{
			copy8(dp, sp);
			dp += 8;
			sp += 8;
			continue;
		}
		for (int left = 8; left > 0 && sp < srcend && dp < destend;)
		{
			int32_t		len,
						off;

			if (!(ctrl & 1))
			{
				/* literals up to the next match tag or the group's end */
				int			lits = low_zeros(ctrl | (1u << left));

				if (srcend - sp >= 8 && destend - dp >= lits)
				{
					copy8(dp, sp);
					dp += lits;
					sp += lits;
					ctrl >>= lits;
					left -= lits;
				}
				else
				{
					*dp++ = *sp++;
					ctrl >>= 1;
					left--;
				}
				continue;
			}
			/* a match tag: 4 bits of length - 3, 12 bits of offset, maybe a length byte */
			if (srcend - sp < 2)
				return -1;
			len = (sp[0] & 0x0f) + 3;
			off = ((sp[0] & 0xf0) << 4) | sp[1];
			sp += 2;
			if (len == 18)
			{
				if (sp >= srcend)
					return -1;
				len += *sp++;
			}
			if (off == 0 || off > dp - dest)
				return -1;
			if (len > destend - dp)
				len = (int32_t) (destend - dp);
			copy_match(dp, off, len);
			dp += len;
			ctrl >>= 1;
			left--;
		}
	}
	if (dp != destend || sp != srcend)
		return -1;
	return rawsize;
}
