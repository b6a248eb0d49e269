import { parseStatus } from '../../../../shared/asyncos/parsers/status';
import { fixture } from '../fixture';

describe('parseStatus', () => {
  it('reads an online ESA with counters, gauges and the two-line PVO gauge (CRLF)', () => {
    const out = parseStatus(fixture('status-esa-online.txt'));
    if (!out.ok) throw new Error(out.reason);
    const f = out.facts;
    expect(f.variant).toBe('esa');
    expect(f.systemStatus).toBe('Online');
    expect(f.online).toBe(true);
    expect(f.receivingSuspended).toBe(false);
    expect(f.oldestMessage).toBeNull();
    expect(f.statusAsOf).toBe('Thu Nov 26 14:33:27 2026 CET');
    expect(f.counters['Messages Received']).toEqual({ reset: 62049822, uptime: 290920, lifetime: 62049822 });
    expect(f.counters['Message ID (MID)']).toEqual({ reset: null, uptime: null, lifetime: 99524480 });
    expect(f.gauges['Messages In Quarantine: Policy, Virus and Outbreak']).toBe(0);
    expect(f.gauges['Kilobytes Free']).toBe(71303207);
    expect(f.activeRecipients).toBe(7);
    expect(f.workQueue).toBe(0);
    expect(f.pvoQuarantineMessages).toBe(0);
  });

  it('reads a suspended ESA through a pager line and a Rates table', () => {
    const out = parseStatus(fixture('status-detail-esa-suspended-paged.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.online).toBe(false);
    expect(out.facts.receivingSuspended).toBe(true);
    expect(out.facts.deliverySuspended).toBe(false);
    expect(out.facts.oldestMessage).toBe('4 weeks 46 mins 53 secs');
    expect(out.facts.upSince).toBe('Mon Sep  2 09:12:40 2013 CEST (11d 5h 55m 22s)');
    expect(out.facts.activeRecipients).toBe(7055);
    expect(out.facts.workQueue).toBe(31);
    expect(out.facts.pvoQuarantineMessages).toBe(212);
    // Rates are not counters.
    expect(out.facts.counters['Messages Received']).toEqual({ reset: 1204, uptime: 1204, lifetime: 9873 });
  });

  it('reads nested counters, percentages and two two-line quarantine gauges of status detail', () => {
    const out = parseStatus(fixture('status-detail-esa-nested.txt'));
    if (!out.ok) throw new Error(out.reason);
    const f = out.facts;
    expect(f.oldestMessage).toBe('2 hours 14 mins 7 secs');
    expect(f.counters['Hard Bounced Recipients']).toEqual({ reset: 612, uptime: 31, lifetime: 612 });
    expect(f.counters['5XX Hard Bounces']).toEqual({ reset: 498, uptime: 26, lifetime: 498 });
    expect(f.counters['Delivery Conn. ID (DCID)']?.lifetime).toBe(815009);
    expect(f.gauges).toMatchObject({
      CPU: 14,
      'Logging Disk Usage': 23,
      'Unattempted Recipients': 402,
      'Messages In Quarantine: Policy, Virus and Outbreak': 57,
      'Kilobytes In Quarantine: Policy, Virus and Outbreak': 9318,
      'Destinations In Memory': 130,
    });
    expect(f.gauges).not.toHaveProperty('Logging Disk Available');
    expect(f.activeRecipients).toBe(418);
    expect(f.workQueue).toBe(2);
    expect(f.pvoQuarantineMessages).toBe(57);
  });

  it('reads the SMA layout: Offline, services, quarantine gauge', () => {
    const out = parseStatus(fixture('status-sma-offline.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.variant).toBe('sma');
    expect(out.facts.systemStatus).toBe('Offline');
    expect(out.facts.online).toBe(false);
    expect(out.facts.services).toEqual({
      'Centralized Quarantine Service': 'Up',
      'Reporting Service': 'Up',
      'Tracking Service': 'Down',
    });
    expect(out.facts.pvoQuarantineMessages).toBe(1204);
  });

  it.each([
    ['status-unknown-command.txt', /Unknown command/],
    ['status-truncated.txt', /no "System status:" line/],
  ])('reports %s as unparsable, naming why', (name, reason) => {
    const out = parseStatus(fixture(name));
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.reason).toMatch(reason);
  });

  it('does not take a feature key named like a service for an SMA', () => {
    const out = parseStatus('System status:   Online\nFeature - Sophos Anti-Virus Service:   161 days\n');
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.variant).toBe('esa');
    expect(out.facts.services).toEqual({});
  });

  it('reports delivery suspension separately', () => {
    const out = parseStatus('System status:   Receiving and Delivery Suspended\n');
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.receivingSuspended).toBe(true);
    expect(out.facts.deliverySuspended).toBe(true);
  });
});
