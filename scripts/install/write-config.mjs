// @ts-check
/**
 * The installer's config writer (scripts/install.sh): merges the answers into the existing
 * /etc/helpline-gateway/config.json, or into a fresh one, and says what that changes.
 *
 *   node write-config.mjs merge   answers in HGW_* variables; writes HGW_OUT unless nothing changes;
 *                                 prints `new`, `same`, `enrolment` (only the upstream credential
 *                                 files changed) or `differs <key>,<key>`
 *   node write-config.mjs get KEY one value of the existing config (dotted path), empty if absent
 *
 * Whatever the answers do not mention is kept as it is: keys a site added by hand, policy
 * overrides, the stations' tokens. Plain JavaScript with no dependencies, so it runs before the
 * gateway is built; the result is validated by the gateway's own `config check` afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const root = env.HGW_ROOT ?? '';
const existingPath = env.HGW_EXISTING ?? join(root, '/etc/helpline-gateway/config.json');

/** @param {string} path */
const onBox = (path) => `${root}${path}`;

const COUNTRY_DEFAULTS = {
  NL: { timeZone: 'Europe/Amsterdam', preset: 'allesoke-nl', modemCountry: 'AT+GCI=7B' },
  BE: { timeZone: 'Europe/Brussels', preset: 'lumi-be', modemCountry: 'AT+GCI=0F' },
};

/** @returns {Record<string, any> | undefined} */
function readExisting() {
  if (!existsSync(existingPath)) return undefined;
  return JSON.parse(readFileSync(existingPath, 'utf8'));
}

