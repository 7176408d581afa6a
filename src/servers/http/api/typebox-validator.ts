import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

/**
 * Validates with TypeBox instead of Ajv: bodies are checked strictly (a number is not coerced into a
 * string name, unknown fields are refused rather than silently dropped), while path and query values,
 * which are always strings on the wire, are converted to the schema's types and given defaults first.
 * An empty body is treated as `{}` so action routes accept a POST with no body.
 */
export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const checker = TypeCompiler.Compile(schema);
  const part = httpPart ?? 'request';
  return (data: unknown) => {
    let value = data;
    if (part === 'body') value = data ?? {};
    else value = Value.Default(schema, Value.Convert(schema, Value.Clone(data ?? {})));
    if (checker.Check(value)) return { value };
    const first = checker.Errors(value).First();
    const where = first ? `${part}${first.path.replace(/\//g, '.')}` : part;
    const error = new Error(`${where}: ${first?.message ?? 'invalid'}`);
    return { error };
  };
};
