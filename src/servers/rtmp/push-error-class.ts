import { isOnAirError } from '../../core/errors.js';
import { RtmpStatusError } from '../../protocols/rtmp/index.js';
import type { TargetErrorClass } from '../../services/repush/index.js';

/** getaddrinfo failures: the name does not resolve (or the resolver is unreachable). */
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
/** Nothing listens there, or no route to it. */
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN']);
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/**
 * OpenSSL's certificate verification results as Node reports them (X509_V_ERR_* without the prefix), and
 * Node's own TLS codes (ERR_TLS_CERT_ALTNAME_INVALID for a host name mismatch, ERR_SSL_* for alerts).
 */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|ISSUER|LEAF_SIGNATURE|UNABLE_TO_VERIFY|HOSTNAME_MISMATCH/;

/** Sorts why an RTMP push ended into the classes the re-push API shows. */
export function classifyPushError(err: unknown): TargetErrorClass {
  if (err instanceof RtmpStatusError) return err.isRefusal ? 'auth' : 'protocol';
  if (isOnAirError(err)) {
    switch (err.code) {
      case 'ONAIR_ERR_TIMEOUT': return 'timeout';
      case 'ONAIR_ERR_UNAUTHORIZED': return 'auth';
      case 'ONAIR_ERR_CLOSED': return 'closed';
      default: return 'protocol';
    }
  }
  const e = err as NodeJS.ErrnoException & { library?: string };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (DNS_CODES.has(code)) return 'dns';
  if (REFUSED_CODES.has(code)) return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (CLOSED_CODES.has(code)) return 'closed';
  // A TLS socket talking to a plain RTMP port fails with EPROTO and an OpenSSL reason ("wrong version number").
  if (TLS_CODE.test(code) || code === 'EPROTO' || e?.library === 'SSL routines') return 'tls';
  return 'protocol';
}
