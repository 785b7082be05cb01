import type { RandomBits } from './random-source.js';

/**
 * Exact discrete-Laplace (two-sided geometric) noise: P(X = x) = (1 − α)/(1 + α) · α^|x| with
 * α = e^(−ε/Δ), drawn as the difference of two geometric variables with success probability
 * 1 − α. No floating-point sampling is involved: every coin is a Bernoulli trial of an exact
 * rational (the double ε/Δ is itself a dyadic rational), decided by comparing random bits with
 * its binary expansion, and Bernoulli(e^(−γ)) comes from Canonne, Kamath and Steinke, "The
 * Discrete Gaussian for Differential Privacy" (2020), Algorithm 1. So the distribution is exactly
 * the one the privacy proof assumes, for the γ = ε/Δ computed in double precision.
 */
export interface DiscreteLaplace {
  /** ε/Δ: the privacy loss per unit of change in a count. */
  readonly gamma: number;
  sample(): number;
}

/** P(X = x) for the discrete Laplace with α = e^(−γ). */
export function discreteLaplacePmf(gamma: number, x: number): number {
  const alpha = Math.exp(-gamma);
  return ((1 - alpha) / (1 + alpha)) * alpha ** Math.abs(x);
}

export function discreteLaplace(epsilon: number, sensitivity: number, random: RandomBits): DiscreteLaplace {
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError('epsilon must be a positive finite number');
  if (!Number.isInteger(sensitivity) || sensitivity < 1) throw new RangeError('sensitivity must be a positive integer');
  const gamma = epsilon / sensitivity;
  const exact = dyadic(gamma);
  const geometric = (): number => {
    let failures = 0;
    while (bernoulliExpMinus(exact, random)) failures += 1;
    return failures;
  };
  return { gamma, sample: () => geometric() - geometric() };
}

/** A positive finite double as an exact fraction numerator / 2^shift. */
interface Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

function dyadic(value: number): Fraction {
  let numerator = value;
  let shift = 0;
  while (!Number.isInteger(numerator)) {
    numerator *= 2;
    shift += 1;
  }
  return { numerator: BigInt(numerator), denominator: 1n << BigInt(shift) };
}

/** Bernoulli(p/q) for 0 ≤ p ≤ q: draws the bits of a uniform number until it is known to be below or above p/q. */
function bernoulliFraction(p: bigint, q: bigint, random: RandomBits): boolean {
  if (p >= q) return true;
  let remainder = p;
  for (;;) {
    remainder *= 2n;
    const bit = remainder >= q ? 1 : 0;
    if (bit === 1) remainder -= q;
    const drawn = random.nextBit();
    if (drawn !== bit) return drawn < bit;
    if (remainder === 0n) return false;
  }
}

/** Bernoulli(e^(−γ)) for γ = fraction ≥ 0, exactly (CKS 2020, Algorithm 1). */
function bernoulliExpMinus(gamma: Fraction, random: RandomBits): boolean {
  const whole = gamma.numerator / gamma.denominator;
  for (let i = 0n; i < whole; i += 1n) {
    if (!bernoulliExpMinusAtMostOne({ numerator: gamma.denominator, denominator: gamma.denominator }, random)) return false;
  }
  return bernoulliExpMinusAtMostOne({ numerator: gamma.numerator - whole * gamma.denominator, denominator: gamma.denominator }, random);
}

/** Bernoulli(e^(−γ)) for 0 ≤ γ ≤ 1: count K while Bernoulli(γ/K) succeeds; odd K wins. */
function bernoulliExpMinusAtMostOne(gamma: Fraction, random: RandomBits): boolean {
  let k = 1n;
  while (bernoulliFraction(gamma.numerator, gamma.denominator * k, random)) k += 1n;
  return k % 2n === 1n;
}
