/*
 * jsonb_numeric.c
 *    Numeric values to and from the forms the trace functions use, read and
 *    written in numeric's stored format directly.
 *
 * Every money and rate cell of a trace goes jsonb numeric -> text (the
 * shared value parsers read text) -> scaled integer -> numeric.  Through
 * numeric_out and int64_div_fast_to_numeric, the two numeric ends cost a
 * function call, a NumericVar and two allocations each, for values that are
 * a few base-10000 digits long.  The stored format is the one on disk, the
 * same in every supported release; the layout below is numeric.c's.  The
 * first results of each backend are compared with numeric_out and
 * int64_div_fast_to_numeric (RESULTS_CHECKED).
 */
#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "common/int.h"
#include "utils/builtins.h"

#include "jsonb_numeric.h"

/* The stored numeric header (numeric.c), first 16 bits after the varlena header. */
#define NUMERIC_SIGN_MASK		0xC000
#define NUMERIC_NEG				0x4000
#define NUMERIC_SHORT			0x8000
#define NUMERIC_SPECIAL			0xC000
#define NUMERIC_DSCALE_MASK		0x3FFF
#define NUMERIC_SHORT_SIGN_MASK			0x2000
#define NUMERIC_SHORT_DSCALE_MASK		0x1F80
#define NUMERIC_SHORT_DSCALE_SHIFT		7
#define NUMERIC_SHORT_WEIGHT_SIGN_MASK	0x0040
#define NUMERIC_SHORT_WEIGHT_MASK		0x003F

#define NBASE		10000
#define DEC_DIGITS	4

/*
 * Results compared with PostgreSQL's own functions, per function and
 * backend: a format that ever differed from this file's reading of it
 * stops the query with an internal error instead of giving a wrong value.
 * With assertions on, every result is compared.
 */
#define RESULTS_CHECKED	1000
static int	text_checks = RESULTS_CHECKED;
static int	scaled_checks = RESULTS_CHECKED;
static int	build_checks = RESULTS_CHECKED;

/* Count down one check of a kind; true while the result must be compared. */
static bool
check_due(int *left)
{
#ifdef USE_ASSERT_CHECKING
	return true;
#else
	if (*left <= 0)
		return false;
	(*left)--;
	return true;
#endif
}

/* Stop: a result differs from what PostgreSQL's own function gives. */
static void
differs(const char *what, const char *reference)
{
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("costmodel: %s differs from %s", what, reference),
			 errhint("The numeric format is not the one this costmodel build reads; report it with the PostgreSQL version.")));
}

/* The parts of a stored numeric that is not NaN or an infinity. */
typedef struct numeric_parts
{
	bool		neg;
	int			dscale;
	int			weight;			/* base-10000 exponent of the first digit */
	int			ndigits;
	const char *digits;			/* int16 each, maybe unaligned */
} numeric_parts;

/* Split num into its parts; false for NaN and the infinities. */
static bool
numeric_split(Numeric num, numeric_parts *np)
{
	const char *p = VARDATA_ANY(num);
	int			size = (int) VARSIZE_ANY_EXHDR(num);
	uint16		header;

	memcpy(&header, p, sizeof(header));
	if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL)
		return false;
	if (header & NUMERIC_SHORT)
	{
		np->neg = (header & NUMERIC_SHORT_SIGN_MASK) != 0;
		np->dscale = (header & NUMERIC_SHORT_DSCALE_MASK) >> NUMERIC_SHORT_DSCALE_SHIFT;
		np->weight = (header & NUMERIC_SHORT_WEIGHT_SIGN_MASK ? ~NUMERIC_SHORT_WEIGHT_MASK : 0) |
			(header & NUMERIC_SHORT_WEIGHT_MASK);
		np->digits = p + sizeof(uint16);
	}
	else
	{
		int16		w;

		np->neg = (header & NUMERIC_SIGN_MASK) == NUMERIC_NEG;
		np->dscale = header & NUMERIC_DSCALE_MASK;
		memcpy(&w, p + sizeof(uint16), sizeof(w));
		np->weight = w;
		np->digits = p + sizeof(uint16) + sizeof(int16);
	}
	np->ndigits = (int) ((size - (np->digits - p)) / sizeof(int16));
	return true;
}

