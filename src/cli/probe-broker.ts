import { connect, type IClientOptions } from 'mqtt';
import type { UpstreamCredentials } from '../upstream/upstream-credentials.js';

export interface BrokerProbe {
  readonly url: string;
  readonly clientId: string;
  readonly credentials: UpstreamCredentials;
  readonly timeoutMs: number;
}

/**
 * Connects to the broker with the box's credentials and leaves at once: no Last Will, no
 * subscription, nothing published, a client id of its own so the running service's session is
 * not taken over. Enough to prove the certificate, key, CA and password are what the broker wants.
 */
export async function probeBroker(probe: BrokerProbe): Promise<{ ok: boolean; detail: string }> {
  const { tls, username, password } = probe.credentials;
  const options: IClientOptions = {
    clientId: probe.clientId,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: probe.timeoutMs,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(tls?.ca !== undefined ? { ca: tls.ca as IClientOptions['ca'] } : {}),
    ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls?.key !== undefined ? { key: tls.key } : {}),
    ...(tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
    ...(tls?.servername !== undefined ? { servername: tls.servername } : {}),
  };
  return new Promise((resolve) => {
    const client = connect(probe.url, options);
    let settled = false;
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end(true, () => resolve({ ok, detail }));
    };
    const timer = setTimeout(() => finish(false, `no answer within ${probe.timeoutMs} ms`), probe.timeoutMs + 500);
    client.once('connect', () => finish(true, 'connected and accepted'));
    client.once('error', (error) => finish(false, error.message.replace(/\s+/g, ' ')));
    client.once('close', () => finish(false, 'connection closed before the broker accepted it'));
  });
}
