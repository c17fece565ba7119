import {
  Alert,
  Button,
  FileInput,
  Group,
  List,
  Paper,
  Progress,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { ApiError, raw } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useMe, useSession } from '../../session';
import { download } from '../activity/csv';

interface Report {
  dryRun: boolean;
  rows: number;
  toCreate: number;
  toUpdate: number;
  created: number;
  updated: number;
  errors: { line: number; field: string; code: string; message: string }[];
}
interface Job {
  id: string;
  status: string;
  total: number;
  processed: number;
  error: string | null;
  report: Report | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Users as CSV or JSON: export, and import with a dry run first (all rows or none). */
export function ImportExport() {
  const me = useMe();
  const { can } = useSession();
  const id = me.actingTenant.id;
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [file, setFile] = useState<File | null>(null);
  const [upsert, setUpsert] = useState(false);
  const [report, setReport] = useState<Report>();
  const [progress, setProgress] = useState<{ processed: number; total: number }>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();

  const run = async (key: string, fn: () => Promise<void>) => {
    setBusy(key);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(undefined);
    setProgress(undefined);
  };
  const exportUsers = () =>
    run('export', async () => {
      const res = await raw(`/api/v1/tenants/${id}/users/export?format=${format}`);
      download(
        `users-${me.actingTenant.slug}.${format}`,
        await res.text(),
        res.headers.get('content-type') ?? 'text/plain',
      );
    });
  const importUsers = (dryRun: boolean) =>
    run(dryRun ? 'check' : 'apply', async () => {
      if (!file) return;
      setReport(undefined);
      const text = await file.text();
      const json = file.name.toLowerCase().endsWith('.json');
      const res = await raw(
        `/api/v1/tenants/${id}/users/import?dryRun=${dryRun}&mode=${upsert ? 'upsert' : 'create'}`,
        {
          method: 'POST',
          headers: { 'content-type': json ? 'application/json' : 'text/csv' },
          body: text,
        },
      );
      if (res.status !== 202) {
        setReport((await res.json()) as Report);
        return;
      }
      // Large files run as a job: poll its progress until it is done.
      const location = res.headers.get('location') ?? '';
      for (;;) {
        const job = (await (await raw(location)).json()) as Job;
        setProgress({ processed: job.processed, total: job.total });
        if (job.status !== 'running' && job.status !== 'queued') {
          if (job.report) setReport(job.report);
          if (job.error) {
            throw new ApiError({
              status: 422,
              code: 'import.failed',
              title: 'The import failed; nothing was written',
              detail: job.error,
            });
          }
          return;
        }
        await sleep(1000);
      }
    });

  return (
    <Stack>
      {can('users.export') && (
        <Paper withBorder p="md" radius="md">
          <Stack>
            <Title order={3} size="h5">
              Export users
            </Title>
            <Text size="sm" c="dimmed">
              Login names, emails, roles, companies and custom fields of the tenant's own users.
            </Text>
            <Group>
              <SegmentedControl
                aria-label="Export format"
                data={['csv', 'json']}
                value={format}
                onChange={(v) => setFormat(v as 'csv' | 'json')}
              />
              <Button onClick={() => void exportUsers()} loading={busy === 'export'}>
                Export users
              </Button>
            </Group>
          </Stack>
        </Paper>
      )}
      {can('users.import') && (
        <Paper withBorder p="md" radius="md">
          <Stack>
            <Title order={3} size="h5">
              Import users
            </Title>
            <Text size="sm" c="dimmed">
              Same columns as the export. Check the file first: nothing is written until every row is valid.
            </Text>
            <Group align="flex-end">
              <FileInput
                label="File (CSV or JSON)"
                accept=".csv,.json,text/csv,application/json"
                value={file}
                onChange={setFile}
                clearable
                w={280}
              />
              <Switch
                label="Update existing login names"
                checked={upsert}
                onChange={(e) => setUpsert(e.currentTarget.checked)}
                mb={8}
              />
            </Group>
            <Group>
              <Button
                variant="default"
                disabled={!file}
                loading={busy === 'check'}
                onClick={() => void importUsers(true)}
              >
                Check file
              </Button>
              <Button
                disabled={!file || !report?.dryRun || report.errors.length > 0}
                loading={busy === 'apply'}
                onClick={() => void importUsers(false)}
              >
                Import
              </Button>
            </Group>
            {progress && (
              <Progress
                value={progress.total ? (100 * progress.processed) / progress.total : 0}
                aria-label="Import progress"
              />
            )}
            {report && (
              <Alert
                color={report.errors.length > 0 ? 'red' : 'green'}
                variant="light"
                title={report.dryRun ? 'Check result' : 'Imported'}
              >
                <Text size="sm">
                  {report.rows} rows:{' '}
                  {report.dryRun
                    ? `${report.toCreate} to create, ${report.toUpdate} to update`
                    : `${report.created} created, ${report.updated} updated`}
                  .
                </Text>
                {report.errors.length > 0 && (
                  <List size="sm" mt="xs">
                    {report.errors.slice(0, 50).map((e) => (
                      <List.Item key={`${e.line}-${e.field}-${e.code}`}>
                        Line {e.line}, {e.field}: {e.message}
                      </List.Item>
                    ))}
                  </List>
                )}
              </Alert>
            )}
          </Stack>
        </Paper>
      )}
      <ProblemAlert error={error} onClose={() => setError(undefined)} />
    </Stack>
  );
}
