import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../time/scheduler.js';
import { notifySettingsFromEnvironment } from './notify-environment.js';
import { UNSUPERVISED } from './notify-sink.js';
import { ServiceSupervision } from './service-supervision.js';
import { SocatNotifySink } from './socat-notify-sink.js';

export { notifySettingsFromEnvironment, type NotifySettings, type NotifySocketAddress } from './notify-environment.js';
export { UNSUPERVISED, type NotifySink } from './notify-sink.js';
export { ServiceSupervision, statusText, type RunningState, type ServiceSupervisionOptions } from './service-supervision.js';
export { SocatNotifySink, socatAddress, type SocatNotifySinkOptions } from './socat-notify-sink.js';

/**
 * The supervision systemd asks for through the environment (NOTIFY_SOCKET, WATCHDOG_USEC,
 * WATCHDOG_PID); one that sends nothing when the process was started by hand.
 */
export async function superviseFromEnvironment(environment: NodeJS.ProcessEnv, options: { readonly pid: number; readonly scheduler: Scheduler; readonly logger: Logger }): Promise<ServiceSupervision> {
  const settings = notifySettingsFromEnvironment(environment, options.pid);
  if (!settings) return new ServiceSupervision({ sink: UNSUPERVISED, watchdogIntervalMs: undefined, scheduler: options.scheduler, logger: options.logger });
  const sink = await SocatNotifySink.start({ socket: settings.socket, scheduler: options.scheduler, logger: options.logger });
  return new ServiceSupervision({ sink, watchdogIntervalMs: settings.watchdogIntervalMs, scheduler: options.scheduler, logger: options.logger });
}
