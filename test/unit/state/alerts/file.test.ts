import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRecord } from '../../../../shared/alerts/record';
import { FileAlertStore } from '../../../../shared/state/alerts/file';
import { AlertStoreError } from '../../../../shared/state/alerts/store';
import { FileOperatorStore } from '../../../../shared/state/operators/file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cpq-file-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rec(id: string, state: AlertRecord['state'] = 'pending'): AlertRecord {
  return {
    id,
    appliance: id.split('/')[0]!,
    check: id.split('/')[1]!,
    state,
    severity: 'warning',
    pagedSeverity: null,
    failures: 1,
    successes: 0,
    since: '2026-03-02T10:00:00.000Z',
    changedAt: '2026-03-02T10:00:00.000Z',
    lastNotifiedAt: null,
    finding: null,
    muted: null,
    sequence: 0,
    outbox: [],
    version: 0,
  };
}

describe('FileAlertStore', () => {
  it('creates the file (and its directory) on the first write and reads it back', async () => {
    const store = new FileAlertStore(join(dir, 'nested', 'alerts.json'));
    expect(await store.get(['a/x'])).toEqual(new Map());
    const put = await store.put(rec('a/x'), 0);
    expect(put).toEqual({ status: 'written', record: { ...rec('a/x'), version: 1 } });
    const again = new FileAlertStore(join(dir, 'nested', 'alerts.json'));
    expect((await again.get(['a/x', 'b/y'])).get('a/x')).toMatchObject({ version: 1, state: 'pending' });
    expect((await stat(join(dir, 'nested', 'alerts.json'))).mode & 0o777).toBe(0o600);
  });

  it('rejects a write whose expected version is stale', async () => {
    const store = new FileAlertStore(join(dir, 'alerts.json'));
    await store.put(rec('a/x'), 0);
    expect(await store.put(rec('a/x'), 0)).toEqual({ status: 'conflict' });
    expect((await store.put({ ...rec('a/x'), state: 'alarm' }, 1)).status).toBe('written');
    expect(await store.put(rec('a/x'), 1)).toEqual({ status: 'conflict' });
  });

  it('serialises concurrent writers in one process: exactly one wins each version', async () => {
    const store = new FileAlertStore(join(dir, 'alerts.json'));
    const results = await Promise.all(Array.from({ length: 5 }, () => store.put(rec('a/x'), 0)));
    expect(results.filter((r) => r.status === 'written')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'conflict')).toHaveLength(4);
  });

  it('writes atomically: no temporary file stays behind and the file is always whole JSON', async () => {
    const path = join(dir, 'alerts.json');
    const store = new FileAlertStore(path);
    for (let i = 0; i < 20; i++) await store.put(rec(`esa${i}/cpq_tls_failed`), 0);
    expect(await readdir(dir)).toEqual(['alerts.json']);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    expect(Object.keys(doc.alerts)).toHaveLength(20);
  });

  it('lists only open records (not ok, or with undelivered notifications)', async () => {
    const store = new FileAlertStore(join(dir, 'alerts.json'));
    await store.put(rec('a/x', 'alarm'), 0);
    await store.put(rec('b/y', 'ok'), 0);
    const undelivered = {
      ...rec('c/z', 'ok'),
      outbox: [{ notification: {} as never, attempts: 1, lastError: 'x', leaseUntil: null }],
    };
    await store.put(undelivered, 0);
    expect((await store.listOpen()).map((r) => r.id).sort()).toEqual(['a/x', 'c/z']);
    expect(await store.all()).toHaveLength(3);
  });

  it('refuses a file that is not an alert state file', async () => {
    const path = join(dir, 'alerts.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, '{"alerts": 3}');
    await expect(new FileAlertStore(path).listOpen()).rejects.toBeInstanceOf(AlertStoreError);
    await expect(new FileAlertStore(dir).listOpen()).rejects.toMatchObject({ code: 'alert_store_failed' });
  });

  it("shares one queue with the operators' store of the same file: neither loses the other's writes", async () => {
    const path = join(dir, 'state.json');
    const alerts = new FileAlertStore(path);
    // The same file under another spelling is the same queue.
    const operators = new FileOperatorStore(join(dir, '.', 'state.json'));
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      writes.push(alerts.put(rec(`esa${i}/cpq_tls_failed`), 0));
      writes.push(operators.write('acks', [], i));
    }
    await Promise.all(writes);
    expect(await alerts.all()).toHaveLength(10);
    await expect(operators.read('acks')).resolves.toMatchObject({ version: 10, items: [], dropped: 0 });
  });
});
