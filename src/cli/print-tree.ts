import type { Tenant } from '../domain/tenant.js';

/** Renders tenants (ordered by depth) as an indented tree, kinds and states shown. */
export function printTree(tenants: Tenant[]): string {
  const byParent = new Map<string | null, Tenant[]>();
  for (const t of tenants) {
    const list = byParent.get(t.parentId) ?? [];
    list.push(t);
    byParent.set(t.parentId, list);
  }
  const lines: string[] = [];
  const walk = (parentId: string | null, prefix: string) => {
    const kids = (byParent.get(parentId) ?? []).sort((a, b) => a.name.localeCompare(b.name));
    kids.forEach((t, i) => {
      const last = i === kids.length - 1;
      const branch = parentId === null ? '' : last ? '└─ ' : '├─ ';
      const status = t.status === 'active' ? '' : ` [${t.status}]`;
      lines.push(`${prefix}${branch}${t.name} (${t.kind}, ${t.slug})${status}`);
      walk(t.id, parentId === null ? '' : prefix + (last ? '   ' : '│  '));
    });
  };
  walk(null, '');
  return lines.join('\n');
}
