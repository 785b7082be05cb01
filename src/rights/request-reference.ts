import { randomInt } from 'node:crypto';

/** The contact references' alphabet: no 0/O, 1/I/L, U, so a reference survives being read aloud. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 8;
/** Four digits in a row could start to read like part of a phone number, in the audit log or aloud. */
const DIGIT_RUN = /\d{4}/;

/** A fresh random request reference such as `RQ-7K3M9QPD` (~39 bits): quoted to the person. */
export function randomRequestReference(): string {
  for (;;) {
    let text = '';
    for (let i = 0; i < LENGTH; i++) text += ALPHABET[randomInt(ALPHABET.length)];
    if (!DIGIT_RUN.test(text)) return `RQ-${text}`;
  }
}

export function isRequestReference(text: string): boolean {
  return /^RQ-[2-9A-HJKMNP-TV-Z]{8}$/.test(text);
}
