import { parseInterfaceconfig } from '../../../../shared/asyncos/parsers/interfaceconfig';
import { parseListenerconfig } from '../../../../shared/asyncos/parsers/listenerconfig';
import { fixture } from '../fixture';

describe('parseListenerconfig', () => {
  it('reads the listing, joining a wrapped entry', () => {
    const out = parseListenerconfig(fixture('listenerconfig.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.listeners).toHaveLength(3);
    expect(out.facts.listeners[0]).toEqual({
      index: 1,
      name: 'IncomingMail',
      interface: 'Data 1',
      ip: '192.0.2.10',
      protocol: 'SMTP',
      transport: 'TCP',
      port: 25,
      type: 'Public',
    });
    expect(out.facts.listeners[2]).toMatchObject({
      name: 'RelayFromPartners-WithAVeryLongListenerName',
      port: 2525,
    });
  });

  it('refuses output without a listing', () => {
    expect(parseListenerconfig(fixture('status-unknown-command.txt')).ok).toBe(false);
  });

  it('keeps the entries that parse and names the one that does not', () => {
    const text = fixture('listenerconfig.txt').replace(
      /^(\s*)2\.\s.*$/m,
      '$12. CPQ_Listener (on Management, 192.0.2.20) SMTP TCP Port 6025 Private Extra Words',
    );
    const out = parseListenerconfig(text);
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.listeners.map((l) => l.index)).toEqual([1, 3]);
    expect(out.facts.unparsedRows).toHaveLength(1);
    expect(out.facts.unparsedRows[0]).toContain('CPQ_Listener');
    expect(out.warning).toMatch(/^1 listener row does not parse and is left out: ".*CPQ_Listener/);
  });
});

describe('parseInterfaceconfig', () => {
  it('reads interfaces (IPv4 and IPv6) and the cluster machine', () => {
    const out = parseInterfaceconfig(fixture('interfaceconfig-cluster.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.machine).toBe('esa2.example.com');
    expect(out.facts.interfaces).toEqual([
      { name: 'Data 1', ip: '192.0.2.11', netmask: '255.255.255.0', hostname: 'in.esa2.example.com' },
      { name: 'Management', ip: '10.10.10.2', netmask: '255.255.255.0', hostname: 'esa2.example.com' },
      { name: 'v6only', ip: '2001:db8::11', netmask: '/64', hostname: 'v6.esa2.example.com' },
    ]);
  });

  it('refuses output without a listing', () => {
    expect(parseInterfaceconfig('Unknown command or missing feature key: interfaceconfg\n').ok).toBe(false);
  });
});
