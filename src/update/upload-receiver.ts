import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { GatewayError } from '../errors.js';
import type { Scheduler } from '../time/scheduler.js';
import type { UpdateFiles } from './update-files.js';

/** The request body: the HTTP request's own stream (an IncomingMessage is a Readable). */
export type UploadBody = Readable;

export interface UploadLimits {
  readonly maxBytes: number;
  /** Cut off an upload that sends nothing for this long. */
  readonly idleMs: number;
}

/**
 * Streams an upload into a new file in `directory`, one chunk in memory at a time (the stream is
 * paused while a chunk is written). Cuts it off and deletes what arrived past `maxBytes` (also when
 * Content-Length says so, before a byte is read), after `idleMs` without a byte, or when the client
 * goes away, each with its own HGW_UPDATE_* code. A cut-off stream is left paused, not destroyed,
 * so the refusal can still be sent; the route then closes the connection. Returns the finished
 * file, fsynced.
 */
export async function receiveUpload(
  body: UploadBody,
  options: { readonly files: UpdateFiles; readonly directory: string; readonly limits: UploadLimits; readonly scheduler: Scheduler; readonly declaredBytes: number | undefined },
): Promise<{ readonly path: string; readonly bytes: number }> {
  const { files, limits, scheduler } = options;
  const tooLarge = (): GatewayError => new GatewayError('HGW_UPDATE_TOO_LARGE', `the upload is larger than the limit of ${limits.maxBytes} bytes: cut off, nothing kept`);
  if (options.declaredBytes !== undefined && options.declaredBytes > limits.maxBytes) throw tooLarge();
  await files.makeDirectory(options.directory);
  const path = join(options.directory, `upload-${randomBytes(8).toString('hex')}.part`);
  const sink = await files.create(path, 0o600);

  return new Promise((resolve, reject) => {
    let bytes = 0;
    let ended = false;
    let settled = false;
    let writing: Promise<void> = Promise.resolve();
    let cancelIdle: () => void = () => undefined;

    const settle = (error?: GatewayError): void => {
      if (settled) return;
      settled = true;
      cancelIdle();
      body.off('data', onData).off('end', onEnd).off('error', onGone).off('aborted', onGone).off('close', onClose);
      body.pause();
      void writing
        .then(() => (error ? sink.discard().then(() => reject(error)) : sink.finish().then(() => resolve({ path, bytes }))))
        .catch(async (failure: unknown) => {
          await sink.discard();
          reject(failure);
        });
    };
    const armIdle = (): void => {
      cancelIdle = scheduler.after(limits.idleMs, () => settle(new GatewayError('HGW_UPDATE_UPLOAD_STALLED', `no data for ${Math.round(limits.idleMs / 1000)} s after ${bytes} bytes: the upload was cut off, nothing kept`)));
    };
    const onData = (chunk: Buffer): void => {
      cancelIdle();
      bytes += chunk.length;
      if (bytes > limits.maxBytes) return settle(tooLarge());
      body.pause();
      writing = writing.then(() => sink.write(chunk));
      writing.then(
        () => {
          if (settled) return;
          armIdle();
          body.resume();
        },
        () => settle(new GatewayError('HGW_UPDATE_IO', 'the upload could not be written to the disk (is it full?): nothing kept')),
      );
    };
    const onEnd = (): void => {
      ended = true;
      void writing.then(() => {
        if (options.declaredBytes !== undefined && bytes !== options.declaredBytes) {
          settle(new GatewayError('HGW_UPDATE_UPLOAD_INCOMPLETE', `the upload ended after ${bytes} of ${options.declaredBytes} bytes: nothing kept, send it again`));
        } else {
          settle();
        }
      }, () => undefined);
    };
    const onGone = (): void => settle(new GatewayError('HGW_UPDATE_UPLOAD_INCOMPLETE', `the upload stopped after ${bytes} bytes (the connection was closed): nothing kept, send it again`));
    const onClose = (): void => {
      if (!ended) onGone();
    };
    body.on('data', onData).on('end', onEnd).on('error', onGone).on('aborted', onGone).on('close', onClose);
    armIdle();
    body.resume();
  });
}
