/*
 * cm_values.c
 *    The value parsers: money, rates, booleans, integers, timestamps, dates,
 *    and the canonical spellings of network status and exception types.
 *
 * One implementation, used by the trace normaliser, the CSV loader and the
 * SQL functions.  Nothing here allocates; every parser works on a
 * (pointer, length) pair.
 */
#include "cm_values.h"

#include <stdio.h>
#include <string.h>

/* Largest magnitude of numeric(14,2), in cents. */
#define MONEY_MAX_CENTS		99999999999999LL

#define USEC_PER_SEC		1000000LL
#define USEC_PER_DAY		86400000000LL

/* ASCII-only character classes, independent of the C locale. */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ASCII white space. */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ASCII lower case of one character. */
static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

/* Strip ASCII white space from both ends of s/len. */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_space(**s))
	{
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*s)[*len - 1]))
		(*len)--;
}

/* Case-insensitive comparison of s/len with a NUL-terminated word. */
static bool
word_eq(const char *s, size_t len, const char *word)
{
	size_t		i;

	for (i = 0; i < len; i++)
		if (word[i] == '\0' || lower(s[i]) != word[i])
			return false;
	return word[len] == '\0';
}

/* Fold s to lower-case letters and digits only, into buf (size n). */
static size_t
fold_alnum(const char *s, size_t len, char *buf, size_t n)
{
	size_t		j = 0;

	for (size_t i = 0; i < len && j + 1 < n; i++)
	{
		char		c = lower(s[i]);

		if ((c >= 'a' && c <= 'z') || is_digit(c))
			buf[j++] = c;
	}
	buf[j] = '\0';
	return j;
}

static const char *const placeholders[] = {
	"n/a", "na", "null", "none", "nil", "#n/a", "-", "--", "nan", "(null)", "unknown", NULL
};

/* Is the text a placeholder for a missing value? */
bool
cmv_is_placeholder(const char *s, size_t len)
{
	trim(&s, &len);
	if (len == 0)
		return true;
	for (int i = 0; placeholders[i]; i++)
		if (word_eq(s, len, placeholders[i]))
			return true;
	return false;
}

/* Notes a decimal parse can raise, most significant first. */
enum
{
	NOTE_ROUNDED = 1 << 0,
	NOTE_PARENS = 1 << 1,
	NOTE_TRAILING_MINUS = 1 << 2,
	NOTE_CURRENCY = 1 << 3,
	NOTE_GROUPING = 1 << 4,
	NOTE_DECIMAL_COMMA = 1 << 5,
	NOTE_EXPONENT = 1 << 6,
	NOTE_PERCENT = 1 << 7,
	NOTE_SPACE = 1 << 8
};

/* The sentence for the most significant note of a decimal parse. */
static const char *
note_text(unsigned notes)
{
	if (notes & NOTE_ROUNDED)
		return "rounded to the stored precision";
	if (notes & NOTE_PARENS)
		return "negative amount written in parentheses";
	if (notes & NOTE_TRAILING_MINUS)
		return "negative amount written with a trailing minus";
	if (notes & NOTE_CURRENCY)
		return "currency symbol removed";
	if (notes & NOTE_GROUPING)
		return "thousands separators removed";
	if (notes & NOTE_DECIMAL_COMMA)
		return "decimal comma read as a decimal point";
	if (notes & NOTE_EXPONENT)
		return "exponent notation expanded";
	if (notes & NOTE_PERCENT)
		return "percent sign read as a rate";
	if (notes & NOTE_SPACE)
		return "surrounding white space removed";
	return NULL;
}

/*
 * The plain form [-]digits[.digits], with no more decimals than scale and
 * at most 18 digits in all: how JSON numbers and most amounts are written.
 * Gives exactly what decimal_scaled's general parse gives for that form,
 * without its bookkeeping; false leaves everything else to the general
 * parse (so do values above max_abs, which it rejects).
 */
