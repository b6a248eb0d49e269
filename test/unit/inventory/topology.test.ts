/** The CPQ topology of an inventory: who sends quarantined mail to whom, path pairs, groups, ports. */
import {
  cpqPairs,
  cpqPortsOf,
  esasOf,
  fleetCpqPorts,
  pathGroups,
  peersOf,
  smaOf,
} from '../../../shared/inventory/topology';
import { inventoryOf, named, names } from './fixtures';

/**
 * Two SMAs: sma1 with esa1, esa2 (disabled) and esa4; sma2 (disabled) with esa3. esa5 sends to
 * no SMA; sma3 has no ESA.
 */
function fleet() {
  return inventoryOf([
    { name: 'esa1', role: 'esa', host: '10.0.0.21', quarantine: { sma: 'sma1' } },
    { name: 'sma1', role: 'sma', host: '10.0.0.10' },
    {
      name: 'esa2',
      role: 'esa',
      host: '10.0.0.22',
      quarantine: { sma: 'sma1' },
      cpqPort: 7031,
      enabled: false,
    },
    { name: 'sma2', role: 'sma', host: '10.0.0.11', enabled: false },
    { name: 'esa3', role: 'esa', host: '10.0.0.23', quarantine: { sma: 'sma2' } },
    { name: 'esa4', role: 'esa', host: '10.0.0.24', quarantine: { sma: 'sma1', port: 7026 }, cpqPort: 7030 },
    { name: 'esa5', role: 'esa', host: '10.0.0.25' },
    { name: 'sma3', role: 'sma', host: '10.0.0.12', cpqPort: 7027 },
  ]);
}

describe('esasOf', () => {
  it("gives an SMA's enabled ESAs in inventory order, and with `all` the disabled ones too", () => {
    const inv = fleet();
    expect(names(esasOf(inv, 'sma1'))).toEqual(['esa1', 'esa4']);
    expect(names(esasOf(inv, 'sma1', 'all'))).toEqual(['esa1', 'esa2', 'esa4']);
    expect(names(esasOf(inv, 'sma3'))).toEqual([]);
  });

  it('gives none for a name that is not an SMA of the inventory', () => {
    expect(esasOf(fleet(), 'esa1')).toEqual([]);
    expect(esasOf(fleet(), 'nowhere')).toEqual([]);
  });
});

describe('smaOf', () => {
  it('gives the SMA an ESA sends to; a disabled SMA only with `all`', () => {
    const inv = fleet();
    expect(smaOf(inv, named(inv, 'esa1'))?.name).toBe('sma1');
    expect(smaOf(inv, named(inv, 'esa3'))).toBeUndefined();
    expect(smaOf(inv, named(inv, 'esa3'), 'all')?.name).toBe('sma2');
  });

  it('gives none for an SMA or an ESA that sends to no SMA', () => {
    const inv = fleet();
    expect(smaOf(inv, named(inv, 'sma1'))).toBeUndefined();
    expect(smaOf(inv, named(inv, 'esa5'), 'all')).toBeUndefined();
  });
});

describe('peersOf', () => {
  it('gives an SMA its ESAs and an ESA its SMA, enabled ones unless `all`', () => {
    const inv = fleet();
    expect(names(peersOf(inv, named(inv, 'sma1')))).toEqual(['esa1', 'esa4']);
    expect(names(peersOf(inv, named(inv, 'sma1'), 'all'))).toEqual(['esa1', 'esa2', 'esa4']);
    expect(names(peersOf(inv, named(inv, 'esa4')))).toEqual(['sma1']);
    expect(names(peersOf(inv, named(inv, 'esa3')))).toEqual([]);
    expect(names(peersOf(inv, named(inv, 'esa3'), 'all'))).toEqual(['sma2']);
    expect(peersOf(inv, named(inv, 'esa5'))).toEqual([]);
  });

  it("gives a disabled SMA's ESAs too (the disabled one is the target, not the peers)", () => {
    const inv = fleet();
    expect(names(peersOf(inv, named(inv, 'sma2')))).toEqual(['esa3']);
  });
});

describe('cpqPairs', () => {
  it('pairs every enabled ESA with its enabled SMA, in ESA order, and nothing else', () => {
    const pairs = cpqPairs(fleet()).map((p) => [p.esa.name, p.sma.name]);
    expect(pairs).toEqual([
      ['esa1', 'sma1'],
      ['esa4', 'sma1'],
    ]);
  });
});

describe('pathGroups', () => {
  it('groups each enabled SMA with its enabled ESAs, then every other enabled appliance alone', () => {
    const groups = pathGroups(fleet()).map(names);
    expect(groups).toEqual([['sma1', 'esa1', 'esa4'], ['sma3'], ['esa3'], ['esa5']]);
  });

  it('leaves disabled appliances out entirely', () => {
    const all = pathGroups(fleet())
      .flat()
      .map((a) => a.name);
    expect(all).not.toContain('esa2');
    expect(all).not.toContain('sma2');
  });
});

describe('cpqPortsOf', () => {
  it("gives an ESA its listener's port and the port it sends to, sorted and once each", () => {
    const inv = fleet();
    expect(cpqPortsOf(named(inv, 'esa4'))).toEqual([7026, 7030]);
    expect(cpqPortsOf(named(inv, 'esa1'))).toEqual([7025]);
  });

  it('adds on an SMA the listeners of the enabled ESAs it releases to, when given the inventory', () => {
    const inv = fleet();
    expect(cpqPortsOf(named(inv, 'sma1'))).toEqual([7025]);
    // esa2 is disabled: its 7031 is not among them.
    expect(cpqPortsOf(named(inv, 'sma1'), inv)).toEqual([7025, 7030]);
    expect(cpqPortsOf(named(inv, 'sma3'), inv)).toEqual([7027]);
  });
});

describe('fleetCpqPorts', () => {
  it("holds every listener's port and every port an ESA sends to, monitored or not", () => {
    const inv = inventoryOf([
      { name: 'sma1', role: 'sma', host: '10.0.0.10', cpqPort: 7100 },
      { name: 'esa1', role: 'esa', host: '10.0.0.21', quarantine: { sma: 'sma1', port: 7101 } },
      { name: 'esa2', role: 'esa', host: '10.0.0.22', cpqPort: 7102, enabled: false },
    ]);
    expect([...fleetCpqPorts(inv)].sort((x, y) => x - y)).toEqual([7025, 7100, 7101, 7102]);
  });
});

describe('the topology of a changed copy', () => {
  it('answers for the copy, not for the inventory it was copied from', () => {
    const inv = fleet();
    expect(smaOf(inv, named(inv, 'esa5'))).toBeUndefined();
    // The same ESA now sends to sma3 (a copy with other appliances, as a lab or a test makes).
    const moved = {
      ...inv,
      appliances: inv.appliances.map((a) =>
        a.name === 'esa5' ? { ...a, quarantine: { sma: 'sma3', port: 7027 } } : a,
      ),
    };
    expect(smaOf(moved, named(moved, 'esa5'))?.name).toBe('sma3');
    expect(names(esasOf(moved, 'sma3'))).toEqual(['esa5']);
    expect(names(esasOf(inv, 'sma3'))).toEqual([]);
  });
});
