import {
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, must } from '../../api/client';
import type { Tenant } from '../../api/types';
import { useRoles } from '../../catalogue';
import { Empty } from '../../components/Empty';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StateBadge } from '../../components/StateBadge';
import { href } from '../../nav';
import { useMe, useSession } from '../../session';
import { CreateCustomer } from './CreateCustomer';

/** Tenants per request to `/subtree` (the API allows up to 500). */
const PAGE = 50;
/** Indentation per level below the first, in pixels. */
const INDENT = 24;

const KIND_COLOR: Record<string, string> = {
  provider: 'indigo',
  reseller: 'violet',
  consumer: 'teal',
  carrier: 'gray',
};

export function KindBadge({ kind }: { kind: string }) {
  return (
    <Badge color={KIND_COLOR[kind] ?? 'gray'} variant="light" tt="none">
      {kind}
    </Badge>
  );
}

interface Tree {
  items: Tenant[];
  nextCursor: string | null;
  /** The first page has arrived (until then the screen shows a loader). */
  loaded: boolean;
  loading: boolean;
  error: ApiError | undefined;
}

/**
 * The whole tree below a tenant from `GET /tenants/{id}/subtree`, depth-first, a page at a time.
 * `reload` starts again from the first page; `more` appends the next one and answers whether
 * further pages remain. A late answer for an older reload is dropped.
 */
