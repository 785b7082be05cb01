import { parseArgs } from 'node:util';
import { isSemanticVersion } from '../update/index.js';

/** `helpline-gateway update …` (docs/updates.md). Parsed apart from the other commands: its options are its own. */
export type UpdateCommand =
  | { readonly action: 'keygen'; readonly out: string }
  | { readonly action: 'build'; readonly from: string; readonly out: string; readonly version?: string; readonly minimumVersion: string; readonly hardware: readonly string[]; readonly nextKeys: readonly string[] }
  | { readonly action: 'sign'; readonly bundle: string; readonly key: string; readonly out: string }
  | { readonly action: 'verify' | 'apply'; readonly bundle: string; readonly config: string; readonly dataDir?: string }
  | { readonly action: 'apply-incoming' | 'status' | 'boot-check' | 'commit' | 'rollback'; readonly config: string; readonly dataDir?: string };

export const UPDATE_USAGE = `  update keygen --out DIR                               a release signing key pair (central office)
  update build --from DIR --minimum-version V --hardware rpi4,rpi5 --out FILE [--version V] [--next-keys A.pub,B.pub]
                                                        pack a payload folder into an unsigned bundle
  update sign BUNDLE --key FILE [--out FILE]            sign a built bundle (the key file must be mode 0600)
  update verify BUNDLE --config FILE                    check a bundle as this box would, change nothing
  update apply BUNDLE|--incoming --config FILE          verify, stage, switch; starts on trial at the next start
  update status --config FILE                           versions, slots, trial, floor (no personal data)
  update boot-check --config FILE                       before each start (systemd ExecStartPre): count or revert a trial
  update commit --config FILE                           commit the version on trial (the gateway does this itself)
  update rollback --config FILE                         give up the version on trial (service stopped)`;

export class UpdateUsageError extends Error {
  override readonly name = 'UpdateUsageError';
}

function list(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** argv after `update`; throws UpdateUsageError naming the problem. */
export function parseUpdateArguments(argv: readonly string[]): UpdateCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        out: { type: 'string' },
        from: { type: 'string' },
        version: { type: 'string' },
        'minimum-version': { type: 'string' },
        hardware: { type: 'string' },
        'next-keys': { type: 'string' },
        key: { type: 'string' },
        incoming: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UpdateUsageError(error instanceof Error ? error.message : String(error));
  }
  const { positionals, values } = parsed;
  const [action, target, ...extra] = positionals;
  if (extra.length > 0) throw new UpdateUsageError(`unexpected argument: ${extra.join(' ')}`);
  const needConfig = (): string => {
    if (!values.config) throw new UpdateUsageError(`update ${action ?? ''} needs --config FILE`);
    return values.config;
  };
  const noTarget = (): void => {
    if (target !== undefined) throw new UpdateUsageError(`unexpected argument: ${target}`);
  };
  const version = (option: string, text: string | undefined): string | undefined => {
    if (text !== undefined && !isSemanticVersion(text)) throw new UpdateUsageError(`${option} needs a semantic version such as 1.4.0`);
    return text;
  };
  const dataDir = values['data-dir'];
  switch (action) {
    case 'keygen':
      noTarget();
      if (!values.out) throw new UpdateUsageError('update keygen needs --out DIR');
      return { action, out: values.out };
    case 'build': {
      noTarget();
      if (!values.from || !values.out) throw new UpdateUsageError('update build needs --from DIR and --out FILE');
      const minimumVersion = version('--minimum-version', values['minimum-version']);
      if (minimumVersion === undefined) throw new UpdateUsageError('update build needs --minimum-version V (the oldest version a box may run to take it)');
      const hardware = list(values.hardware);
      if (hardware.length === 0) throw new UpdateUsageError('update build needs --hardware ID[,ID…] (e.g. rpi4,rpi5)');
      const built = version('--version', values.version);
      return { action, from: values.from, out: values.out, minimumVersion, hardware, nextKeys: list(values['next-keys']), ...(built === undefined ? {} : { version: built }) };
    }
    case 'sign':
      if (target === undefined || !values.key) throw new UpdateUsageError('update sign needs BUNDLE and --key FILE');
      return { action, bundle: target, key: values.key, out: values.out ?? target };
    case 'verify':
      if (target === undefined) throw new UpdateUsageError('update verify needs a BUNDLE');
      return { action, bundle: target, config: needConfig(), dataDir };
    case 'apply':
      if (values.incoming) {
        noTarget();
        return { action: 'apply-incoming', config: needConfig(), dataDir };
      }
      if (target === undefined) throw new UpdateUsageError('update apply needs a BUNDLE (or --incoming)');
      return { action, bundle: target, config: needConfig(), dataDir };
    case 'status':
    case 'boot-check':
    case 'commit':
    case 'rollback':
      noTarget();
      return { action, config: needConfig(), dataDir };
    default:
      throw new UpdateUsageError(`unknown update subcommand: ${action ?? '(none)'}; try: keygen, build, sign, verify, apply, status, boot-check, commit, rollback`);
  }
}
