import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** What a server answers, in its own words, to a request refused before any of its routes or hooks ran. */
export interface EarlyRefusal {
  readonly contentType: string;
  readonly body: string;
}

export interface EarlyRefusalHandlers {
  /** fastify's `frameworkErrors`: a URL that does not decode, a path parameter past its length. */
  readonly frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;
  /** fastify's `clientErrorHandler`: headers too large, HTTP that does not parse, a request too slow. */
  readonly clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => void;
}

/**
 * fastify answers these refusals itself, before any hook, with its own code and a message that
 * quotes the URL (and a URL can carry a phone number). Found by fuzzing the station server: the
 * answers had no HGW_* code, no security headers, and repeated the path. Here each server answers
 * them as it answers any bad request: its own body, its headers, nothing of the request.
 */
export function earlyRefusalHandlers(answer: (status: number) => EarlyRefusal, headers: Readonly<Record<string, string>>): EarlyRefusalHandlers {
  return {
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      const { contentType, body } = answer(status);
      void reply.code(status).headers(headers).type(contentType).send(body);
    },
    clientErrorHandler: (error, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const { contentType, body } = answer(status);
      if (socket.writable) {
        const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}`, `content-type: ${contentType}`, `content-length: ${Buffer.byteLength(body)}`, 'connection: close'];
        socket.write(`${[...head, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n')}\r\n\r\n${body}`);
      }
      socket.destroy(error);
    },
  };
}
