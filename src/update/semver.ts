/**
 * Semantic versions (semver.org 2.0.0: MAJOR.MINOR.PATCH with an optional pre-release; build
 * metadata is refused so that two different strings never mean the same version). Small and
 * strict: the floor and the running version are compared with it, so a lenient parse would be a
 * way around the floor.
 */
export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly (string | number)[];
}

const NUMBER = '0|[1-9]\\d{0,8}';
const IDENTIFIER = '(?:0|[1-9]\\d{0,8}|\\d*[A-Za-z-][0-9A-Za-z-]{0,31})';
const PATTERN = new RegExp(`^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER}){0,7}))?$`);

export function parseSemanticVersion(text: string): SemanticVersion | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const prerelease = match[4] === undefined ? [] : match[4].split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease };
}

export function isSemanticVersion(text: string): boolean {
  return parseSemanticVersion(text) !== undefined;
}

function comparePrerelease(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  // A version without a pre-release ranks above any pre-release of it (1.0.0-rc.1 < 1.0.0).
  if (a.length === 0 || b.length === 0) return (a.length === 0 ? 1 : 0) - (b.length === 0 ? 1 : 0);
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const left = a[index];
    const right = b[index];
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    if (left === right) continue;
    if (typeof left === 'number' && typeof right === 'number') return left < right ? -1 : 1;
    if (typeof left === 'number') return -1;
    if (typeof right === 'number') return 1;
    return left < right ? -1 : 1;
  }
  return 0;
}

/** Negative, zero or positive as a is older than, the same as or newer than b. Throws on a malformed version. */
export function compareVersions(a: string, b: string): number {
  const left = parseSemanticVersion(a);
  const right = parseSemanticVersion(b);
  if (!left || !right) throw new RangeError(`not a semantic version: ${JSON.stringify(left ? b : a)}`);
  return left.major - right.major || left.minor - right.minor || left.patch - right.patch || comparePrerelease(left.prerelease, right.prerelease);
}
