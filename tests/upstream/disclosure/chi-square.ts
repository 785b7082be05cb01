/**
 * The chi-square test's upper tail, P(χ²_k ≥ x) = Q(k/2, x/2), the regularized upper incomplete
 * gamma function: a series below a + 1, a continued fraction (modified Lentz) above.
 */
function logGamma(z: number): number {
  // Lanczos approximation (g = 7, n = 9): plenty for the p-values a test compares with 1e-6.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let sum = c[0] ?? 0;
  for (let i = 1; i < 9; i += 1) sum += (c[i] ?? 0) / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

function upperGammaRegularized(a: number, x: number): number {
  if (x <= 0) return 1;
  const prefix = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000 && Math.abs(term) > Math.abs(sum) * 1e-15; n += 1) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - prefix * sum;
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i += 1) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return prefix * h;
}

export function chiSquarePValue(statistic: number, degreesOfFreedom: number): number {
  return upperGammaRegularized(degreesOfFreedom / 2, statistic / 2);
}

/**
 * Pearson's statistic for integer samples against a pmf: bins from −k to k with both tails pooled
 * into the outermost bins, k chosen so every bin expects at least `minExpected`.
 */
export function goodnessOfFit(samples: readonly number[], pmf: (x: number) => number, minExpected = 20): { statistic: number; degreesOfFreedom: number; pValue: number } {
  const n = samples.length;
  let k = 0;
  while (n * pmf(k + 1) >= minExpected) k += 1;
  const tail = (x: number): number => {
    let p = 0;
    for (let y = x; n * pmf(y) > 1e-12; y += 1) p += pmf(y);
    return p;
  };
  const observed = new Map<number, number>();
  for (const sample of samples) {
    const bin = Math.max(-k, Math.min(k, sample));
    observed.set(bin, (observed.get(bin) ?? 0) + 1);
  }
  let statistic = 0;
  for (let x = -k; x <= k; x += 1) {
    const p = Math.abs(x) === k ? tail(k) : pmf(x);
    const expected = n * p;
    const seen = observed.get(x) ?? 0;
    statistic += (seen - expected) ** 2 / expected;
  }
  const degreesOfFreedom = 2 * k;
  return { statistic, degreesOfFreedom, pValue: chiSquarePValue(statistic, degreesOfFreedom) };
}
