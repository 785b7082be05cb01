import { loadConfigFile } from '../config/load-config.js';
import { readUpstreamCredentials } from '../upstream/upstream-credentials.js';
import { probeBroker } from './probe-broker.js';

/**
 * `upstream check`: the last step of enrolment. Reads the certificate, key, CA and password the
 * config names (as a start would) and connects to the central office's broker once. Exit 1 when
 * the broker does not accept the box.
 */
export async function upstreamCheck(command: { config: string; timeoutMs: number }, say: (line: string) => void): Promise<number> {
  const config = loadConfigFile(command.config);
  const credentials = readUpstreamCredentials(config.upstream);
  const clientId = `${config.upstream.clientId ?? config.site.id}-check`;
  const result = await probeBroker({ url: config.upstream.url, clientId, credentials, timeoutMs: command.timeoutMs });
  const how = [credentials.tls?.cert === undefined ? 'no client certificate' : 'client certificate', credentials.password === undefined ? 'no password' : 'password'].join(', ');
  say(`${result.ok ? 'ok  ' : 'FAIL'} upstream  ${config.upstream.url} (${how}): ${result.detail}`);
  return result.ok ? 0 : 1;
}
