import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { GatewayError } from '../errors.js';
import type { UpstreamTlsOptions } from './mqtt-connection.js';

/** The config's upstream credential keys (config-schema.ts), as given. */
export interface UpstreamCredentialSettings {
  readonly username?: string;
  readonly password?: string;
  readonly passwordFile?: string;
  readonly tls?: {
    readonly caFile?: string;
    readonly certFile?: string;
    readonly keyFile?: string;
    readonly rejectUnauthorized: boolean;
    readonly servername?: string;
  };
}

/** What mqtt.js gets: the files' contents, checked. */
export interface UpstreamCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly tls?: UpstreamTlsOptions;
}

/**
 * Reads the files the upstream config names, once, at start: the CA, the client certificate and
 * key, the password file. Each problem is one line naming the key, the path and the reason
 * (HGW_CONFIG_FILE_UNREADABLE, HGW_CONFIG_FILE_PERMISSIONS); never a byte of the content, so a key
 * or password cannot end up in a log or on a console.
 */
export function readUpstreamCredentials(settings: UpstreamCredentialSettings): UpstreamCredentials {
  const password = settings.passwordFile === undefined ? settings.password : readPasswordFile(settings.passwordFile);
  const tls = settings.tls === undefined ? undefined : readTls(settings.tls);
  return {
    ...(settings.username === undefined ? {} : { username: settings.username }),
    ...(password === undefined ? {} : { password }),
    ...(tls === undefined ? {} : { tls }),
  };
}

function readTls(settings: NonNullable<UpstreamCredentialSettings['tls']>): UpstreamTlsOptions {
  const ca = settings.caFile === undefined ? undefined : readCertificates('upstream.tls.caFile', settings.caFile);
  let client: { cert: Buffer; key: Buffer } | undefined;
  if (settings.certFile !== undefined && settings.keyFile !== undefined) {
    const cert = readCertificates('upstream.tls.certFile', settings.certFile);
    assertPrivate('upstream.tls.keyFile', settings.keyFile);
    const key = readNonEmpty('upstream.tls.keyFile', settings.keyFile);
    const keyObject = parse('upstream.tls.keyFile', settings.keyFile, 'an unencrypted PEM private key', () => createPrivateKey(key));
    if (!new X509Certificate(cert).checkPrivateKey(keyObject)) {
      throw new GatewayError('HGW_CONFIG_FILE_UNREADABLE', `upstream.tls.keyFile: ${settings.keyFile} is not the key of the certificate in upstream.tls.certFile`);
    }
    client = { cert, key };
  }
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(client ?? {}),
    rejectUnauthorized: settings.rejectUnauthorized,
    ...(settings.servername === undefined ? {} : { servername: settings.servername }),
  };
}

function readPasswordFile(path: string): string {
  assertPrivate('upstream.passwordFile', path);
  // One line; the newline an editor adds is not part of the password.
  const password = readNonEmpty('upstream.passwordFile', path).toString('utf8').replace(/\r?\n$/, '');
  if (password === '' || /[\r\n]/.test(password)) {
    throw new GatewayError('HGW_CONFIG_FILE_UNREADABLE', `upstream.passwordFile: ${path} must hold the password on one line`);
  }
  return password;
}

/** A PEM file with one or more certificates (a CA bundle or a client certificate chain). */
function readCertificates(key: string, path: string): Buffer {
  const content = readNonEmpty(key, path);
  if (!content.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    throw new GatewayError('HGW_CONFIG_FILE_UNREADABLE', `${key}: ${path} is not a PEM certificate`);
  }
  parse(key, path, 'a PEM certificate', () => new X509Certificate(content));
  return content;
}

function readNonEmpty(key: string, path: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    throw new GatewayError('HGW_CONFIG_FILE_UNREADABLE', `${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (content.length === 0) throw new GatewayError('HGW_CONFIG_FILE_UNREADABLE', `${key}: ${path} is empty`);
  return content;
}

/** The parser's own message is dropped: it is not ours to vouch for. */
function parse<T>(key: string, path: string, what: string, parser: () => T): T {
  try {
    return parser();
  } catch {
    throw new GatewayError('HGW_CONFIG_FILE_UNREADABLE', `${key}: ${path} is not ${what}`);
  }
}

/** A secret's file may be the service group's to read, never anyone else's. */
function assertPrivate(key: string, path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw new GatewayError('HGW_CONFIG_FILE_UNREADABLE', `${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if ((mode & 0o007) !== 0 || (mode & 0o020) !== 0) {
    throw new GatewayError('HGW_CONFIG_FILE_PERMISSIONS', `${key}: ${path} is open to others (mode ${(mode & 0o777).toString(8)}); chmod 600 it (or 640 for the service's group)`);
  }
}
