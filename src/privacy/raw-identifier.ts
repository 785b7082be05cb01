import { inspect } from 'node:util';

/**
 * A caller's identifier in canonical form (E.164 phone number, canonical IP address, lower-case
 * e-mail address). It exists in memory only between intake and sealing.
 *
 * The value lives in a module-private WeakMap, not on the object: string conversion, JSON,
 * util.inspect, structuredClone, Object.keys and spreading all see only a placeholder. The only way
 * back to the text is `canonicalText`, used by the pseudonymizer and the vault.
 */
export type IdentifierKind = 'phone' | 'ip' | 'email';

const canonicalValues = new WeakMap<RawIdentifier, string>();

export class RawIdentifier<K extends IdentifierKind = IdentifierKind> {
  readonly kind: K;

  private constructor(kind: K) {
    this.kind = kind;
    Object.freeze(this);
  }

  /** Only normalizers call this, with text they have already put in canonical form. */
  static fromCanonical<K extends IdentifierKind>(kind: K, canonical: string): RawIdentifier<K> {
    const identifier = new RawIdentifier(kind);
    canonicalValues.set(identifier, canonical);
    return identifier;
  }

  toString(): string {
    return `[${this.kind} withheld]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.toPrimitive](): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** Same canonical identifier (constant-time is not needed: both sides are already in memory). */
  sameAs(other: RawIdentifier): boolean {
    return this.kind === other.kind && canonicalValues.get(this) === canonicalValues.get(other);
  }
}

export type RawPhoneNumber = RawIdentifier<'phone'>;
export type RawIpAddress = RawIdentifier<'ip'>;
export type RawEmailAddress = RawIdentifier<'email'>;

/** The canonical text; for the pseudonymizer, the vault and the rights export only. */
export function canonicalText(identifier: RawIdentifier): string {
  const value = canonicalValues.get(identifier);
  if (value === undefined) throw new TypeError('not a raw identifier made by a normalizer');
  return value;
}
