import { join } from 'node:path';
import { describeVerification, verifyAuditLog } from '../audit/index.js';
import { loadConfigFile } from '../config/load-config.js';
import { silentLogger } from '../log/logger.js';
import { DATABASE_FILE } from '../main.js';
import { GatewayDatabase } from '../store/open-database.js';

/** `audit verify`: walks the hash chain; one line, exit 1 when any entry was edited, removed or reordered. */
export async function auditVerify(command: { config: string; dataDir?: string }, say: (line: string) => void): Promise<number> {
  const config = loadConfigFile(command.config, { dataDir: command.dataDir });
  const database = GatewayDatabase.open({ path: join(config.dataDir, DATABASE_FILE), logger: silentLogger() });
  try {
    const verification = verifyAuditLog(database);
    say(describeVerification(verification));
    return verification.ok ? 0 : 1;
  } finally {
    database.close();
  }
}
