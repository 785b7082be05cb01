import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmailAddress, normalizeIpAddress, normalizePhoneNumber, type SiteCountry } from '../../src/privacy/normalize.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { belgianMobile, dutchMobile, renderings } from './phone-renderings.js';

function e164(text: string, site: SiteCountry): string {
  const result = normalizePhoneNumber(text, site);
  return result.kind === 'number' ? canonicalText(result.number) : result.kind;
}

function ip(text: string): string | undefined {
  const result = normalizeIpAddress(text);
  return result && canonicalText(result);
}

describe('normalizePhoneNumber', () => {
  it('treats 06, +316 and 00316 with any separators as the same caller', () => {
    fc.assert(
      fc.property(dutchMobile.chain((digits) => renderings('31', digits).map((texts) => ({ digits, texts }))), ({ digits, texts }) => {
        for (const text of texts) expect(e164(text, 'NL')).toBe(`+31${digits}`);
      }),
      { numRuns: 300 },
    );
  });

  it('treats 04xx, +324 and 00324 with any separators as the same caller', () => {
    fc.assert(
      fc.property(belgianMobile.chain((digits) => renderings('32', digits).map((texts) => ({ digits, texts }))), ({ digits, texts }) => {
        for (const text of texts) expect(e164(text, 'BE')).toBe(`+32${digits}`);
      }),
      { numRuns: 300 },
    );
  });

  it('reads an international number in its own country whatever the site', () => {
    fc.assert(
      fc.property(belgianMobile, dutchMobile, (belgian, dutch) => {
        expect(e164(`+32 ${belgian}`, 'NL')).toBe(`+32${belgian}`);
        expect(e164(`0032${belgian}`, 'NL')).toBe(`+32${belgian}`);
        expect(e164(`+31${dutch}`, 'BE')).toBe(`+31${dutch}`);
        expect(e164(`0031 ${dutch}`, 'BE')).toBe(`+31${dutch}`);
      }),
    );
  });

  it('reads a national number in the site country', () => {
    expect(e164('0470 12 34 56', 'BE')).toBe('+32470123456');
    expect(e164('020-123 4567', 'NL')).toBe('+31201234567');
  });

  it('ignores invisible formatting characters and full-width digits', () => {
    expect(e164('\u202a+31 6 1234 5678\u202c', 'NL')).toBe('+31612345678');
    expect(e164('０６１２３４５６７８', 'NL')).toBe('+31612345678');
    expect(e164('06\u200b12345678', 'NL')).toBe('+31612345678');
  });

  it.each(['P', 'p', 'Private', 'PRIVATE', 'Restricted', 'Anonymous', 'Afgeschermd', 'Privé', 'Nummer onderdrukt', 'Withheld', ' private '])(
    'treats %j as a withheld number',
    (word) => {
      expect(normalizePhoneNumber(word, 'NL')).toEqual({ kind: 'withheld' });
      expect(normalizePhoneNumber(word, 'BE')).toEqual({ kind: 'withheld' });
    },
  );

  it.each(['O', 'o', 'Out of area', 'OUT-OF-AREA', 'Unavailable', 'Unknown', 'Onbekend', '', '   ', '-'])('treats %j as unavailable', (word) => {
    expect(normalizePhoneNumber(word, 'NL')).toEqual({ kind: 'unavailable' });
  });

  it.each(['abc', '1', '112', '06', '+', '++31612345678', '+31 6 1234 567x', '06-1234-5678 ext 12', '0'.repeat(80), 'Pp'])(
    'treats %j as invalid',
    (text) => {
      expect(normalizePhoneNumber(text, 'NL')).toEqual({ kind: 'invalid' });
    },
  );

  it('never calls a random string of letters a number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z][a-zA-Z ]{0,20}$/), (text) => {
        expect(normalizePhoneNumber(text, 'NL').kind).not.toBe('number');
      }),
    );
  });
});

describe('normalizeIpAddress', () => {
  it('treats an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(ip('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(ip('::FFFF:c000:0201')).toBe('192.0.2.1');
    expect(ip('0:0:0:0:0:ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(ip('192.0.2.1')).toBe('192.0.2.1');
  });

  it('writes IPv6 in RFC 5952 form whether it came long or short', () => {
    expect(ip('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(ip('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), (groups) => {
        fc.pre(groups[0] !== 0 || groups[1] !== 0);
        const long = groups.map((group) => group.toString(16).padStart(4, '0').toUpperCase()).join(':');
        const plain = groups.map((group) => group.toString(16)).join(':');
        expect(ip(long)).toBe(ip(plain));
        expect(ip(`[${plain}]`)).toBe(ip(plain));
        expect(ip(ip(plain) ?? '')).toBe(ip(plain));
      }),
    );
  });

  it('strips brackets, zone ids, ports and surrounding space', () => {
    expect(ip('[2001:db8::1]')).toBe('2001:db8::1');
    expect(ip('fe80::1%eth0')).toBe('fe80::1');
    expect(ip('[fe80::1%25eth0]:8443')).toBe('fe80::1');
    expect(ip(' 198.51.100.7:51234 ')).toBe('198.51.100.7');
  });

  it('refuses ambiguous IPv4 forms and non-addresses', () => {
    for (const text of ['010.0.0.1', '127.1', '2130706433', '0x7f.0.0.1', '256.1.1.1', 'example.org', '', '1.2.3.4.5', '::g']) {
      expect(ip(text), text).toBeUndefined();
    }
  });
});

describe('normalizeEmailAddress', () => {
  it('lower-cases and trims', () => {
    const address = normalizeEmailAddress('  Jamie.Doe@Example.NL \n');
    expect(address && canonicalText(address)).toBe('jamie.doe@example.nl');
  });

  it('refuses what is not shaped like an address', () => {
    for (const text of ['', 'jamie', 'jamie@', '@example.nl', 'a b@example.nl', 'jamie@example', `${'a'.repeat(250)}@example.nl`]) {
      expect(normalizeEmailAddress(text), text).toBeUndefined();
    }
  });
});
