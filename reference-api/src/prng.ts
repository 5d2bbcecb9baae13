import type { RandomGenerator } from 'pure-rand/lib/types/RandomGenerator';

// pure-rand only publishes subpath `exports`, which the repository's node10 module resolution cannot see;
// types come from the files behind those exports, the code through Node's own resolver.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { xoroshiro128plus } =
	require('pure-rand/generator/xoroshiro128plus') as typeof import('pure-rand/lib/generator/xoroshiro128plus');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { uniformFloat64 } =
	require('pure-rand/distribution/uniformFloat64') as typeof import('pure-rand/lib/distribution/uniformFloat64');

/** Seeded source of fault decisions: the same seed and request order give the same sequence. */
export class Prng {
	private rng: RandomGenerator;

	constructor(seed: number) {
		this.rng = warmedUp(seed);
	}

	reseed(seed: number): void {
		this.rng = warmedUp(seed);
	}

	/** Uniform in [0, 1). */
	next(): number {
		return uniformFloat64(this.rng);
	}

	pick<T>(choices: readonly T[]): T {
		return choices[Math.min(choices.length - 1, Math.floor(this.next() * choices.length))];
	}
}

/** Outputs thrown away after seeding. */
export const WARM_UP = 16;

/**
 * xoroshiro128+ seeded with a small integer starts from a nearly empty state: unwarmed, its first draw is
 * above 0.99 for every seed (the first request after a reset would never get a fault) and its second takes
 * few distinct values. A few rounds mix the state; after 16 the draws are uniform from the first.
 */
function warmedUp(seed: number): RandomGenerator {
	const rng = xoroshiro128plus(seed);
	for (let round = 0; round < WARM_UP; round++) rng.next();
	return rng;
}
