import { randomInt } from 'node:crypto';
import type { ContactReference } from './contact-view.js';

/** Crockford-style alphabet without 0/O, 1/I/L, U: read aloud over a phone without confusion. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A fresh random reference such as `K7Q-3F9`: ~30 bits, drawn independently for every contact. */
export function randomContactReference(): ContactReference {
  let text = '';
  for (let i = 0; i < 6; i++) {
    if (i === 3) text += '-';
    text += ALPHABET[randomInt(ALPHABET.length)];
  }
  return text as ContactReference;
}

export function isContactReference(text: string): text is ContactReference {
  return /^[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}$/.test(text);
}
