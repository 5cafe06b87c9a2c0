/*
 * gen_rand.h
 *    The seeded random numbers behind costmodel-gen: xoshiro256** seeded
 *    through splitmix64, and the sampling helpers the generators use.
 *
 * Everything here is integer arithmetic, with no libc rand() and no libm,
 * so the same seed gives the same numbers on every platform and compiler.
 * Fixed-point values use 16 fractional bits ("q16": 65536 means 1.0).
 */
#ifndef GEN_RAND_H
#define GEN_RAND_H

#include <stdbool.h>
#include <stdint.h>

/* The state of one xoshiro256** stream. */
typedef struct gen_rng
{
	uint64_t	s[4];
} gen_rng;

/* One step of splitmix64: advances *state and returns a mixed value. */
uint64_t	gen_splitmix64(uint64_t *state);

/* Seed a stream; every seed, including 0, gives a usable state. */
void		gen_rng_seed(gen_rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t	gen_next(gen_rng *r);

/* A uniform integer in [0, n), without modulo bias; 0 when n is 0. */
uint32_t	gen_below(gen_rng *r, uint32_t n);

/* A uniform integer in [lo, hi], both ends included (hi - lo < 2^32). */
int64_t		gen_range(gen_rng *r, int64_t lo, int64_t hi);

/* True with probability ppm / 1,000,000. */
bool		gen_chance(gen_rng *r, uint32_t ppm);

/* An index in [0, n) picked with probability weights[i] / sum(weights). */
int			gen_pick(gen_rng *r, const uint32_t *weights, int n);

/* A standard normal deviate in q16 (Irwin-Hall sum of 12 uniforms, |z| <= 6). */
int32_t		gen_normal_q16(gen_rng *r);

/* median * exp(sigma * z) for a standard normal z; sigma in q16. */
int64_t		gen_lognormal(gen_rng *r, int64_t median, int32_t sigma_q16);

#endif							/* GEN_RAND_H */