/* Base-10000 digit i of np, 0 outside the stored ones. */
static int
digit_at(const numeric_parts *np, int i)
{
	int16		dig = 0;

	if (i >= 0 && i < np->ndigits)
		memcpy(&dig, np->digits + i * sizeof(int16), sizeof(dig));
	return dig;
}

/*
 * The text numeric_out prints for num, NUL-terminated, and its length in
 * *len: written into buf when it fits in room bytes, else palloc'd.
 */
char *
costmodel_numeric_text(Numeric num, char *buf, size_t room, int *len)
{
	numeric_parts np;
	size_t		need;
	char	   *str,
			   *cp;
	int			d;

	if (!numeric_split(num, &np))
	{
		/* NaN and infinities, which JSON cannot write: numeric_out knows them */
		str = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
		*len = (int) strlen(str);
		return str;
	}

	/* as numeric.c's get_str_from_var prints it */
	need = (size_t) ((np.weight >= 0 ? (np.weight + 1) * DEC_DIGITS : 1) + np.dscale + DEC_DIGITS + 2);
	str = need <= room ? buf : palloc(need);
	cp = str;
	if (np.neg)
		*cp++ = '-';
	if (np.weight < 0)
	{
		d = np.weight + 1;
		*cp++ = '0';
	}
	else
	{
		for (d = 0; d <= np.weight; d++)
		{
			int			dig = digit_at(&np, d);
			bool		putit = (d > 0);
			int			d1;

			/* no leading zeros in the first base-10000 digit */
			d1 = dig / 1000;
			dig -= d1 * 1000;
			putit |= (d1 > 0);
			if (putit)
				*cp++ = (char) (d1 + '0');
			d1 = dig / 100;
			dig -= d1 * 100;
			putit |= (d1 > 0);
			if (putit)
				*cp++ = (char) (d1 + '0');
			d1 = dig / 10;
			dig -= d1 * 10;
			putit |= (d1 > 0);
			if (putit)
				*cp++ = (char) (d1 + '0');
			*cp++ = (char) (dig + '0');
		}
	}
	if (np.dscale > 0)
	{
		char	   *endcp;

		*cp++ = '.';
		endcp = cp + np.dscale;
		for (int i = 0; i < np.dscale; d++, i += DEC_DIGITS)
		{
			int			dig = digit_at(&np, d);
			int			d1;

			d1 = dig / 1000;
			dig -= d1 * 1000;
			*cp++ = (char) (d1 + '0');
			d1 = dig / 100;
			dig -= d1 * 100;
			*cp++ = (char) (d1 + '0');
			d1 = dig / 10;
			dig -= d1 * 10;
			*cp++ = (char) (d1 + '0');
			*cp++ = (char) (dig + '0');
		}
		cp = endcp;
	}
	*cp = '\0';
	*len = (int) (cp - str);
	if (check_due(&text_checks) &&
		strcmp(str, DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)))) != 0)
		differs("a number's text", "numeric_out");
	return str;
}

/*
 * num * 10^scale (scale 0..4) into *out when that is a whole number that
 * fits in int64; false otherwise (and for NaN and the infinities).
 */
bool
costmodel_numeric_scaled(Numeric num, int scale, int64 *out)
{
	static const int pow10[] = {1, 10, 100, 1000, 10000};
	numeric_parts np;
	int64		v = 0;
	int			frac;
	int			unit;

	if (scale < 0 || scale > DEC_DIGITS || !numeric_split(num, &np))
		return false;
	/* from 10^16 up the text path decides (no value read here is that big) */
	if (np.weight > 3)
		return false;
	/* the integer part, one base-10000 digit at a time */
	for (int d = 0; d <= np.weight; d++)
		v = v * NBASE + digit_at(&np, d);
	/* the first fractional digit must be a multiple of 10^(4 - scale) ... */
	frac = digit_at(&np, np.weight + 1);
	switch (scale)
	{
			/* constant divisors for the common scales: no division instruction */
		case 2:
			if (frac % 100 != 0)
				return false;
			frac /= 100;
			break;
		case 4:
			break;
		default:
			unit = pow10[DEC_DIGITS - scale];
			if (frac % unit != 0)
				return false;
			frac /= unit;
			break;
	}
	/* ... and every later one zero */
	for (int d = Max(np.weight + 2, 0); d < np.ndigits; d++)
		if (digit_at(&np, d) != 0)
			return false;
	if (pg_mul_s64_overflow(v, pow10[scale], &v) ||
		pg_add_s64_overflow(v, frac, &v))
		return false;
	*out = np.neg ? -v : v;
	if (check_due(&scaled_checks) &&
		!DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(num),
										  NumericGetDatum(int64_div_fast_to_numeric(*out, scale)))))
		differs("a number read as a scaled integer", "the number");
	return true;
}

