/*
 * gen_rand.c
 *    Seeded pseudo-random numbers for costmodel-gen: xoshiro256** (Blackman
 *    and Vigna) seeded by splitmix64, uniform integers without modulo bias,
 *    weighted picks, and normal / lognormal deviates in fixed point.
 *
 * No floating point is used, so output is identical across platforms.
 */
#include "gen_rand.h"

/* 2^(2^-k) in q31 for k = 1..16: the factors of a fractional power of two. */
static const uint64_t exp2_frac_q31[16] = {
	3037000500u, 2553802834u, 2341847524u, 2242560872u,
	2194507417u, 2170868212u, 2159144272u, 2153306067u,
	2150392887u, 2148937775u, 2148210589u, 2147847087u,
	2147665360u, 2147574502u, 2147529075u, 2147506361u
};

/* log2(e) in q30. */
#define LOG2E_Q30	INT64_C(1549082005)

/* Rotate x left by k bits. */
static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* Floor division of a signed value by 2^16. */
static inline int64_t
floor_q16(int64_t v)
{
	return v >= 0 ? v / 65536 : -((-v + 65535) / 65536);
}

/* One step of splitmix64: advances *state and returns a mixed value. */
uint64_t
gen_splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Seed a stream; every seed, including 0, gives a usable state. */
void
gen_rng_seed(gen_rng *r, uint64_t seed)
{
	uint64_t	sm = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = gen_splitmix64(&sm);
}

/* The next 64 random bits (xoshiro256**). */
uint64_t
gen_next(gen_rng *r)
{
	uint64_t   *s = r->s;
	uint64_t	result = rotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* A uniform integer in [0, n) by Lemire's multiply-and-reject method. */
uint32_t
gen_below(gen_rng *r, uint32_t n)
{
	uint64_t	m;
	uint32_t	low;

	if (n == 0)
		return 0;
	m = (gen_next(r) >> 32) * (uint64_t) n;
	low = (uint32_t) m;
	if (low < n)
	{
		uint32_t	threshold = (uint32_t) (-n) % n;

		while (low < threshold)
		{
			m = (gen_next(r) >> 32) * (uint64_t) n;
			low = (uint32_t) m;
		}
	}
	return (uint32_t) (m >> 32);
}

/* A uniform integer in [lo, hi], both ends included. */
int64_t
gen_range(gen_rng *r, int64_t lo, int64_t hi)
{
	uint64_t	span;

	if (hi <= lo)
		return lo;
	span = (uint64_t) (hi - lo) + 1;
	if (span > UINT32_MAX)
		return lo + (int64_t) (gen_next(r) % span);
	return lo + gen_below(r, (uint32_t) span);
}

/* True with probability ppm / 1,000,000. */
bool
gen_chance(gen_rng *r, uint32_t ppm)
{
	if (ppm == 0)
		return false;
	return gen_below(r, 1000000) < ppm;
}

/* An index in [0, n) picked with probability weights[i] / sum(weights). */
int
gen_pick(gen_rng *r, const uint32_t *weights, int n)
{
	uint64_t	total = 0;
	uint64_t	x;

	for (int i = 0; i < n; i++)
		total += weights[i];
	if (total == 0)
		return 0;
	x = total <= UINT32_MAX ? gen_below(r, (uint32_t) total)
		: gen_next(r) % total;
	for (int i = 0; i < n; i++)
	{
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

/* A standard normal deviate in q16: twelve 16-bit uniforms, recentred. */
int32_t
gen_normal_q16(gen_rng *r)
{
	int64_t		sum = 0;

	for (int i = 0; i < 3; i++)
	{
		uint64_t	x = gen_next(r);

		sum += (x & 0xFFFF) + ((x >> 16) & 0xFFFF) +
			((x >> 32) & 0xFFFF) + (x >> 48);
	}
	/* twelve uniforms on [0, 65535] have mean 393210 and sd ~65536 */
	return (int32_t) (sum - 393210);
}

/* median * 2^(x / 65536), computed by shifts and q31 products. */
static int64_t
scale_exp2(int64_t median, int64_t x_q16)
{
	int64_t		whole = floor_q16(x_q16);
	uint32_t	frac = (uint32_t) (x_q16 - whole * 65536);
	uint64_t	acc = UINT64_C(1) << 31;
	uint64_t	v;

	for (int k = 1; k <= 16; k++)
		if (frac & (1u << (16 - k)))
			acc = (acc * exp2_frac_q31[k - 1]) >> 31;
	if (whole > 24)
		whole = 24;
	if (whole < -40)
		return 0;
	/* median < 2^31 keeps median * acc (< 2^32) inside 64 bits */
	v = ((uint64_t) median * acc) >> 31;
	if (whole >= 0)
	{
		if (v > (UINT64_C(1) << (62 - whole)))
			return INT64_MAX / 2;
		return (int64_t) (v << whole);
	}
	return (int64_t) (v >> -whole);
}

/* median * exp(sigma * z) for a standard normal z; sigma in q16. */
int64_t
gen_lognormal(gen_rng *r, int64_t median, int32_t sigma_q16)
{
	int64_t		z = gen_normal_q16(r);
	int64_t		ln_q16 = floor_q16((int64_t) sigma_q16 * z);
	int64_t		log2_q16;

	if (median <= 0)
		return 0;
	if (median > INT32_MAX)
		median = INT32_MAX;
	/* exp(y) = 2^(y * log2 e) */
	log2_q16 = ln_q16 >= 0 ? (ln_q16 * LOG2E_Q30) >> 30
		: -((-ln_q16 * LOG2E_Q30) >> 30);
	return scale_exp2(median, log2_q16);
}