static bool
plain_decimal(const char *s, size_t len, int scale, int64_t max_abs, int64_t *out)
{
	const char *p = s;
	const char *end = s + len;
	bool		neg = false;
	int64_t		v = 0;
	int			ndigits = 0;
	int			frac = 0;

	if (p < end && *p == '-')
	{
		neg = true;
		p++;
	}
	while (p < end && is_digit(*p))
	{
		if (++ndigits + scale > 18)
			return false;
		v = v * 10 + (*p++ - '0');
	}
	if (ndigits == 0)
		return false;
	if (p < end && *p == '.')
	{
		p++;
		while (p < end && is_digit(*p))
		{
			if (++frac > scale)
				return false;
			v = v * 10 + (*p++ - '0');
		}
		if (frac == 0)
			return false;
	}
	if (p != end)
		return false;
	for (; frac < scale; frac++)
		v *= 10;
	if (v > max_abs)
		return false;
	*out = neg ? -v : v;
	return true;
}

/*
 * Parse a decimal number into an integer scaled by 10^scale, rounding half
 * away from zero.  Handles a sign, parentheses, a trailing minus, "$" / "USD",
 * thousands separators in groups of three, a decimal comma when asked, an
 * exponent and (when percent is not NULL) a trailing "%".
 */
static cmv_status
decimal_scaled(const char *s, size_t len, bool decimal_comma, int scale,
			   int64_t max_abs, int64_t *out, unsigned *notes, bool *percent)
{
	const char *p;
	const char *end;
	bool		neg = false;
	char		digits[64];		/* all significant digits, integer part first */
	int			ndigits = 0;
	int			point = -1;		/* digits before the decimal point */
	int			exp10 = 0;
	char		group = decimal_comma ? '.' : ',';
	char		dpoint = decimal_comma ? ',' : '.';
	int			since_group = -1;	/* digits since the last separator */
	bool		any = false;
	size_t		orig = len;

	*notes = 0;
	if (percent)
		*percent = false;
	if (!decimal_comma && plain_decimal(s, len, scale, max_abs, out))
		return CMV_OK;
	trim(&s, &len);
	if (len != orig)
		*notes |= NOTE_SPACE;
	if (len == 0)
		return CMV_NULL;
	p = s;
	end = s + len;

	/* enclosing parentheses mean a negative amount */
	if (*p == '(' && end[-1] == ')')
	{
		neg = true;
		*notes |= NOTE_PARENS;
		p++;
		end--;
	}
	/* trailing minus, as some billing exports write it */
	if (end > p && end[-1] == '-' && end - p > 1)
	{
		neg = !neg;
		*notes |= NOTE_TRAILING_MINUS;
		end--;
	}
	if (percent && end > p && end[-1] == '%')
	{
		*percent = true;
		*notes |= NOTE_PERCENT;
		end--;
		while (end > p && is_space(end[-1]))
			end--;
	}
	/* a currency suffix */
	if (end - p > 3 && word_eq(end - 3, 3, "usd"))
	{
		*notes |= NOTE_CURRENCY;
		end -= 3;
		while (end > p && is_space(end[-1]))
			end--;
	}
	if (p < end && (*p == '-' || *p == '+'))
	{
		if (*p == '-')
			neg = !neg;
		p++;
	}
	/* a currency prefix, before or after the sign */
	if (end - p > 3 && word_eq(p, 3, "usd"))
	{
		*notes |= NOTE_CURRENCY;
		p += 3;
		while (p < end && is_space(*p))
			p++;
	}
	if (p < end && *p == '$')
	{
		*notes |= NOTE_CURRENCY;
		p++;
		while (p < end && is_space(*p))
			p++;
	}
	if (p < end && (*p == '-' || *p == '+') && (*notes & NOTE_CURRENCY))
	{
		if (*p == '-')
			neg = !neg;
		p++;
	}

	for (; p < end; p++)
	{
		char		c = *p;

		if (is_digit(c))
		{
			any = true;
			if (ndigits == 0 && c == '0' && point < 0)
			{
				/* drop leading zeros of the integer part */
			}
			else if (ndigits < (int) sizeof(digits))
				digits[ndigits++] = c;
			else if (point < 0)
				return CMV_INVALID; /* integer part far too long */
			else if (c != '0')
				*notes |= NOTE_ROUNDED; /* beyond 64 significant digits */
			if (since_group >= 0 && point < 0)
				since_group++;
		}
		else if (c == group && point < 0 && any)
		{
			/* a thousands separator: the previous group must have 3 digits */
			if (since_group >= 0 && since_group != 3)
				return CMV_INVALID;
			since_group = 0;
			*notes |= NOTE_GROUPING;
		}
		else if (c == dpoint && point < 0)
		{
			if (since_group >= 0 && since_group != 3)
				return CMV_INVALID;
			since_group = -1;
			point = ndigits;
			if (decimal_comma)
				*notes |= NOTE_DECIMAL_COMMA;
		}
		else if ((c == 'e' || c == 'E') && any)
		{
			/* exponent: the rest must be [+-]digits */
			bool		eneg = false;
			int			e = 0;
			const char *q = p + 1;

			if (q < end && (*q == '+' || *q == '-'))
				eneg = (*q++ == '-');
			if (q >= end)
				return CMV_INVALID;
			for (; q < end; q++)
			{
				if (!is_digit(*q))
					return CMV_INVALID;
				if (e < 10000)
					e = e * 10 + (*q - '0');
			}
			exp10 = eneg ? -e : e;
			*notes |= NOTE_EXPONENT;
			break;
		}
		else
			return CMV_INVALID;
	}
	if (!any)
		return CMV_INVALID;
	if (since_group >= 0 && since_group != 3)
		return CMV_INVALID;
	if (point < 0)
		point = ndigits;

	/*
	 * The value is 0.d0d1d2... * 10^(point + exp10).  Scaled by 10^scale, the
	 * first k digits form the integer result and digit k decides rounding.
	 */
	{
		int			k = point + exp10 + scale;
		int64_t		v = 0;
		bool		nonzero = false;

		for (int i = 0; i < ndigits; i++)
			if (digits[i] != '0')
				nonzero = true;
		if (k > 18 && nonzero)
			return CMV_INVALID;
		for (int i = 0; i < k && nonzero; i++)
		{
			v = v * 10 + (i < ndigits ? digits[i] - '0' : 0);
			if (v > max_abs)
				return CMV_INVALID;
		}
		for (int i = (k < 0 ? 0 : k); i < ndigits; i++)
			if (digits[i] != '0')
				*notes |= NOTE_ROUNDED;
		if (k >= 0 && k < ndigits && digits[k] >= '5')
			v++;
		if (v > max_abs)
			return CMV_INVALID;
		*out = neg ? -v : v;
	}
	return CMV_OK;
}

