import { loadConfigFile } from '../config/load-config.js';

/** `config check`: validates the file with the box's own loader; one line either way (HGW_CONFIG_INVALID names every bad key). */
export async function configCheck(command: { config: string }, say: (line: string) => void): Promise<number> {
  const config = loadConfigFile(command.config);
  say(`config ok: ${command.config}: site ${config.site.id} (${config.site.country}, ${config.site.timeZone}), preset ${config.policy.preset}, line ${config.line.kind}, upstream ${config.upstream.url}`);
  return 0;
}
