import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { FormatRegistry } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
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
}