/* The data bytes of num when stored as costmodel_scaled_numeric builds it; see the header. */
const char *
costmodel_numeric_as_built(Numeric num, int scale, int *len)
{
	const char *p = VARDATA_ANY(num);
	int			size = (int) VARSIZE_ANY_EXHDR(num);
	uint16		header;
	int16		first,
				last;
	int			ndigits;

	if (size < (int) sizeof(uint16))
		return NULL;
	memcpy(&header, p, sizeof(header));
	if ((header & NUMERIC_SIGN_MASK) != NUMERIC_SHORT ||
		((header & NUMERIC_SHORT_DSCALE_MASK) >> NUMERIC_SHORT_DSCALE_SHIFT) != scale)
		return NULL;
	ndigits = (size - (int) sizeof(uint16)) / (int) sizeof(int16);
	if (ndigits == 0)
	{
		/* zero: positive, weight 0 */
		if (header & (NUMERIC_SHORT_SIGN_MASK | NUMERIC_SHORT_WEIGHT_SIGN_MASK | NUMERIC_SHORT_WEIGHT_MASK))
			return NULL;
	}
	else
	{
		memcpy(&first, p + sizeof(uint16), sizeof(int16));
		memcpy(&last, p + sizeof(uint16) + (ndigits - 1) * sizeof(int16), sizeof(int16));
		if (first == 0 || last == 0)
			return NULL;
	}
	*len = size;
	return p;
}

/*
 * v / 10^scale as a numeric of display scale `scale`, in buf; see the
 * header.  Outside scales 2 and 4 or |v| < 10^16 it falls back to
 * int64_div_fast_to_numeric (palloc'd).
 */
Numeric
costmodel_scaled_numeric(int64 v, int scale, void *buf)
{
	static const int64 limit = INT64CONST(10000000000000000);
	uint64		u;
	bool		neg = v < 0;
	int16		little[5];		/* base-10000 digits, lowest first */
	int			nd = 0,
				low = 0,
				n,
				weight;
	uint16		header;
	char	   *out = buf;
	Numeric		result;

	if ((scale != 2 && scale != 4) || v <= -limit || v >= limit)
		result = int64_div_fast_to_numeric(v, scale);
	else
	{
		/* scale 2: v * 100 has its decimal point on a base-10000 boundary */
		u = neg ? (uint64) (-v) : (uint64) v;
		if (scale == 2)
			u *= 100;
		while (u)
		{
			little[nd++] = (int16) (u % NBASE);
			u /= NBASE;
		}
		/* the lowest digit stands for 10^-4 */
		weight = nd - 2;
		while (low < nd && little[low] == 0)
			low++;				/* trailing zeros are not stored */
		n = nd - low;
		if (n == 0)
		{
			weight = 0;
			neg = false;
		}
		header = NUMERIC_SHORT | (neg ? NUMERIC_SHORT_SIGN_MASK : 0) |
			(uint16) (scale << NUMERIC_SHORT_DSCALE_SHIFT) |
			(weight < 0 ? NUMERIC_SHORT_WEIGHT_SIGN_MASK : 0) |
			(uint16) (weight & NUMERIC_SHORT_WEIGHT_MASK);
		SET_VARSIZE(out, VARHDRSZ + sizeof(uint16) + n * sizeof(int16));
		memcpy(out + VARHDRSZ, &header, sizeof(header));
		for (int i = 0; i < n; i++)
			memcpy(out + VARHDRSZ + sizeof(uint16) + i * sizeof(int16),
				   &little[nd - 1 - i], sizeof(int16));
		result = (Numeric) buf;
	}
	if (result == buf && check_due(&build_checks))
	{
		Numeric		check = int64_div_fast_to_numeric(v, scale);

		if (VARSIZE(check) != VARSIZE(result) || memcmp(check, result, VARSIZE(check)) != 0)
			differs("a numeric built from a scaled integer", "int64_div_fast_to_numeric");
	}
	return result;
}
