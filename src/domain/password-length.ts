/**
 * The shortest password Kontor accepts anywhere (NIST SP 800-63B for single-factor passwords):
 * a tenant's security policy may ask for more, never for less. Its own module so the policy
 * and the password rules share it without importing each other.
 */
export const PASSWORD_MIN = 15;
