/** A company inside a tenant: corporate groups and branches (multi-company). */
export interface Company {
  id: string;
  tenantId: string;
  name: string;
  parentCompanyId: string | null;
  createdAt: Date;
}
