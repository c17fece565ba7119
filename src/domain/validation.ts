import type { FieldError } from './errors.js';

/** Small typed checks for use-case input; the HTTP schemas check shapes before these run. */
export class Checker {
  readonly errors: FieldError[] = [];

  string(
    field: string,
    v: unknown,
    opts: { min?: number; max: number; pattern?: RegExp; optional?: boolean },
  ): string | undefined {
    if (v === undefined && opts.optional) return undefined;
    if (typeof v !== 'string') return this.fail(field, 'type', 'Must be a text');
    const len = [...v].length;
    if (len < (opts.min ?? 1)) return this.fail(field, 'too_short', `At least ${opts.min ?? 1} characters`);
    if (len > opts.max) return this.fail(field, 'too_long', `At most ${opts.max} characters`);
    if (opts.pattern && !opts.pattern.test(v)) return this.fail(field, 'format', 'Invalid format');
    return v;
  }

  oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[], optional = false): T | undefined {
    if (v === undefined && optional) return undefined;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    return this.fail(field, 'enum', `One of ${allowed.join(', ')}`);
  }

  stringArray(field: string, v: unknown, max = 100): string[] | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length > max || v.some((x) => typeof x !== 'string')) {
      return this.fail(field, 'type', `A list of at most ${max} texts`);
    }
    return [...new Set(v as string[])];
  }

  fail(field: string, code: string, message: string): undefined {
    this.errors.push({ field, code: `${code}`, message });
    return undefined;
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
