/**
 * RFC 3261 §7.3.3 compact forms, expanded on parse so nothing downstream sees two spellings. Maps,
 * not object literals: a header named `constructor` found Object.prototype's and threw (fuzzing).
 */
const COMPACT_FORMS: ReadonlyMap<string, string> = new Map(Object.entries({
  i: 'Call-ID', f: 'From', t: 'To', v: 'Via', m: 'Contact', l: 'Content-Length', c: 'Content-Type',
  k: 'Supported', s: 'Subject', e: 'Content-Encoding', o: 'Event', r: 'Refer-To', u: 'Allow-Events',
}));

/** Spellings whose capitalization is not simply "Each-Word-Capitalized". */
const SPECIAL_SPELLINGS: ReadonlyMap<string, string> = new Map(Object.entries({
  'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate', 'mime-version': 'MIME-Version',
  'p-asserted-identity': 'P-Asserted-Identity', 'p-preferred-identity': 'P-Preferred-Identity',
  'rseq': 'RSeq', 'rack': 'RAck', 'sip-etag': 'SIP-ETag', 'sip-if-match': 'SIP-If-Match',
}));

/**
 * Headers whose comma-separated values are separate entries (RFC 3261 §7.3.1). They are split on
 * parse, so a message holds one value per entry and round-trips unchanged.
 */
const LIST_HEADERS = new Set([
  'via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require', 'proxy-require',
  'unsupported', 'accept', 'accept-encoding', 'accept-language', 'content-encoding', 'alert-info',
  'call-info', 'error-info', 'in-reply-to', 'p-asserted-identity', 'allow-events',
]);

/** Names already spelled, by their lower case: every lookup spells its name, many times per message. */
const spelledNames = new Map<string, string>();
/** Names come from the wire too; past this many distinct ones the rest are spelled each time. */
const SPELLED_NAMES_LIMIT = 256;

export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  const known = spelledNames.get(lower);
  if (known !== undefined) return known;
  const spelled = spellHeaderName(lower);
  if (spelledNames.size < SPELLED_NAMES_LIMIT) spelledNames.set(lower, spelled);
  return spelled;
}

function spellHeaderName(lower: string): string {
  const expanded = COMPACT_FORMS.get(lower);
  if (expanded) return expanded;
  const special = SPECIAL_SPELLINGS.get(lower);
  if (special) return special;
  return lower.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(canonicalHeaderName(name).toLowerCase());
}

export type HeaderEntry = readonly [name: string, value: string];

/**
 * An ordered multi-map of header fields. Names are stored in their canonical spelling and looked up
 * without regard to case or compact form; order is kept because Via and Route order is meaning.
 */
export class SipHeaders {
  #entries: HeaderEntry[];

  constructor(entries: Iterable<readonly [string, string]> = []) {
    this.#entries = [...entries].map(([name, value]) => [canonicalHeaderName(name), value] as const);
  }

  get size(): number {
    return this.#entries.length;
  }

  entries(): readonly HeaderEntry[] {
    return this.#entries;
  }

  has(name: string): boolean {
    const wanted = canonicalHeaderName(name);
    return this.#entries.some(([entryName]) => entryName === wanted);
  }

  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    const wanted = canonicalHeaderName(name);
    return this.#entries.find(([entryName]) => entryName === wanted)?.[1];
  }

  /** Every value of `name`, in message order. */
  getAll(name: string): string[] {
    const wanted = canonicalHeaderName(name);
    return this.#entries.filter(([entryName]) => entryName === wanted).map(([, value]) => value);
  }

  append(name: string, value: string): this {
    this.#entries.push([canonicalHeaderName(name), value]);
    return this;
  }

  /** Adds a value before every existing one of its name (or at the top): how a Via is pushed. */
  prepend(name: string, value: string): this {
    const canonical = canonicalHeaderName(name);
    const first = this.#entries.findIndex(([entryName]) => entryName === canonical);
    this.#entries.splice(first === -1 ? 0 : first, 0, [canonical, value]);
    return this;
  }

  /** Replaces every value of `name` with one value, at the position of the first. */
  set(name: string, value: string): this {
    const canonical = canonicalHeaderName(name);
    const first = this.#entries.findIndex(([entryName]) => entryName === canonical);
    if (first === -1) return this.append(canonical, value);
    this.#entries = this.#entries.filter(([entryName], index) => entryName !== canonical || index === first);
    this.#entries[first] = [canonical, value];
    return this;
  }

  delete(name: string): this {
    const canonical = canonicalHeaderName(name);
    this.#entries = this.#entries.filter(([entryName]) => entryName !== canonical);
    return this;
  }

  /** Removes the first value of `name` (a response's own Via on the way back). */
  shift(name: string): string | undefined {
    const canonical = canonicalHeaderName(name);
    const first = this.#entries.findIndex(([entryName]) => entryName === canonical);
    if (first === -1) return undefined;
    const [removed] = this.#entries.splice(first, 1);
    return removed?.[1];
  }

  clone(): SipHeaders {
    return new SipHeaders(this.#entries);
  }
}
