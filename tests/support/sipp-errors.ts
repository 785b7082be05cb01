import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * SIPp's own overload warnings: its scheduler woke late because the machine was busy (a full test
 * run on two cores tripped the 500 ms minor watchdog once). They say nothing about the SIP dialogue,
 * which the scenario's checks and SIPp's exit code judge.
 */
const WATCHDOG_WARNING = /Overload warning: the (minor|major) watchdog timer/;
const HEADER = 'The following events occurred:';

/** The events SIPp wrote to its `*_errors.log` files (-trace_err) in `directory`, without its overload warnings: '' when there were none. */
export function sippErrorEvents(directory: string): string {
  const files = existsSync(directory) ? readdirSync(directory).filter((file) => file.endsWith('_errors.log')) : [];
  return files
    .flatMap((file) => readFileSync(join(directory, file), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '' && line.trim() !== HEADER && !WATCHDOG_WARNING.test(line))
    .join('\n');
}
