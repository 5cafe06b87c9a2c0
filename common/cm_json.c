/*
 * cm_json.c
 *    The canonical text of a JSON number, shared by the JSON access
 *    implementations so that both give the normaliser the same text.
 *
 * jsonb stores numbers as numeric, so the server sees "1.5e2" as "150" and
 * "-0.0" as "0.0".  json-c keeps the text as written.  The json-c side
 * passes its numbers through cmj_canonical_number, which writes exactly
 * what numeric_out would print for the same input.
 */
#include "cm_json.h"

#include <string.h>

/* Largest exponent numeric_in accepts (NUMERIC_MAX_PRECISION). */
#define MAX_EXPONENT 1000

/*
 * Write the canonical form of the JSON number s/len into out (when out is
 * not NULL) and return its length; return -1 when s is not a JSON number or
 * its exponent is beyond what PostgreSQL's numeric accepts.  out must hold
 * the returned length plus one.  When no change is needed, *same is set and
 * nothing is written.
 */
int
cmj_canonical_number(const char *s, int len, char *out, bool *same)
{
	const char *p = s,
			   *end = s + len;
	const char *ip,
			   *fp = NULL;
	int			ilen,
				flen = 0,
				exp10 = 0;
	bool		neg = false,
				nonzero = false,
				has_exp = false;
	int			point,
				dscale,
				n = 0;

	*same = false;
	if (p < end && *p == '-')
	{
		neg = true;
		p++;
	}
	ip = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	ilen = (int) (p - ip);
	if (ilen == 0)
		return -1;
	if (p < end && *p == '.')
	{
		fp = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		flen = (int) (p - fp);
		if (flen == 0)
			return -1;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		bool		eneg = false;
		const char *ep;

		has_exp = true;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = (*p++ == '-');
		ep = p;
		while (p < end && *p >= '0' && *p <= '9')
		{
			if (exp10 <= MAX_EXPONENT)
				exp10 = exp10 * 10 + (*p - '0');
			p++;
		}
		if (p == ep)
			return -1;
		if (exp10 > MAX_EXPONENT)
			return -1;
		if (eneg)
			exp10 = -exp10;
	}
	if (p != end)
		return -1;
	for (int i = 0; i < ilen && !nonzero; i++)
		nonzero = ip[i] != '0';
	for (int i = 0; i < flen && !nonzero; i++)
		nonzero = fp[i] != '0';
	if (!has_exp && !(neg && !nonzero))
	{
		/* the common case: already canonical */
		*same = true;
		return len;
	}

	/* digits d = int digits then fraction digits; the point sits after "point" */
	point = ilen + exp10;
	dscale = flen - exp10;
	if (dscale < 0)
		dscale = 0;
	{
		int			ndig = ilen + flen;
		bool		started = false;

#define DIGIT(k) ((k) < ilen ? ip[(k)] : ((k) - ilen < flen ? fp[(k) - ilen] : '0'))
		if (neg && nonzero)
		{
			if (out)
				out[n] = '-';
			n++;
		}
		/* integer part: digits 0 .. point-1, leading zeros dropped */
		for (int k = 0; k < point; k++)
		{
			char		d = (k < ndig) ? DIGIT(k) : '0';

			if (!started && d == '0' && k < point - 1)
				continue;
			started = true;
			if (out)
				out[n] = d;
			n++;
		}
		if (point <= 0)
		{
			if (out)
				out[n] = '0';
			n++;
		}
		if (dscale > 0)
		{
			if (out)
				out[n] = '.';
			n++;
			for (int k = point; k < point + dscale; k++)
			{
				char		d = (k >= 0 && k < ndig) ? DIGIT(k) : '0';

				if (out)
					out[n] = d;
				n++;
			}
		}
#undef DIGIT
	}
	if (out)
		out[n] = '\0';
	return n;
}