/* Money in integer cents. */
cmv_status
cmv_money(const char *s, size_t len, bool decimal_comma, int64_t *cents,
		  const char **why)
{
	unsigned	notes;
	cmv_status	st;

	*why = NULL;
	st = decimal_scaled(s, len, decimal_comma, 2, MONEY_MAX_CENTS, cents, &notes, NULL);
	if (st != CMV_OK && cmv_is_placeholder(s, len))
	{
		/* checked after the parse: numbers, the common case, skip this */
		*why = "placeholder for a missing amount";
		return CMV_NULL;
	}
	if (st == CMV_INVALID)
		*why = "not a readable amount";
	else
		*why = note_text(notes);
	return st;
}

/* Is an exact number of cents an amount cmv_money reads as it is? */
bool
cmv_money_exact(int64_t cents)
{
	return cents >= -MONEY_MAX_CENTS && cents <= MONEY_MAX_CENTS;
}

/*
 * Is an exact number of 1/10000 units a rate cmv_rate reads as it is?  Up
 * to 1 it is a fraction (above, cmv_rate reads a percentage).
 */
bool
cmv_rate_exact(int64_t bp4)
{
	return bp4 >= 0 && bp4 <= 10000;
}

/* A rate in units of 1/10000: fractions, whole percents and "N%". */
cmv_status
cmv_rate(const char *s, size_t len, int32_t *bp4, const char **why)
{
	unsigned	notes;
	bool		percent;
	int64_t		v;
	cmv_status	st;

	*why = NULL;
	/* read at scale 6 so that percents keep four places after division */
	st = decimal_scaled(s, len, false, 6, 1000000000000LL, &v, &notes, &percent);
	if (st != CMV_OK && cmv_is_placeholder(s, len))
	{
		/* checked after the parse, which no placeholder passes */
		*why = "placeholder for a missing rate";
		return CMV_NULL;
	}
	if (st != CMV_OK)
	{
		*why = "not a readable rate";
		return st;
	}
	if (percent || v > 1000000)
	{
		/* "40%" or 40: a percentage */
		if (!percent)
			*why = "rate given as a percentage";
		if (v % 10000 != 0)
			notes |= NOTE_ROUNDED;
		v = (v + (v >= 0 ? 5000 : -5000)) / 10000;	/* percent, scale 6 → fraction, scale 4 */
	}
	else
	{
		if (v % 100 != 0)
			notes |= NOTE_ROUNDED;
		v = (v + (v >= 0 ? 50 : -50)) / 100;	/* scale 6 → scale 4 */
	}
	if ((notes & NOTE_ROUNDED) && *why == NULL)
		*why = "rounded to the stored precision";
	if (v < 0 || v > 10000)
	{
		*why = "rate outside 0-100%";
		return CMV_INVALID;
	}
	if (*why == NULL)
		*why = note_text(notes);
	*bp4 = (int32_t) v;
	return CMV_OK;
}

