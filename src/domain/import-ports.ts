import type { Repos, UnitOfWork } from './ports.js';
import type { UserState, UserType } from './user.js';

/** A user of an import, ready to be written: ids resolved, hash as given. */
export interface ImportUserWrite {
  id: string;
  loginName: string;
  email: string | null;
  /** Mark `email` verified in the same write: set only when the importer is trusted to vouch. */
  emailVerified: boolean;
  displayName: string;
  type: UserType;
  state: UserState;
  passwordHash: string | null;
  customFields: Record<string, unknown>;
  roles: string[];
  companyIds: string[];
}

export interface ExportUserRow {
  loginName: string;
  email: string | null;
  emailVerified: boolean;
  displayName: string;
  type: UserType;
  state: UserState;
  roles: string[];
  companyIds: string[];
  customFields: Record<string, unknown>;
  passwordHash?: string | null;
}

export interface ExistingImportUser {
  id: string;
  type: UserType;
  hasPassword: boolean;
  email: string | null;
  verifiedEmail: string | null;
}

export type ImportJobStatus = 'running' | 'succeeded' | 'failed';

export interface ImportJob {
  id: string;
  tenantId: string;
  status: ImportJobStatus;
  mode: 'create' | 'upsert';
  total: number;
  processed: number;
  created: number;
  updated: number;
  error: string | null;
  /** The row errors of a failed job (capped), as the dry run reports them. */
  report: unknown;
  createdBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Bulk access for imports: a row at a time would take minutes for 100,000 users. */
export interface ImportRepo {
  /**
   * Existing users of the tenant by lower-cased login name, whether each has a password, and its
   * current address when that address is verified (null otherwise, as `users.verifiedIds` counts).
   */
  existing(tenantId: string, loginsLower: string[]): Promise<Map<string, ExistingImportUser>>;
  /**
   * Inserts users with their roles, companies and (where `emailVerified`) the verified mark of
   * their address in multi-row statements.
   */
  insertUsers(tenantId: string, users: ImportUserWrite[], grantedBy: string | null, now: Date): Promise<void>;
  insertJob(job: ImportJob): Promise<void>;
  finishJob(
    tenantId: string,
    id: string,
    patch: Pick<ImportJob, 'status' | 'processed' | 'created' | 'updated' | 'error' | 'report' | 'finishedAt'>,
  ): Promise<void>;
  /**
   * A page of the tenant's own users for export, ordered by lower-cased login name, with role
   * keys and company ids in the same query; `after` is the last login name of the previous page.
   */
  exportPage(
    tenantId: string,
    after: string | null,
    limit: number,
    withHashes: boolean,
  ): Promise<(ExportUserRow & { loginLower: string })[]>;
  /** Refreshes planner statistics after a bulk write, so the next queries use the indexes. */
  refreshStatistics(): Promise<void>;
  findJob(tenantId: string, id: string): Promise<ImportJob | undefined>;
  /** Jobs left `running` by a process that died: their transaction rolled back, nothing landed. */
  failInterrupted(olderThan: Date, now: Date): Promise<number>;
}

export type ImportStore = UnitOfWork<Repos & { imports: ImportRepo }>;
