/**
 * The one error type of Kontor. Every failure that crosses a layer is an AppError with a code
 * from {@link ERROR_CODES}; the HTTP layer maps the code to a status and a problem+json body.
 */
export const ERROR_CODES = {
  'validation.invalid': { status: 400, title: 'The request is invalid' },
  'validation.password_policy': { status: 400, title: 'The password does not meet the policy' },
  'password.reused': { status: 400, title: 'The new password must differ from the current one' },
  'validation.field_value': { status: 400, title: 'A custom field value is invalid' },
  'auth.unauthenticated': { status: 401, title: 'Sign-in required' },
  'auth.invalid_credentials': { status: 401, title: 'Sign-in failed' },
  'auth.throttled': { status: 429, title: 'Too many attempts' },
  'auth.password_change_required': { status: 403, title: 'The password must be changed first' },
  'auth.csrf': { status: 403, title: 'Missing or wrong CSRF token' },
  'auth.forbidden': { status: 403, title: 'Not permitted' },
  'auth.insufficient_scope': { status: 403, title: 'The token lacks the scope this needs' },
  'auth.token_invalid': { status: 400, title: 'The link or token is invalid or expired' },
  'grant.not_own_user': { status: 403, title: 'Only the user’s own tenant can do this' },
  'grant.requires_admin': {
    status: 403,
    title: 'Only administrators can change roles of secondary users',
  },
  'grant.operation_role_outside_provider': {
    status: 403,
    title: 'Operation roles are only for users of the root provider',
  },
  'grant.admin_role_not_held': {
    status: 403,
    title: 'An administration role can only be granted or revoked by a holder of it',
  },
  'grant.not_customer_primary': {
    status: 403,
    title: 'The sales function manages only the primary user of a direct customer',
  },
  'grant.shared_user_read_only': {
    status: 403,
    title: 'Roles of a shared user are read-only outside its home tenant',
  },
  'grant.system_only': {
    status: 403,
    title: 'Operation roles see no customer data',
  },
  'grant.password_change_not_allowed': {
    status: 403,
    title: 'Changing the own password is not allowed for this user',
  },
  'grant.missing_permission': { status: 403, title: 'A required permission is missing' },
  'grant.target_outranks': {
    status: 403,
    title: 'The user holds an administration role you do not hold',
  },
  'role.unknown': { status: 400, title: 'Unknown role' },
  'role.invalid_definition': { status: 400, title: 'The role definition is invalid' },
  'tenant.invalid_parent': { status: 409, title: 'This kind of tenant cannot be placed there' },
  'tenant.cycle': { status: 409, title: 'A tenant cannot be moved below itself' },
  'tenant.has_children': { status: 409, title: 'Only a tenant without children can be removed' },
  'tenant.suspended': { status: 403, title: 'The tenant is suspended' },
  'tenant.outside_reach': {
    status: 403,
    title: 'The tenant is in your subtree, but not the one you act in',
  },
  'tenant.root_immutable': { status: 409, title: 'The root provider cannot be changed this way' },
  'user.primary_exists': { status: 409, title: 'The tenant already has a primary user' },
  'user.login_taken': { status: 409, title: 'The login name is taken in this tenant' },
  'user.not_active': { status: 409, title: 'The user is not active' },
  'share.invalid': { status: 409, title: 'The share cannot be made' },
  'share.exists': { status: 409, title: 'The user is already shared with that tenant' },
  'share.not_offered': { status: 409, title: 'The share is not waiting for acceptance' },
  'resource.not_found': { status: 404, title: 'Not found' },
  'resource.conflict': { status: 409, title: 'Conflict' },
  'resource.stale': { status: 412, title: 'The resource was changed by someone else' },
  'request.idempotency_mismatch': {
    status: 422,
    title: 'The Idempotency-Key was used with another request',
  },
  'request.secret_not_replayable': {
    status: 409,
    title: 'The Idempotency-Key was used; its answer carried a secret that is shown only once',
  },
  'storage.unavailable': { status: 503, title: 'The database is not available' },
  'internal.error': { status: 500, title: 'Internal error' },
  'request.too_large': { status: 413, title: 'The request body is too large' },
  'request.unsupported_media_type': { status: 415, title: 'The body must be application/json' },
  'import.rejected': { status: 422, title: 'The import has invalid rows; nothing was written' },
  'sso.rejected': { status: 401, title: 'The external sign-in was refused' },
  'sso.link_exists': { status: 409, title: 'The identity or the user is already linked' },
  'sso.not_configured': { status: 503, title: 'SSO is not configured on this server' },
  'oidc.interaction_not_found': { status: 404, title: 'The sign-in for the app has expired or is unknown' },
  'oidc.tenant_refused': { status: 403, title: 'The person may not act for this tenant in the app' },
  'sso.issuer_forbidden': { status: 422, title: 'The issuer is on a network Kontor may not call' },
  'sso.issuer_unreachable': { status: 422, title: 'The issuer could not be reached' },
  'app.invalid': { status: 400, title: 'The app registration is invalid' },
  'app.no_secret': { status: 409, title: 'The app does not authenticate with a client secret' },
  'webhook.not_configured': { status: 503, title: 'Webhooks are not configured on this server' },
  'sso.email_mapping_required': {
    status: 422,
    title: 'Linking by verified e-mail needs the standard email claim',
  },
  'policy.looser_than_parent': {
    status: 409,
    title: 'A tenant may tighten its parent’s security policy, never loosen it',
  },
  'policy.password_sign_in_disabled': { status: 403, title: 'The security policy allows only SSO sign-in here' },
  'policy.factor_not_allowed': { status: 403, title: 'The security policy does not allow this factor' },
  'mfa.code_invalid': { status: 401, title: 'The code is wrong, used or expired' },
  'mfa.enrolment_required': {
    status: 403,
    title: 'The security policy requires a second factor; enrol one first',
  },
  'mfa.required_here': {
    status: 403,
    title: 'Acting for this tenant needs a sign-in with a second factor',
  },
  'mfa.already_enrolled': { status: 409, title: 'This factor is already enrolled' },
  'mfa.passkey_refused': { status: 400, title: 'The passkey could not be verified' },
  'auth.step_up_required': {
    status: 403,
    title: 'Confirm your second factor and retry',
  },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly errors: FieldError[] | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    opts: { details?: Record<string, unknown>; errors?: FieldError[]; cause?: unknown } = {},
  ) {
    super(message ?? ERROR_CODES[code].title, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details;
    this.errors = opts.errors;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Shorthand for the uniform "does not exist or is not yours" answer. */
export const notFound = (what = 'resource'): AppError =>
  new AppError('resource.not_found', `The ${what} does not exist`);
