import type { Problem } from './api/client';

// One sentence per rule, in the words of the product documents: the server's `detail` then
// names the concrete role or user.
const PLAIN: Record<string, string> = {
  'grant.not_own_user': 'You can change roles only of users who belong to this tenant.',
  'grant.requires_admin': 'Only administrators can do this.',
  'grant.operation_role_outside_provider': 'Operation roles are only for users of the provider.',
  'grant.admin_role_not_held': 'You cannot grant or take away an administration role that you do not hold yourself.',
  'grant.not_customer_primary': 'Sales can manage only the primary user of a direct customer.',
  'grant.shared_user_read_only': 'This user is shared from another tenant; only its home tenant can change its roles.',
  'grant.missing_permission': 'Your roles do not allow this.',
  'grant.target_outranks': 'This user holds an administration role that you do not hold yourself.',
  'auth.token_invalid':
    'This link no longer works: it was used already, expired, or a newer one replaced it. Ask for a new link.',
  'auth.forbidden': 'Your roles do not allow this.',
  'auth.invalid_credentials': 'Tenant, login name or password is wrong.',
  'auth.throttled': 'Too many attempts. Wait a few minutes, then try again.',
  'validation.password_policy': 'Choose a longer or less common password.',
  'resource.stale': 'Someone else changed this in the meantime. Reload and try again.',
  'tenant.suspended': 'This tenant is suspended.',
  'user.login_taken': 'That login name is already used in this tenant.',
  'app.invalid': 'The app cannot be registered like this; the list below says what to change.',
  'app.no_secret': 'This app signs in without a client secret, so there is none to rotate.',
  'user.primary_exists': 'This tenant already has a primary user.',
};

/** A heading a person understands; the API's own title when the console knows no better. */
export const plainTitle = (p: Problem): string => PLAIN[p.code] ?? p.title;
