/** Effective per-appliance settings: the appliance's own over the fleet's over the defaults. */
import { DEFAULTS } from '../../../shared/inventory/schema';
import { activeMaintenance, queuesFor, tlsFor } from '../../../shared/inventory/settings';
import { inventoryOf, named } from './fixtures';

describe('tlsFor', () => {
  it("takes the appliance's fields over the fleet's, keeps the fleet's where the appliance sets none", () => {
    const inv = inventoryOf(
      [
        { name: 'sma1', role: 'sma', host: '10.0.0.10', tls: { expiryWarnDays: 7, minVersion: 'TLSv1.2' } },
        { name: 'sma2', role: 'sma', host: '10.0.0.11' },
      ],
      { tls: { ciphers: 'HIGH:-aNULL', minVersion: 'TLSv1', expiryWarnDays: 45 } },
    );
    expect(tlsFor(inv, named(inv, 'sma1'))).toEqual({
      ciphers: 'HIGH:-aNULL',
      minVersion: 'TLSv1.2',
      expiryWarnDays: 7,
    });
    expect(tlsFor(inv, named(inv, 'sma2'))).toEqual({
      ciphers: 'HIGH:-aNULL',
      minVersion: 'TLSv1',
      expiryWarnDays: 45,
    });
  });

  it('falls back to the default expiry warning when neither sets one', () => {
    const inv = inventoryOf([{ name: 'sma1', role: 'sma', host: '10.0.0.10' }]);
    expect(tlsFor(inv, named(inv, 'sma1'))).toEqual({ expiryWarnDays: DEFAULTS.expiryWarnDays });
  });
});

describe('queuesFor', () => {
  it('gives the defaults when nothing is set', () => {
    const inv = inventoryOf([{ name: 'esa1', role: 'esa', host: '10.0.0.21' }]);
    expect(queuesFor(inv, named(inv, 'esa1'))).toEqual({
      cpqQueueName: DEFAULTS.cpqQueueName,
      releaseQueueName: DEFAULTS.releaseQueueName,
      warning: DEFAULTS.queueWarning,
      critical: DEFAULTS.queueCritical,
      growthCycles: DEFAULTS.queueGrowthCycles,
    });
  });

  it("takes the appliance's thresholds over the fleet's, field by field", () => {
    const inv = inventoryOf(
      [
        { name: 'esa1', role: 'esa', host: '10.0.0.21', queues: { critical: 900 } },
        { name: 'esa2', role: 'esa', host: '10.0.0.22' },
      ],
      { queues: { warning: 10, critical: 100, cpqQueueName: 'cpq.example' } },
    );
    expect(queuesFor(inv, named(inv, 'esa1'))).toMatchObject({
      cpqQueueName: 'cpq.example',
      warning: 10,
      critical: 900,
    });
    expect(queuesFor(inv, named(inv, 'esa2'))).toMatchObject({ warning: 10, critical: 100 });
  });
});

describe('activeMaintenance', () => {
  const inv = inventoryOf(
    [
      { name: 'esa1', role: 'esa', host: '10.0.0.21' },
      { name: 'esa2', role: 'esa', host: '10.0.0.22' },
    ],
    {
      maintenance: [
        { appliance: 'esa1', start: '2026-03-02T10:00:00Z', end: '2026-03-02T11:00:00Z', reason: 'upgrade' },
        { appliance: '*', start: '2026-03-03T00:00:00Z', end: '2026-03-03T01:00:00Z', reason: 'network' },
      ],
    },
  );

  it.each([
    ['esa1', '2026-03-02T10:00:00Z', 'upgrade'],
    ['esa1', '2026-03-02T10:59:59Z', 'upgrade'],
    ['esa1', '2026-03-02T11:00:00Z', undefined],
    ['esa1', '2026-03-02T09:59:59Z', undefined],
    ['esa2', '2026-03-02T10:30:00Z', undefined],
    ['esa2', '2026-03-03T00:30:00Z', 'network'],
    ['esa1', '2026-03-03T00:30:00Z', 'network'],
  ])('%s at %s: %s', (appliance, at, reason) => {
    expect(activeMaintenance(inv, appliance, new Date(at))?.reason).toBe(reason);
  });
});
