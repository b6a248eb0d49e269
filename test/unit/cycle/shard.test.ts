/** One invocation's shard: what it owns, what it reads only as context, and what it reports, retries and saves. */
import { isContext, ownSshMemory, reportsAbout, retriesFor, selectShard } from '../../../shared/cycle/shard';
import type { FindingsMemory } from '../../../shared/findings/types';
import { inventoryOf, smallFleet, sshWith } from './fixtures';

const names = (list: ReadonlyArray<{ name: string }>) => list.map((a) => a.name);

describe('selectShard', () => {
  it('owns every enabled appliance when no names are given, with no context to read', () => {
    const ssh = sshWith({ passwordEnv: 'CPQ_PW' });
    const inv = inventoryOf([
      { name: 'sma1', role: 'sma', host: '10.0.0.10', ssh },
      { name: 'esa1', role: 'esa', host: '10.0.0.21', quarantine: { sma: 'sma1' } },
      { name: 'esa2', role: 'esa', host: '10.0.0.22', quarantine: { sma: 'sma1' }, enabled: false },
    ]);
    const shard = selectShard(inv, true);
    expect(names(shard.owned)).toEqual(['sma1', 'esa1']);
    expect(names(shard.sshOwned)).toEqual(['sma1']);
    expect(shard.context).toEqual([]);
    expect(shard.unknown).toEqual([]);
    expect(shard.named).toBe(false);
  });

  it('lists the names it was given that are unknown or disabled', () => {
    const inv = inventoryOf([
      { name: 'sma1', role: 'sma', host: '10.0.0.10' },
      { name: 'esa1', role: 'esa', host: '10.0.0.21', quarantine: { sma: 'sma1' }, enabled: false },
    ]);
    const shard = selectShard(inv, false, ['sma1', 'esa1', 'esa9']);
    expect(names(shard.owned)).toEqual(['sma1']);
    expect(shard.unknown).toEqual(['esa1', 'esa9']);
  });

  it('reads the SMA of an owned ESA as context in an SSH cycle, and nothing over SSH in a probe cycle', () => {
    const inv = smallFleet();
    const ssh = selectShard(inv, true, ['esa1']);
    expect(names(ssh.sshOwned)).toEqual(['esa1']);
    expect(names(ssh.context)).toEqual(['sma1']);
    expect(isContext(ssh, 'sma1')).toBe(true);
    expect(isContext(ssh, 'esa1')).toBe(false);

    const probe = selectShard(inv, false, ['esa1']);
    expect(names(probe.owned)).toEqual(['esa1']);
    expect(probe.sshOwned).toEqual([]);
    expect(probe.context).toEqual([]);
  });
});

describe('what a shard reports and retries', () => {
  const shard = selectShard(smallFleet(), true, ['esa1']);

  it("reports about its own appliances and paths with an owned end, never about its context's own", () => {
    expect(reportsAbout(shard, ['esa1'])).toBe(true);
    expect(reportsAbout(shard, ['esa1', 'sma1'])).toBe(true);
    expect(reportsAbout(shard, ['sma1'])).toBe(false);
  });

  it("retries only its own appliances' notifications when the fleet is split, every one otherwise", () => {
    const retries = retriesFor(shard);
    expect(retries?.(['esa1'])).toBe(true);
    expect(retries?.(['sma1'])).toBe(false);
    expect(retries?.(['sma1', 'esa1'])).toBe(true);
    expect(retriesFor(selectShard(smallFleet(), true))).toBeUndefined();
  });

  it('reports and retries a monitor-side finding (a credential source) in every shard that raises it', () => {
    const subject = ['monitor:env:CPQ_PW'];
    expect(reportsAbout(shard, subject)).toBe(true);
    expect(retriesFor(shard)?.(subject)).toBe(true);
  });
});

describe('ownSshMemory', () => {
  it("keeps its own appliances' queue samples, log cursors and anonymous-outbound marks, not its context's", () => {
    const shard = selectShard(smallFleet(), true, ['esa1']);
    const sample = [{ at: '2026-11-27T12:00:00.000Z', active: 3 }];
    const cursor = { timestamp: '2026-11-27T12:00:00.000Z', atTimestamp: 1 };
    const memory: FindingsMemory = {
      version: 1,
      listeners: {},
      queues: { 'esa1/the.cpq.host': sample, 'sma1/the.cpq.release.host': sample },
      logs: { esa1: cursor, sma1: cursor },
      anonymousOutbound: ['esa1', 'sma1'],
    };
    expect(ownSshMemory(shard, memory)).toEqual({
      queues: { 'esa1/the.cpq.host': sample },
      logs: { esa1: cursor },
      anonymousOutbound: ['esa1'],
    });
  });
});
