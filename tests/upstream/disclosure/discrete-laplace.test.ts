import { describe, expect, it } from 'vitest';
import { discreteLaplace, discreteLaplacePmf } from '../../../src/upstream/disclosure/discrete-laplace.js';
import { CryptoRandomBits, type RandomBits } from '../../../src/upstream/disclosure/random-source.js';
import { chiSquarePValue, goodnessOfFit } from './chi-square.js';

/**
 * The sampler against the exact pmf. Each test draws from the real cryptographic source, so it
 * is a real statistical test: it fails when the p-value is below 1e-6, which a correct sampler
 * does with probability 1e-6 per test (the χ² approximation is good with ≥ 20 expected per bin).
 */
const ALPHA = 1e-6;

function draw(epsilon: number, sensitivity: number, n: number, random: RandomBits = new CryptoRandomBits()): number[] {
  const noise = discreteLaplace(epsilon, sensitivity, random);
  return Array.from({ length: n }, () => noise.sample());
}

describe('discrete-Laplace noise', () => {
  it('the chi-square p-value is right where it is known', () => {
    // χ²₂ has the upper tail e^(−x/2); χ²₁ at 3.841 is the textbook 5 % point.
    expect(chiSquarePValue(10, 2)).toBeCloseTo(Math.exp(-5), 10);
    expect(chiSquarePValue(3.841458820694124, 1)).toBeCloseTo(0.05, 8);
    expect(chiSquarePValue(40, 10)).toBeCloseTo(1.6944744e-5, 10);
  });

  it('the pmf sums to 1', () => {
    for (const gamma of [0.05, 0.5, 3]) {
      let sum = 0;
      for (let x = -5000; x <= 5000; x += 1) sum += discreteLaplacePmf(gamma, x);
      expect(sum).toBeCloseTo(1, 9);
    }
  });

  it.each([
    { epsilon: 1, sensitivity: 2, n: 60_000 },
    { epsilon: 0.3, sensitivity: 3, n: 30_000 },
    { epsilon: 2.5, sensitivity: 1, n: 60_000 },
  ])('fits the exact pmf (ε = $epsilon, Δ = $sensitivity, $n draws)', ({ epsilon, sensitivity, n }) => {
    const samples = draw(epsilon, sensitivity, n);
    const fit = goodnessOfFit(samples, (x) => discreteLaplacePmf(epsilon / sensitivity, x));
    expect(fit.degreesOfFreedom).toBeGreaterThan(0);
    expect(fit.pValue).toBeGreaterThan(ALPHA);
    // Symmetric around 0.
    expect(Math.abs(samples.reduce((a, b) => a + b, 0) / n)).toBeLessThan(10 * Math.sqrt(2 * Math.exp(-epsilon / sensitivity)) / (1 - Math.exp(-epsilon / sensitivity)) / Math.sqrt(n));
  });

  it('the same test tells a wrong scale apart (so it can fail)', () => {
    const samples = draw(1, 2, 60_000);
    expect(goodnessOfFit(samples, (x) => discreteLaplacePmf(0.6, x)).pValue).toBeLessThan(ALPHA);
  });

  it('reads its coins from the random source and nothing else', () => {
    const bits = [0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1];
    let i = 0;
    const replay: RandomBits = { nextBit: () => (bits[i++ % bits.length] === 1 ? 1 : 0) };
    const first = draw(1, 1, 50, replay);
    i = 0;
    expect(draw(1, 1, 50, replay)).toEqual(first);
  });

  it('refuses a non-positive epsilon or sensitivity', () => {
    expect(() => discreteLaplace(0, 1, new CryptoRandomBits())).toThrow(RangeError);
    expect(() => discreteLaplace(1, 0, new CryptoRandomBits())).toThrow(RangeError);
  });
});
