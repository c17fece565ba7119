import { api, must } from './api/client';
import type { Role } from './api/types';
import { useLoad } from './use-load';

/** Role definitions change only by operator action: one load per screen is plenty. */
export function useRoles(): Role[] {
  return useLoad(async () => (await must(api.GET('/api/v1/roles'))).items, []).data ?? [];
}
