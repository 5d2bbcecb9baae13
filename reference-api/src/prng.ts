import type { RandomGenerator } from 'pure-rand/lib/types/RandomGenerator';

// pure-rand only publishes subpath `exports`, which the repository's node10 module resolution cannot see;
// types come from the files behind those exports, the code through Node's own resolver.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { xoroshiro128plus } = require('pure-rand/generator/xoroshiro128plus') as typeof import('pure-rand/lib/generator/xoroshiro128plus');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { uniformFloat64 } = require('pure-rand/distribution/uniformFloat64') as typeof import('pure-rand/lib/distribution/uniformFloat64');

/** Seeded source of fault decisions: the same seed and request order give the same sequence. */
export class Prng {
	private rng: RandomGenerator;

	constructor(seed: number) {
		this.rng = xoroshiro128plus(seed);
	}

	reseed(seed: number): void {
		this.rng = xoroshiro128plus(seed);
	}

	/** Uniform in [0, 1). */
	next(): number {
		return uniformFloat64(this.rng);
	}

	pick<T>(choices: readonly T[]): T {
		return choices[Math.min(choices.length - 1, Math.floor(this.next() * choices.length))];
	}
}