static const char *const true_words[] = {"true", "t", "yes", "y", "1", "on", NULL};
static const char *const false_words[] = {"false", "f", "no", "n", "0", "off", NULL};

/* A boolean from its common spellings. */
cmv_status
cmv_bool(const char *s, size_t len, bool *out, const char **why)
{
	*why = NULL;
	trim(&s, &len);
	if (cmv_is_placeholder(s, len))
	{
		*why = "placeholder for a missing boolean";
		return CMV_NULL;
	}
	for (int i = 0; true_words[i]; i++)
		if (word_eq(s, len, true_words[i]))
		{
			*out = true;
			return CMV_OK;
		}
	for (int i = 0; false_words[i]; i++)
		if (word_eq(s, len, false_words[i]))
		{
			*out = false;
			return CMV_OK;
		}
	*why = "not a readable boolean";
	return CMV_INVALID;
}

/* Is an exact whole number one cmv_int32 reads as it is? */
bool
cmv_int32_exact(int64_t v)
{
	return v >= -2147483647LL && v <= 2147483647LL;
}

/* A whole number that fits in int32. */
cmv_status
cmv_int32(const char *s, size_t len, int32_t *out, const char **why)
{
	unsigned	notes;
	int64_t		v;
	cmv_status	st;

	*why = NULL;
	st = decimal_scaled(s, len, false, 0, 2147483647LL, &v, &notes, NULL);
	if (st != CMV_OK && cmv_is_placeholder(s, len))
	{
		/* checked after the parse, which no placeholder passes */
		*why = "placeholder for a missing number";
		return CMV_NULL;
	}
	if (st != CMV_OK || (notes & ~(unsigned) (NOTE_SPACE | NOTE_EXPONENT)) != 0)
	{
		*why = "not a whole number in range";
		return CMV_INVALID;
	}
	*out = (int32_t) v;
	*why = note_text(notes);
	return CMV_OK;
}