function useSubtree(tenantId: string) {
  const [tree, setTree] = useState<Tree>({
    items: [],
    nextCursor: null,
    loaded: false,
    loading: true,
    error: undefined,
  });
  const generation = useRef(0);
  const busy = useRef(false);

  const fetchPage = useCallback(
    async (cursor?: string): Promise<boolean> => {
      const n = cursor === undefined ? ++generation.current : generation.current;
      busy.current = true;
      setTree((t) => ({ ...t, loading: true }));
      try {
        const page = await must(
          api.GET('/api/v1/tenants/{id}/subtree', {
            params: { path: { id: tenantId }, query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
          }),
        );
        if (n !== generation.current) return false;
        setTree((t) => ({
          items: cursor === undefined ? page.items : [...t.items, ...page.items],
          nextCursor: page.nextCursor,
          loaded: true,
          loading: false,
          error: undefined,
        }));
        return page.nextCursor !== null;
      } catch (e) {
        if (n === generation.current) {
          const error =
            e instanceof ApiError
              ? e
              : new ApiError({
                  status: 0,
                  code: 'unknown',
                  title: 'Error',
                  detail: String((e as Error)?.message ?? e),
                });
          setTree((t) => ({ ...t, loading: false, error }));
        }
        return true;
      } finally {
        if (n === generation.current) busy.current = false;
      }
    },
    [tenantId],
  );

  useEffect(() => {
    setTree({ items: [], nextCursor: null, loaded: false, loading: true, error: undefined });
    void fetchPage();
  }, [fetchPage]);

  return {
    ...tree,
    reload: useCallback(() => void fetchPage(), [fetchPage]),
    more: useCallback(
      async () => (busy.current || tree.nextCursor === null ? true : fetchPage(tree.nextCursor)),
      [fetchPage, tree.nextCursor],
    ),
    /** Puts a changed tenant (a PATCH answer) in place, keeping the pages already loaded. */
    replace: useCallback((changed: Tenant) => {
      setTree((t) => ({ ...t, items: t.items.map((x) => (x.id === changed.id ? changed : x)) }));
    }, []),
  };
}

/**
 * The whole tree below the acting tenant, depth-first and indented. Suppliers create direct
 * customers and suspend or resume them; tenants further down belong to their own supplier and are
 * read-only here.
 */
export function Customers() {
  const me = useMe();
  const { can } = useSession();
  const roles = useRoles();
  const acting = me.actingTenant;
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const tree = useSubtree(acting.id);
  const summary = useRef<HTMLParagraphElement>(null);
  const supplier = acting.kind === 'provider' || acting.kind === 'reseller';

  const setStatus = async (t: Tenant, status: 'active' | 'suspended') => {
    setBusy(t.id);
    setError(undefined);
    try {
      tree.replace(
        await must(
          api.PATCH('/api/v1/tenants/{id}', {
            params: { path: { id: t.id } },
            body: { status },
            headers: { 'if-match': `"${t.version}"` },
          }),
        ),
      );
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(undefined);
  };

  const loadMore = async () => {
    // The button goes away with the last page: keep keyboard focus on the list's summary.
    if (!(await tree.more())) summary.current?.focus();
  };

  // Depth-first order puts every parent before its children: its name is always at hand.
  const names = new Map<string, string>([[acting.id, acting.name]]);
  for (const t of tree.items) names.set(t.id, t.name);
  const items = tree.items;
  const moreToLoad = tree.nextCursor !== null;

  return (
    <Page
      title="Customers"
      description="Every tenant below the one you act for: resellers, end customers and carriers, and their customers in turn. Open a direct customer for its page: its primary user, its own customers, moving and deleting. Tenants further down are managed by their own supplier."
      actions={
        supplier &&
        can('customers.create') && (
          <Button onClick={() => setCreating(true)} disabled={creating}>
            Create customer
          </Button>
        )
      }
    >
      {creating && <CreateCustomer roles={roles} onClose={() => setCreating(false)} onCreated={tree.reload} />}
      <Paper withBorder p="md" radius="md">
        <Group gap="sm">
          <Title order={2} size="h4">
            {acting.name}
          </Title>
          <KindBadge kind={acting.kind} />
          <StateBadge state={acting.status} />
          <Text size="sm" c="dimmed" ff="monospace">
            {acting.slug}
          </Text>
        </Group>
      </Paper>
      <ProblemAlert error={error ?? tree.error} onClose={error ? () => setError(undefined) : undefined} />
      <Paper withBorder p="md" radius="md">
        {!tree.loaded ? (
          tree.loading ? (
            <Loading label="Loading customers" />
          ) : (
            <Group justify="center" py="md">
              <Button variant="default" onClick={tree.reload}>
                Try again
              </Button>
            </Group>
          )
        ) : items.length === 0 ? (
          <Empty title="No customers yet">
            {supplier
              ? 'Create a reseller, end customer or carrier with “Create customer”; its primary user can sign in at once.'
              : 'End customers and carriers have no tenants below them.'}
          </Empty>
        ) : (
          <>
            <Text ref={summary} size="sm" c="dimmed" mb="xs" tabIndex={-1} aria-live="polite">
              {`Showing ${items.length} ${items.length === 1 ? 'tenant' : 'tenants'} below ${acting.name}`}
              {moreToLoad ? '; more to load' : ''}
            </Text>
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing="sm" highlightOnHover aria-label="Customers">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Slug</Table.Th>
                    <Table.Th>Kind</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((t) => {
                    const level = t.depth - acting.depth;
                    const direct = level === 1;
                    const parent = (t.parentId && names.get(t.parentId)) || 'its supplier';
                    return (
                      <Table.Tr key={t.id}>
                        <Table.Td>
                          <Group gap={6} wrap="nowrap" pl={(level - 1) * INDENT} align="flex-start">
                            {!direct && (
                              <Text span c="dimmed" aria-hidden="true" lh={1.4}>
                                └
                              </Text>
                            )}
                            <div>
                              {direct ? (
                                <Anchor href={href('customers', t.id)} size="sm" fw={500}>
                                  {t.name}
                                </Anchor>
                              ) : (
                                <Text size="sm" fw={500}>
                                  {t.name}
                                </Text>
                              )}
                              {!direct && (
                                <Text size="xs" c="dimmed">
                                  customer of {parent}
                                </Text>
                              )}
                            </div>
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" ff="monospace">
                            {t.slug}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <KindBadge kind={t.kind} />
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <StateBadge state={t.status} />
                        </Table.Td>
                        <Table.Td ta="right">
                          {!direct ? (
                            <Tooltip
                              label={`Only direct customers can be suspended or resumed here; ${parent} manages this tenant.`}
                              multiline
                              w={260}
                              withArrow
                            >
                              <Text size="xs" c="dimmed" span>
                                Read-only
                              </Text>
                            </Tooltip>
                          ) : (
                            can('customers.suspend') &&
                            (t.status === 'suspended' ? (
                              <Button
                                size="xs"
                                variant="default"
                                loading={busy === t.id}
                                onClick={() => void setStatus(t, 'active')}
                                aria-label={`Resume ${t.name}`}
                              >
                                Resume
                              </Button>
                            ) : (
                              <Button
                                size="xs"
                                variant="light"
                                color="red"
                                loading={busy === t.id}
                                onClick={() => void setStatus(t, 'suspended')}
                                aria-label={`Suspend ${t.name}`}
                              >
                                Suspend
                              </Button>
                            ))
                          )}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {moreToLoad && (
              <Group justify="center" mt="md">
                {/* No `loading` prop: it disables the button, which would drop keyboard focus. */}
                <Button
                  variant="default"
                  onClick={() => void loadMore()}
                  aria-busy={tree.loading}
                  leftSection={tree.loading ? <Loader size={14} aria-hidden="true" /> : undefined}
                >
                  Load more
                </Button>
              </Group>
            )}
          </>
        )}
      </Paper>
    </Page>
  );
}
