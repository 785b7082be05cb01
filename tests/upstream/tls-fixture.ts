import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCertificates {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A client certificate from another CA, which the broker must not accept. */
  readonly strangerCertFile: string;
  readonly strangerKeyFile: string;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A P-256 key and a certificate for `subject`, signed by the CA `ca` (or self-signed when `ca` is undefined). */
function issue(dir: string, name: string, subject: string, ca: string | undefined, extensions: string): void {
  openssl(dir, 'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  fs.writeFileSync(path.join(dir, `${name}.ext`), `${extensions}\n`);
  const signer = ca === undefined ? ['-signkey', `${name}.key`] : ['-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial'];
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, ...signer, '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
  fs.chmodSync(path.join(dir, `${name}.key`), 0o600);
}

/**
 * A throwaway CA, a server certificate for localhost / 127.0.0.1 and a client certificate for the
 * site, made with the openssl command as a central office would (docs/upstream.md, TLS).
 */
export function makeTestCertificates(dir: string): TestCertificates {
  issue(dir, 'ca', '/CN=helpline test central office CA', undefined, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign');
  issue(dir, 'server', '/CN=localhost', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  issue(dir, 'client', '/CN=test-site', 'ca', 'extendedKeyUsage=clientAuth');
  issue(dir, 'stranger-ca', '/CN=someone else', undefined, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign');
  issue(dir, 'stranger', '/CN=test-site', 'stranger-ca', 'extendedKeyUsage=clientAuth');
  const file = (name: string): string => path.join(dir, name);
  return {
    caFile: file('ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
    strangerCertFile: file('stranger.crt'),
    strangerKeyFile: file('stranger.key'),
  };
}

/** A mosquitto password file with one user, made with mosquitto_passwd. */
export function makePasswordFile(dir: string, username: string, password: string): string {
  const file = path.join(dir, 'mosquitto.passwd');
  execFileSync('mosquitto_passwd', ['-b', '-c', file, username, password], { stdio: 'ignore' });
  return file;
}