/** @param {string | undefined} name */
function answer(name) {
  const value = name === undefined ? undefined : env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** @param {any} object @param {string} path */
function valueAt(object, path) {
  return path.split('.').reduce((value, key) => (value === null || typeof value !== 'object' ? undefined : value[key]), object);
}

/** The fixed lists of a fresh box: the example config's, the one place they are written down. */
function defaultCategories() {
  const example = JSON.parse(readFileSync(join(env.HGW_REPO ?? '.', 'docs', 'config.example.json'), 'utf8'));
  return example.categories;
}

function stationToken() {
  return randomBytes(32).toString('base64url');
}

/** @param {any} existing */
function stations(existing) {
  const count = answer('HGW_STATIONS');
  const listen = answer('HGW_STATIONS_LISTEN');
  if (existing && count === undefined && listen === undefined) return existing;
  const [host, port] = (listen ?? `${existing?.host ?? '0.0.0.0'}:${existing?.port ?? 8080}`).split(/:(?=\d+$)/);
  const wanted = Number(count ?? existing?.desks?.length ?? 2);
  /** @type {any[]} */
  const previous = existing?.desks ?? [];
  const desks = Array.from({ length: wanted }, (_, index) => {
    const id = `desk-${index + 1}`;
    return previous.find((desk) => desk.id === id) ?? { id, token: stationToken() };
  });
  return { ...existing, host, port: Number(port), desks };
}

/** @param {any} existing @param {string} country */
function line(existing, country) {
  const kind = answer('HGW_LINE') ?? existing?.kind ?? 'modem';
  const countryLine = COUNTRY_DEFAULTS[/** @type {'NL' | 'BE'} */ (country)].modemCountry;
  if (kind === 'modem') {
    const base = existing?.kind === 'modem' ? existing : { kind: 'modem', initCommands: ['ATZ', countryLine], callerIdCommands: ['AT+VCID=1', 'AT#CID=1'] };
    /** @type {string[]} */
    const init = base.initCommands ?? ['ATZ'];
    // The country's modem setting follows the site's country; other init strings stay.
    const initCommands = init.some((command) => /^AT\+GCI=/i.test(command)) ? init.map((command) => (/^AT\+GCI=/i.test(command) ? countryLine : command)) : init;
    return { ...base, device: answer('HGW_MODEM_DEVICE') ?? base.device ?? '/dev/helpline-modem', initCommands };
  }
  if (kind === 'sip') {
    const base = existing?.kind === 'sip' ? existing : { kind: 'sip' };
    const peers = answer('HGW_TRUNK_PEERS');
    return {
      ...base,
      ...(answer('HGW_SIP_ADDRESS') === undefined ? {} : { advertisedAddress: answer('HGW_SIP_ADDRESS') }),
      ...(peers === undefined ? {} : { trunkPeers: peers.split(',').map((peer) => peer.trim()).filter(Boolean) }),
    };
  }
  return existing?.kind === kind ? existing : { kind };
}

/** @param {any} existing @param {string} siteId */
function upstream(existing, siteId) {
  const url = answer('HGW_UPSTREAM_URL') ?? existing?.url;
  const username = answer('HGW_UPSTREAM_USERNAME') ?? existing?.username;
  const result = { ...existing, url, clientId: answer('HGW_CLIENT_ID') ?? existing?.clientId ?? siteId };
  if (username !== undefined) result.username = username;
  if (env.HGW_HAS_PASSWORD === '1') {
    delete result.password;
    result.passwordFile = onBox('/etc/helpline-gateway/upstream/password');
  }
  const tls = { ...existing?.tls };
  if (env.HGW_HAS_CA === '1') tls.caFile = onBox('/etc/helpline-gateway/upstream/ca.crt');
  if (env.HGW_HAS_CLIENT_CERT === '1') {
    tls.certFile = onBox('/etc/helpline-gateway/upstream/client.crt');
    tls.keyFile = onBox('/etc/helpline-gateway/upstream/client.key');
  }
  if (Object.keys(tls).length > 0) result.tls = tls;
  else delete result.tls;
  return result;
}

/** The front panel: a real box has its Firmata board (hardware/); `--panel fake` for one without. @param {any} existing */
function panel(existing) {
  const kind = answer('HGW_PANEL') ?? existing?.kind ?? 'firmata';
  if (kind !== 'firmata' && kind !== 'fake') throw new Error(`panel must be firmata or fake, not ${kind}`);
  const zeroize = answer('HGW_ZEROIZE_ON_TAMPER');
  if (zeroize !== undefined && zeroize !== 'yes' && zeroize !== 'no') throw new Error(`zeroize-on-tamper must be yes or no, not ${zeroize}`);
  return {
    ...existing,
    kind,
    ...(kind === 'firmata' ? { device: existing?.device ?? '/dev/helpline-panel' } : {}),
    tamper: { ...existing?.tamper, zeroize: zeroize === undefined ? (existing?.tamper?.zeroize ?? false) : zeroize === 'yes' },
  };
}

/** @param {any} existing */
function merged(existing) {
  const siteId = answer('HGW_SITE_ID') ?? existing?.site?.id;
  const country = answer('HGW_COUNTRY') ?? existing?.site?.country ?? 'NL';
  if (!(country in COUNTRY_DEFAULTS)) throw new Error(`country must be NL or BE, not ${country}`);
  const defaults = COUNTRY_DEFAULTS[/** @type {'NL' | 'BE'} */ (country)];
  const countryChanged = existing !== undefined && answer('HGW_COUNTRY') !== undefined && answer('HGW_COUNTRY') !== existing.site?.country;
  return {
    ...existing,
    site: {
      ...existing?.site,
      id: siteId,
      timeZone: answer('HGW_TIME_ZONE') ?? (countryChanged ? defaults.timeZone : existing?.site?.timeZone) ?? defaults.timeZone,
      country,
    },
    dataDir: onBox('/var/lib/helpline-gateway/data'),
    keyringDir: onBox('/var/lib/helpline-gateway/keyring'),
    policy: {
      ...existing?.policy,
      preset: answer('HGW_PRESET') ?? (countryChanged ? defaults.preset : existing?.policy?.preset) ?? defaults.preset,
      overrides: existing?.policy?.overrides ?? {},
    },
    categories: existing?.categories ?? defaultCategories(),
    line: line(existing?.line, country),
    stations: stations(existing?.stations),
    upstream: upstream(existing?.upstream, siteId),
    panel: panel(existing?.panel),
    log: existing?.log ?? { level: 'info' },
  };
}

/** Dotted paths of the leaves that differ between two JSON values. @param {any} a @param {any} b @param {string} at @returns {string[]} */
function differences(a, b, at = '') {
  const isObject = (/** @type {any} */ value) => value !== null && typeof value === 'object' && !Array.isArray(value);
  // An object on one side and nothing on the other: the leaves added or removed, one by one.
  if ((isObject(a) || a === undefined) && (isObject(b) || b === undefined) && (a !== undefined || b !== undefined)) {
    const left = a ?? {};
    const right = b ?? {};
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
    return keys.flatMap((key) => differences(left[key], right[key], at === '' ? key : `${at}.${key}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at || '(top level)'];
}

const [command, key] = process.argv.slice(2);
const existing = readExisting();
if (command === 'get') {
  const value = existing === undefined || key === undefined ? undefined : valueAt(existing, key);
  process.stdout.write(value === undefined || value === null ? '\n' : `${Array.isArray(value) ? value.join(',') : String(value)}\n`);
} else if (command === 'merge') {
  const out = env.HGW_OUT;
  if (out === undefined) throw new Error('HGW_OUT is not set');
  const next = merged(existing);
  const text = `${JSON.stringify(next, null, 2)}\n`;
  if (existing === undefined) {
    writeFileSync(out, text);
    process.stdout.write('new\n');
  } else {
    const changed = differences(existing, next);
    if (changed.length === 0) process.stdout.write('same\n');
    else {
      writeFileSync(out, text);
      const enrolmentOnly = changed.every((path) => /^upstream\.(tls\.(caFile|certFile|keyFile)|passwordFile|password)$/.test(path));
      process.stdout.write(enrolmentOnly ? `enrolment ${changed.join(',')}\n` : `differs ${changed.join(',')}\n`);
    }
  }
} else {
  process.stderr.write('usage: write-config.mjs merge | get KEY\n');
  process.exit(2);
}