/* Days from 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
cmv_days
cmv_days_from_civil(int y, int m, int d)
{
	int			era;
	unsigned	yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned) (y - era * 400);
	doy = (unsigned) ((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (cmv_days) (era * 146097 + (int) doe - 719468);
}

/* The calendar date of a day number. */
void
cmv_civil_from_days(cmv_days z, int *y, int *m, int *d)
{
	int			era;
	unsigned	doe,
				yoe,
				doy,
				mp;
	int			zz = z + 719468;

	era = (zz >= 0 ? zz : zz - 146096) / 146097;
	doe = (unsigned) (zz - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = (int) yoe + era * 400 + (*m <= 2);
}

/* Days in a month of a year. */
static int
month_days(int y, int m)
{
	static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

/* Read exactly n digits at *p (advancing it); -1 if they are not digits. */
static int
take_digits(const char **p, const char *end, int n)
{
	int			v = 0;

	if (end - *p < n)
		return -1;
	for (int i = 0; i < n; i++)
	{
		if (!is_digit((*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

/* Read 1 to max digits at *p; -1 if none. */
static int
take_upto(const char **p, const char *end, int max)
{
	int			v = 0,
				n = 0;

	while (*p < end && n < max && is_digit(**p))
	{
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n ? v : -1;
}

/* The broken-down parts of a parsed date and time. */
typedef struct dt_parts
{
	int			y,
				mo,
				d,
				h,
				mi,
				sec;
	int64_t		usec;
	bool		has_time;
	bool		has_zone;
	int			offset_sec;		/* east of UTC */
} dt_parts;

/* Parse "[T| ]HH:MM[:SS[.frac]] [AM|PM]" at *p; false on malformed text. */
static bool
parse_time(const char **pp, const char *end, dt_parts *dt)
{
	const char *p = *pp;

	if (p < end && (*p == 'T' || *p == 't' || *p == ' '))
		p++;
	else
		return false;
	while (p < end && *p == ' ')
		p++;
	dt->h = take_upto(&p, end, 2);
	if (dt->h < 0 || p >= end || *p != ':')
		return false;
	p++;
	dt->mi = take_digits(&p, end, 2);
	if (dt->mi < 0)
		return false;
	dt->sec = 0;
	dt->usec = 0;
	if (p < end && *p == ':')
	{
		p++;
		dt->sec = take_digits(&p, end, 2);
		if (dt->sec < 0)
			return false;
		if (p < end && (*p == '.' || *p == ','))
		{
			int64_t		scale = 100000;

			p++;
			if (p >= end || !is_digit(*p))
				return false;
			while (p < end && is_digit(*p))
			{
				dt->usec += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
	}
	/* 12-hour clock */
	{
		const char *q = p;

		while (q < end && *q == ' ')
			q++;
		if (end - q >= 2 && (word_eq(q, 2, "am") || word_eq(q, 2, "pm")))
		{
			bool		pm = lower(*q) == 'p';

			if (dt->h < 1 || dt->h > 12)
				return false;
			dt->h = (dt->h % 12) + (pm ? 12 : 0);
			p = q + 2;
		}
	}
	dt->has_time = true;
	*pp = p;
	return true;
}

/* Parse an optional zone at *p: Z, +hh[:mm], +hhmm, UTC, GMT. */
static bool
parse_zone(const char **pp, const char *end, dt_parts *dt)
{
	const char *p = *pp;

	while (p < end && *p == ' ')
		p++;
	if (p >= end)
	{
		*pp = p;
		return true;
	}
	if ((*p == 'Z' || *p == 'z') && p + 1 == end)
	{
		dt->has_zone = true;
		*pp = end;
		return true;
	}
	if (end - p == 3 && (word_eq(p, 3, "utc") || word_eq(p, 3, "gmt")))
	{
		dt->has_zone = true;
		*pp = end;
		return true;
	}
	if (*p == '+' || *p == '-')
	{
		int			sign = (*p == '-') ? -1 : 1;
		int			hh,
					mm = 0;

		p++;
		hh = take_digits(&p, end, 2);
		if (hh < 0 || hh > 15)
			return false;
		if (p < end && *p == ':')
			p++;
		if (p < end)
		{
			mm = take_digits(&p, end, 2);
			if (mm < 0 || mm > 59)
				return false;
		}
		if (p != end)
			return false;
		dt->has_zone = true;
		dt->offset_sec = sign * (hh * 3600 + mm * 60);
		*pp = p;
		return true;
	}
	return false;
}

/* Check ranges of the parts. */
static bool
valid_parts(const dt_parts *dt)
{
	if (dt->y < 1 || dt->y > 9999 || dt->mo < 1 || dt->mo > 12)
		return false;
	if (dt->d < 1 || dt->d > month_days(dt->y, dt->mo))
		return false;
	if (dt->h < 0 || dt->h > 23 || dt->mi < 0 || dt->mi > 59 || dt->sec < 0 || dt->sec > 59)
		return false;
	return true;
}

typedef enum
{
	FORM_ISO,
	FORM_ISO_DATE,
	FORM_US,
	FORM_COMPACT,
	FORM_EPOCH_S,
	FORM_EPOCH_MS
} dt_form;

/* Parse any accepted form into parts or an epoch value. */
static cmv_status
parse_datetime(const char *s, size_t len, bool is_json_number, dt_parts *dt,
			   dt_form *form, cmv_usec *epoch)
{
	const char *p,
			   *end;
	size_t		ndig = 0;

	memset(dt, 0, sizeof(*dt));
	trim(&s, &len);
	if (cmv_is_placeholder(s, len))
		return CMV_NULL;
	p = s;
	end = s + len;
	while (ndig < len && is_digit(s[ndig]))
		ndig++;

	if (is_json_number || ndig == len)
	{
		/* an epoch number, or YYYYMMDD */
		int64_t		v = 0;
		size_t		i;

		if (!is_json_number && ndig == 8)
		{
			dt->y = take_digits(&p, end, 4);
			dt->mo = take_digits(&p, end, 2);
			dt->d = take_digits(&p, end, 2);
			*form = FORM_COMPACT;
			return valid_parts(dt) ? CMV_OK : CMV_INVALID;
		}
		if (ndig == 0 || ndig > 15)
			return CMV_INVALID;
		for (i = 0; i < ndig; i++)
			v = v * 10 + (s[i] - '0');
		if (ndig < len)
		{
			/* a JSON number with a fraction: allow ".000"-style tails */
			if (s[ndig] != '.')
				return CMV_INVALID;
			for (i = ndig + 1; i < len; i++)
				if (!is_digit(s[i]))
					return CMV_INVALID;
		}
		if (is_json_number || ndig >= 11)
		{
			/* up to 9999-12-31 23:59:59.999 UTC, like the other forms */
			if (v > 253402300799999LL)
				return CMV_INVALID;
			*form = FORM_EPOCH_MS;
			*epoch = v * 1000;
		}
		else if (ndig >= 9)
		{
			*form = FORM_EPOCH_S;
			*epoch = v * USEC_PER_SEC;
		}
		else
			return CMV_INVALID;
		return CMV_OK;
	}

	if (ndig == 4 && len >= 10 && (s[4] == '-' || s[4] == '/'))
	{
		char		sep = s[4];

		dt->y = take_digits(&p, end, 4);
		p++;
		dt->mo = take_digits(&p, end, 2);
		if (dt->mo < 0 || p >= end || *p != sep)
			return CMV_INVALID;
		p++;
		dt->d = take_digits(&p, end, 2);
		if (dt->d < 0)
			return CMV_INVALID;
		*form = FORM_ISO_DATE;
	}
	else if (ndig >= 1 && ndig <= 2 && s[ndig] == '/')
	{
		dt->mo = take_upto(&p, end, 2);
		p++;
		dt->d = take_upto(&p, end, 2);
		if (dt->d < 0 || p >= end || *p != '/')
			return CMV_INVALID;
		p++;
		dt->y = take_digits(&p, end, 4);
		if (dt->y < 0)
			return CMV_INVALID;
		*form = FORM_US;
	}
	else
		return CMV_INVALID;

	if (p < end && (*p == 'T' || *p == 't' || *p == ' '))
	{
		const char *save = p;

		if (!parse_time(&p, end, dt))
		{
			/* "2025-03-04 UTC" has a zone but no time */
			p = save;
			dt->h = dt->mi = dt->sec = 0;
			dt->usec = 0;
		}
		else if (*form == FORM_ISO_DATE)
			*form = FORM_ISO;
	}
	if (!parse_zone(&p, end, dt) || p != end)
		return CMV_INVALID;
	return valid_parts(dt) ? CMV_OK : CMV_INVALID;
}

/* A point in time, in microseconds since 1970 UTC. */
cmv_status
cmv_timestamp(const char *s, size_t len, bool is_json_number, cmv_usec *out,
			  const char **why)
{
	dt_parts	dt;
	dt_form		form = FORM_ISO;
	cmv_usec	epoch = 0;
	cmv_status	st;

	*why = NULL;
	st = parse_datetime(s, len, is_json_number, &dt, &form, &epoch);
	if (st == CMV_NULL)
	{
		*why = "placeholder for a missing timestamp";
		return st;
	}
	if (st == CMV_INVALID)
	{
		*why = "not a readable timestamp";
		return st;
	}
	switch (form)
	{
		case FORM_EPOCH_MS:
			*out = epoch;
			*why = "epoch milliseconds converted";
			return CMV_OK;
		case FORM_EPOCH_S:
			*out = epoch;
			*why = "epoch seconds converted";
			return CMV_OK;
		case FORM_ISO_DATE:
			*why = "date only, read as midnight UTC";
			break;
		case FORM_COMPACT:
			*why = "YYYYMMDD date, read as midnight UTC";
			break;
		case FORM_US:
			*why = dt.has_time ? "MM/DD/YYYY timestamp converted" : "MM/DD/YYYY date, read as midnight UTC";
			break;
		case FORM_ISO:
			if (!dt.has_zone)
				*why = "no time zone, read as UTC";
			break;
	}
	*out = (cmv_usec) cmv_days_from_civil(dt.y, dt.mo, dt.d) * USEC_PER_DAY
		+ ((int64_t) dt.h * 3600 + dt.mi * 60 + dt.sec - dt.offset_sec) * USEC_PER_SEC
		+ dt.usec;
	return CMV_OK;
}

/* Floor division for negative epoch values. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* A calendar date; a timestamp's date part is taken as written. */
cmv_status
cmv_date(const char *s, size_t len, bool is_json_number, cmv_days *out,
		 const char **why)
{
	dt_parts	dt;
	dt_form		form = FORM_ISO_DATE;
	cmv_usec	epoch = 0;
	cmv_status	st;

	*why = NULL;
	st = parse_datetime(s, len, is_json_number, &dt, &form, &epoch);
	if (st == CMV_NULL)
	{
		*why = "placeholder for a missing date";
		return st;
	}
	if (st == CMV_INVALID)
	{
		*why = "not a readable date";
		return st;
	}
	switch (form)
	{
		case FORM_EPOCH_MS:
		case FORM_EPOCH_S:
			*out = (cmv_days) floor_div(epoch, USEC_PER_DAY);
			*why = "epoch value converted to its UTC date";
			return CMV_OK;
		case FORM_ISO:
			*why = "timestamp given, its date part used";
			break;
		case FORM_COMPACT:
			*why = "YYYYMMDD date converted";
			break;
		case FORM_US:
			*why = "MM/DD/YYYY date converted";
			break;
		case FORM_ISO_DATE:
			if (dt.has_time || dt.has_zone)
				*why = "timestamp given, its date part used";
			break;
	}
	*out = cmv_days_from_civil(dt.y, dt.mo, dt.d);
	return CMV_OK;
}

static const char *const in_network_words[] = {
	"innetwork", "inn", "in", "innet", "par", "participating", "network", NULL
};
static const char *const out_network_words[] = {
	"outofnetwork", "oon", "out", "outnetwork", "outofnet", "nonpar",
	"nonparticipating", "nonnetwork", "nonnet", NULL
};

/* Canonical network status, or NULL when the text names neither. */
const char *
cmv_network_status(const char *s, size_t len)
{
	char		buf[32];

	/* the canonical spellings, the common case, need no folding */
	if (len == 10 && memcmp(s, "in_network", 10) == 0)
		return "in_network";
	if (len == 14 && memcmp(s, "out_of_network", 14) == 0)
		return "out_of_network";
	if (len >= sizeof(buf) * 2)
		return NULL;
	fold_alnum(s, len, buf, sizeof(buf));
	for (int i = 0; in_network_words[i]; i++)
		if (strcmp(buf, in_network_words[i]) == 0)
			return "in_network";
	for (int i = 0; out_network_words[i]; i++)
		if (strcmp(buf, out_network_words[i]) == 0)
			return "out_of_network";
	return NULL;
}

const char *const cmv_exception_types[] = {
	"Provider not found", "Rate not found", "Benefit issues",
	"Accumulator not found", "Member not found", "Timeout", "Other", NULL
};

/* Folded spellings of each canonical exception type. */
static const struct
{
	const char *folded;
	int			type;
}			exception_words[] = {
	{"providernotfound", 0}, {"provnotfound", 0}, {"providermissing", 0},
	{"noprovider", 0}, {"unknownprovider", 0},
	{"ratenotfound", 1}, {"norate", 1}, {"ratemissing", 1},
	{"nocontractedrate", 1}, {"ratenotavailable", 1},
	{"benefitissues", 2}, {"benefitissue", 2}, {"benefitsissue", 2},
	{"benefitsissues", 2}, {"benefiterror", 2}, {"benefitnotfound", 2},
	{"accumulatornotfound", 3}, {"accumnotfound", 3},
	{"accumulatorsnotfound", 3}, {"accumulatorunavailable", 3},
	{"accumulatormissing", 3},
	{"membernotfound", 4}, {"memnotfound", 4}, {"unknownmember", 4},
	{"nomember", 4},
	{"timeout", 5}, {"timedout", 5}, {"gatewaytimeout", 5},
	{"requesttimeout", 5}, {"upstreamtimeout", 5},
	{"other", 6},
	{NULL, 0}
};

/* Canonical exception type, or NULL when the text names none. */
const char *
cmv_exception_type(const char *s, size_t len)
{
	char		buf[48];

	/* the canonical spellings, the common case, need no folding */
	for (int i = 0; cmv_exception_types[i]; i++)
		if (len == strlen(cmv_exception_types[i]) &&
			memcmp(s, cmv_exception_types[i], len) == 0)
			return cmv_exception_types[i];
	if (len >= sizeof(buf) * 2)
		return NULL;
	fold_alnum(s, len, buf, sizeof(buf));
	for (int i = 0; exception_words[i].folded; i++)
		if (strcmp(buf, exception_words[i].folded) == 0)
			return cmv_exception_types[exception_words[i].type];
	return NULL;
}

/* Write |v| / 10^scale with exactly scale decimals; returns length. */
static int
format_scaled(int64_t v, int scale, char *buf)
{
	char		tmp[32];
	int			n = 0,
				j = 0;
	uint64_t	u = v < 0 ? (uint64_t) (-(v + 1)) + 1 : (uint64_t) v;

	do
	{
		tmp[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u > 0 || n <= scale);
	if (v < 0)
		buf[j++] = '-';
	while (n > 0)
	{
		if (n == scale)
			buf[j++] = '.';
		buf[j++] = tmp[--n];
	}
	buf[j] = '\0';
	return j;
}

/* Money as "-1234.50". */
int
cmv_format_money(int64_t cents, char *buf)
{
	return format_scaled(cents, 2, buf);
}

/* A rate as "0.4000". */
int
cmv_format_rate(int32_t bp4, char *buf)
{
	return format_scaled(bp4, 4, buf);
}

/* A date as "YYYY-MM-DD". */
int
cmv_format_date(cmv_days d, char *buf)
{
	int			y,
				m,
				dd;

	cmv_civil_from_days(d, &y, &m, &dd);
	return snprintf(buf, 40, "%04d-%02d-%02d", y, m, dd);
}

/* A timestamp as "YYYY-MM-DD HH:MM:SS[.ffffff]+00". */
int
cmv_format_timestamp(cmv_usec t, char *buf)
{
	int64_t		days = floor_div(t, USEC_PER_DAY);
	int64_t		rem = t - days * USEC_PER_DAY;
	int64_t		secs = rem / USEC_PER_SEC;
	int64_t		usec = rem % USEC_PER_SEC;
	int			n = cmv_format_date((cmv_days) days, buf);

	n += snprintf(buf + n, 40 - n, " %02d:%02d:%02d", (int) (secs / 3600),
				  (int) (secs / 60 % 60), (int) (secs % 60));
	if (usec)
		n += snprintf(buf + n, 40 - n, ".%06d", (int) usec);
	n += snprintf(buf + n, 40 - n, "+00");
	return n;
}
