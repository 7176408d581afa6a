/**
 * Why a listener refuses a caller. Below 1000: libsrt's own reasons (SRT_REJ_*); 1000 and above: the
 * access-control codes applications use (SRT_REJX_*, HTTP-like). On the wire the handshake request type is
 * 1000 + the reason (docs/API/rejection-codes.md), so a caller's libsrt reports it by name.
 */
export const RejectReason = {
  peer: 2,
  resource: 3,
  rogue: 4,
  backlog: 5,
  close: 7,
  version: 8,
  badSecret: 10,
  unsecure: 11,
  messageApi: 12,
  congestion: 13,
  filter: 14,
  group: 15,
  crypto: 17,
  badRequest: 1400,
  unauthorized: 1401,
  overload: 1402,
  forbidden: 1403,
  notFound: 1404,
  badMode: 1405,
  conflict: 1409,
  internalError: 1500,
  /** SRT_REJX_UNAVAILABLE: the service is temporarily unavailable (OnAir: its database, for a key it cannot check). */
  unavailable: 1503,
} as const;

export type RejectReasonCode = (typeof RejectReason)[keyof typeof RejectReason];

const NAMES = new Map<number, string>(Object.entries(RejectReason).map(([k, v]) => [v, k]));

/** A short name for logs: `unauthorized`, `badSecret`, or the number. */
export function rejectReasonName(code: number): string {
  return NAMES.get(code) ?? String(code);
}
