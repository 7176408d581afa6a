import { Type, type TSchema } from '@sinclair/typebox';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../limits.js';
import { API_ERRORS, type ApiErrorCode } from '../../api-errors.js';

export const ErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.Union((Object.keys(API_ERRORS) as ApiErrorCode[]).map((c) => Type.Literal(c))),
    message: Type.String(),
  }),
}, { description: 'Every error: a stable code (see docs/API.md) and a human message' });

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const DateTime = Type.String({ format: 'date-time' });

export const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'page size' }),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: '`nextCursor` from the previous page' })),
}, { additionalProperties: false });

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const pageOf = <T extends TSchema>(item: T) => Type.Object({
  data: Type.Array(item),
  nextCursor: Nullable(Type.String()),
});

/** Adds the shared error schema to a route's responses (documented in OpenAPI, enforced when sent). */
export function withErrors<R extends Record<number, TSchema>>(ok: R): R & { '4xx': typeof ErrorSchema; '5xx': typeof ErrorSchema } {
  return { ...ok, '4xx': ErrorSchema, '5xx': ErrorSchema };
}
