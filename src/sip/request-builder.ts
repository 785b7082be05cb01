import { SipHeaders } from './headers.js';
import { formatNameAddress, parseNameAddress, type NameAddress } from './header-values.js';
import { tagOf, type SipRequest } from './message.js';
import { parseUri, type AnyUri } from './uri.js';

export interface RequestSpec {
  readonly method: string;
  readonly uri: AnyUri | string;
  /** Must carry a tag (`;tag=`): use newTag(). */
  readonly from: NameAddress | string;
  readonly to: NameAddress | string;
  readonly callId: string;
  readonly cseq: number;
  readonly contact?: NameAddress | string;
  /** Default 70. */
  readonly maxForwards?: number;
  /** Route set, in order. */
  readonly routes?: ReadonlyArray<NameAddress | string>;
  /** Further headers, in order, exactly as given. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array | string;
  /** Required with a body. */
  readonly contentType?: string;
}

function addressText(address: NameAddress | string): string {
  return typeof address === 'string' ? formatNameAddress(parseNameAddress(address)) : formatNameAddress(address);
}

/**
 * Builds a request from scratch with only what `spec` names: no header is copied from any other
 * message, so the B2BUA decides every byte a desk phone sees. The endpoint adds the one header it
 * owns, the top Via, when the request is sent.
 */
export function createRequest(spec: RequestSpec): SipRequest {
  const from = typeof spec.from === 'string' ? parseNameAddress(spec.from) : spec.from;
  if (tagOf(from) === undefined) throw new TypeError('createRequest: From needs a tag');
  if (!/^[\x21-\x7e]{1,256}$/.test(spec.callId)) throw new TypeError('createRequest: bad Call-ID');
  if (!Number.isInteger(spec.cseq) || spec.cseq < 0 || spec.cseq > 0x7fffffff) throw new TypeError('createRequest: bad CSeq');
  const body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : (spec.body ?? new Uint8Array(0));
  if (body.byteLength > 0 && spec.contentType === undefined) throw new TypeError('createRequest: a body needs a content type');
  const headers = new SipHeaders();
  for (const route of spec.routes ?? []) headers.append('Route', addressText(route));
  headers.append('Max-Forwards', String(spec.maxForwards ?? 70));
  headers.append('From', formatNameAddress(from));
  headers.append('To', addressText(spec.to));
  headers.append('Call-ID', spec.callId);
  headers.append('CSeq', `${spec.cseq} ${spec.method}`);
  if (spec.contact !== undefined) headers.append('Contact', addressText(spec.contact));
  for (const [name, value] of spec.headers ?? []) headers.append(name, value);
  if (spec.contentType !== undefined && body.byteLength > 0) headers.append('Content-Type', spec.contentType);
  return { kind: 'request', method: spec.method, uri: typeof spec.uri === 'string' ? parseUri(spec.uri) : spec.uri, headers, body };
}
