/** The kinds of personal detail the chat redaction suggests, and the span type every rule returns. */
export const PII_TYPES = [
  'PHONE',
  'EMAIL',
  'URL',
  'IP',
  'HANDLE',
  'POSTCODE',
  'ADDRESS',
  'DATE',
  'AGE',
  'BSN',
  'RRN',
  'IBAN',
  'PLATE',
  'NAME',
  'PLACE',
  'ORG',
] as const;

export type PiiType = (typeof PII_TYPES)[number];

/** A detected detail: UTF-16 offsets into the text, `end` exclusive. */
export interface PiiSpan {
  readonly type: PiiType;
  readonly start: number;
  readonly end: number;
}

/** One family of rules: every candidate span it sees in the text (they may overlap). */
export type PiiRule = (text: string) => PiiSpan[];

/** Types found by their shape (and checksum) alone, without the words around them. */
export const STRUCTURED_TYPES: readonly PiiType[] = ['PHONE', 'EMAIL', 'URL', 'IP', 'BSN', 'RRN', 'IBAN', 'PLATE'];

export function isPiiType(value: string): value is PiiType {
  return (PII_TYPES as readonly string[]).includes(value);
}
