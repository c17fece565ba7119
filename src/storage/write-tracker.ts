import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  UnknownRow,
} from 'kysely';

type Node = PluginTransformQueryArgs['node'];

/** A plain SELECT (no data-modifying WITH), or raw SQL that starts with SELECT or SHOW. */
function readsOnly(node: Node): boolean {
  if (node.kind === 'SelectQueryNode') return node.with === undefined;
  if (node.kind === 'RawNode') return /^\s*(select|show)\b/i.test(node.sqlFragments[0] ?? '');
  return false;
}

/**
 * Counts the writing statements a `read` unit started and the ones that completed with a change,
 * so a failed unit is run again only when that cannot repeat a write: an autocommit write commits
 * with its statement, and a connection lost while it ran leaves its outcome unknown.
 */
export class WriteTracker implements KyselyPlugin {
  started = 0;
  completed = 0;
  private readonly writes = new WeakSet<object>();

  transformQuery({ node, queryId }: PluginTransformQueryArgs): Node {
    if (!readsOnly(node)) {
      this.started++;
      this.writes.add(queryId);
    }
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // A write that changed no row (a purge with nothing to purge, a touch not yet due) changed
    // nothing to repeat; an unknown count counts as a change.
    if (this.writes.has(queryId) && (result.numAffectedRows === undefined || result.numAffectedRows > 0n)) {
      this.completed++;
    }
    return result;
  }
}
