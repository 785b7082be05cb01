import { describe, expect, it } from 'vitest';
import { foundOfType } from './found.js';

describe('PHONE', () => {
  it.each([
    ['bel 06-12345678 ok', '06-12345678'],
    ['bel 06 1234 5678 ok', '06 1234 5678'],
    ['bel 0612345678', '0612345678'],
    ['bel +31 6 12345678', '+31 6 12345678'],
    ['bel +31 (0)6 12345678', '+31 (0)6 12345678'],
    ['bel 0031612345678', '0031612345678'],
    ['vast 020-1234567', '020-1234567'],
    ['vast (020) 123 4567', '(020) 123 4567'],
    ['gsm 0470 12 34 56', '0470 12 34 56'],
    ['gsm +32 470 12 34 56', '+32 470 12 34 56'],
    ['gsm 0032470123456', '0032470123456'],
    ['thuis 03 123 45 67', '03 123 45 67'],
    ['thuis 09/234.56.78', '09/234.56.78'],
  ])('finds the number in "%s"', (text, number) => {
    expect(foundOfType(text, 'PHONE')).toEqual([number]);
  });

  it('finds two numbers written next to each other', () => {
    expect(foundOfType('0612345678 0687654321', 'PHONE')).toEqual(['0612345678', '0687654321']);
  });

  it('does not take times, scores, prices or too-short numbers for a phone number', () => {
    for (const text of ['om 10:30 uur', 'we wonnen 3-0', '0,50 euro', 'bel 06-1234', 'code 061234567890123']) {
      expect(foundOfType(text, 'PHONE')).toEqual([]);
    }
  });
});

describe('EMAIL', () => {
  it('finds an address with dots, digits and a country domain', () => {
    expect(foundOfType('mail sanne.de.vries2010@school.example.nl.', 'EMAIL')).toEqual(['sanne.de.vries2010@school.example.nl']);
  });

  it('does not take a handle after a space for an address', () => {
    expect(foundOfType('insta @noor.vd.berg', 'EMAIL')).toEqual([]);
  });
});

describe('URL', () => {
  it.each([
    ['kijk https://example.nl/pagina?x=1.', 'https://example.nl/pagina?x=1'],
    ['ga naar www.gratis-skins.tk', 'www.gratis-skins.tk'],
    ['op roddels.be staat het', 'roddels.be'],
    ['site: mijn-school.com/klas/2b', 'mijn-school.com/klas/2b'],
  ])('finds the address in "%s"', (text, url) => {
    expect(foundOfType(text, 'URL')).toEqual([url]);
  });

  it('does not read a sentence glued with a dot as an address', () => {
    expect(foundOfType('ik ben moe.de rest ook', 'URL')).toEqual([]);
    expect(foundOfType('dat was het.nu ga ik', 'URL')).toEqual([]);
  });
});

describe('IP', () => {
  it('finds IPv4 and IPv6 addresses', () => {
    expect(foundOfType('ip 192.168.1.23 en 2001:db8::8a2e:370:7334 en fe80::1', 'IP')).toEqual(['192.168.1.23', '2001:db8::8a2e:370:7334', 'fe80::1']);
  });

  it('does not take out-of-range octets, versions with five parts or clock times', () => {
    expect(foundOfType('999.1.1.1 en 1.2.3.4.5 en 12:30:45', 'IP')).toEqual([]);
  });
});

describe('HANDLE', () => {
  it.each([
    ['volg @lisa_2010 nu', '@lisa_2010'],
    ['mijn insta is lisa.jansen', 'lisa.jansen'],
    ['snap: mila.xo', 'mila.xo'],
    ['tiktok naam dansmeisje_2011', 'dansmeisje_2011'],
    ['discord kippie#4821', 'kippie#4821'],
  ])('finds the handle in "%s"', (text, handle) => {
    expect(foundOfType(text, 'HANDLE')).toEqual([handle]);
  });

  it('does not take the word after "insta" for a handle when it is an ordinary word', () => {
    for (const text of ['mijn insta is privé', 'mijn insta is gehackt', 'op snap stuurt hij rare dingen', 'ik zit op tiktok']) {
      expect(foundOfType(text, 'HANDLE')).toEqual([]);
    }
  });
});
