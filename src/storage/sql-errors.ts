import { AppError, type ErrorCode } from '../domain/errors.js';

// Unique constraints whose violation is an expected, named conflict.
const UNIQUE: Record<string, [ErrorCode, string]> = {
  users_one_primary: ['user.primary_exists', 'The tenant already has a primary user'],
  users_login: ['user.login_taken', 'The login name is taken in this tenant'],
  tenants_slug: ['resource.conflict', 'The tenant slug is taken'],
  tenants_one_root: ['resource.conflict', 'The root provider exists already'],
  shares_open: ['share.exists', 'The user is already shared with that tenant'],
  companies_name: ['resource.conflict', 'A company of that name exists'],
  field_definitions_key: ['resource.conflict', 'A field with that key exists'],
  sso_links_identity: ['sso.link_exists', 'This external identity is already linked in this tenant'],
  sso_links_user: ['sso.link_exists', 'The user already has an identity of this connection'],
};

interface PgLikeError {
  code?: string;
  constraint?: string;
}

/**
 * Maps PostgreSQL errors (pg and PGlite both carry SQLSTATE in `code`) to AppError. Races
 * resolved by constraints surface as clean conflicts, never as internal errors.
 */
export function mapSqlError(e: unknown): unknown {
  if (e instanceof AppError || typeof e !== 'object' || e === null) return e;
  const { code, constraint } = e as PgLikeError;
  if (typeof code !== 'string') return e;
  switch (code) {
    case '23505': {
      const known = constraint ? UNIQUE[constraint] : undefined;
      return new AppError(known?.[0] ?? 'resource.conflict', known?.[1], { cause: e });
    }
    case '23503':
      return new AppError('resource.conflict', 'A referenced record does not exist or is in use', { cause: e });
    case '23514':
    case '22P02':
    case '22001':
    case '22007':
    case '22008':
      return new AppError('validation.invalid', 'A value is out of range', { cause: e });
    case '40001':
    case '40P01':
      return new AppError('resource.conflict', 'A concurrent change won; try again', { cause: e });
    case '57P01':
    case '57P03':
    case '08000':
    case '08003':
    case '08006':
      return new AppError('storage.unavailable', undefined, { cause: e });
    default:
      return e;
  }
}
