export const USER_TYPES = ['primary', 'secondary'] as const;
export type UserType = (typeof USER_TYPES)[number];
export const USER_STATES = ['active', 'locked', 'disabled'] as const;
export type UserState = (typeof USER_STATES)[number];

export interface User {
  id: string;
  tenantId: string;
  loginName: string;
  email: string | null;
  displayName: string;
  type: UserType;
  state: UserState;
  hasPassword: boolean;
  mustChangePassword: boolean;
  customFields: Record<string, unknown>;
  /** Companies of its tenant the user is limited to; empty means all. */
  companyIds: string[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const LOGIN = /^[\p{L}\p{N}._@+-]{1,254}$/u;
export const isValidLoginName = (s: string): boolean => LOGIN.test(s);
/** Deliberately loose: the address is verified by mail, not by a pattern. */
export const isValidEmail = (s: string): boolean => s.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);
