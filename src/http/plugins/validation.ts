import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { FormatRegistry } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { UUID_RE as UUID } from '../../domain/validation.js';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

let registered = false;
function registerFormats(): void {
  if (registered) return;
  registered = true;
  FormatRegistry.Set('uuid', (v) => UUID.test(v));
  FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));
  FormatRegistry.Set('email', (v) => v.length <= 254 && EMAIL.test(v));
}

/**
 * Request validation by TypeBox's compiler: no type coercion of bodies (a "5" is not a number)
 * and no silent removal of unknown properties (Fastify's Ajv default strips them; we refuse).
 * Query strings and path parameters are converted first, since they arrive as text.
 */
export function installValidation(app: FastifyInstance): void {
  registerFormats();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // PostgreSQL text cannot hold U+0000 (SQLSTATE 22021): a NUL anywhere in the input is refused
  // here as a 400, instead of failing as a 500 in whichever query first meets it.
  app.addHook('preValidation', async (req) => {
    for (const [where, value] of [
      ['body', req.body],
      ['query', req.query],
      ['params', req.params],
    ] as const) {
      if (holdsNul(value)) {
        throw new AppError('validation.invalid', 'Text must not contain U+0000', {
          errors: [{ field: where, code: 'format', message: 'No NUL characters' }],
        });
      }
    }
  });
}

/** Whether a NUL occurs in any string or key of a parsed value (iterative: bodies nest deeply). */
function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return true;
        stack.push(x);
      }
    }
  }
  return false;
}
