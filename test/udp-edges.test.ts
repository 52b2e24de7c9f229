// The UDP transport's edges against a stranger on loopback (issue 12): what it binds (finding 3),
// how much it remembers of forged senders (finding 5), names that do not resolve (finding 7),
// and IPv6.
import test from 'ava';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { UdpTransport, ADDRESS_CAP, localAddressFor } from '../host/transport/udp-transport.ts';
import { Inbox, frameTo } from './transport-conformance.ts';
import { networkInterfaces } from 'node:os';
import { ipv6MulticastInterface } from '../host/transport/ipv6-multicast.ts';
import { BROADCAST } from '../host/wire/header.ts';

/** A group port nobody else on the machine is likely to use while the tests run. */
const groupPort = () => 20000 + Math.floor(Math.random() * 20000);

function rawSocket(type: 'udp4' | 'udp6' = 'udp4', host = '127.0.0.1'): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  return new Promise((resolve) => s.bind(0, host, () => resolve(s)));
}

function sendRaw(s: dgram.Socket, bytes: Uint8Array, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => s.send(bytes, port, address, (err) => (err ? reject(err) : resolve())));
}

test.serial('issue 12 finding 3: a loopback node\'s multicast socket takes group traffic only, not a unicast to the group port', async (t) => {
  const group = { address: '239.255.67.77', port: groupPort() };
  // The only socket on the group port: a unicast to the port would reach it if it were bound to 0.0.0.0.
  const node = await UdpTransport.open({ port: 0, multicast: group });
  const raw = await rawSocket();
  raw.setMulticastInterface('127.0.0.1');
  raw.setMulticastLoopback(true);
  try {
    t.is(node.stats.groupBind, `${group.address}:${group.port}`, 'bound to the group address, not 0.0.0.0');
    const inbox = new Inbox(node);
    // A stranger's unicast CALL to the group port (the LAN attacker, here on loopback).
    await sendRaw(raw, frameTo(0, 0x0bad, 1, new Uint8Array([1])), group.port, '127.0.0.1');
    // A pheromone sent to the group does arrive.
    await sendRaw(raw, frameTo(0xffffffff, 0x0a, 2, new Uint8Array([2])), group.port, group.address);
    const [first] = await inbox.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    t.is(inbox.frames.length, 1, 'only the multicast frame was delivered');
    t.is(Buffer.from(first!).readUInt32LE(4), 0x0a);
  } finally {
    raw.close();
    await node.close();
  }
});

test.serial('issue 12 finding 5: 100,000 forged source ids keep the address table at its cap', async (t) => {
  const node = await UdpTransport.open({ port: 0, multicast: false });
  const raw = await rawSocket();
  try {
    const port = node.address.port;
    const forged = 100_000;
    for (let i = 0; i < forged; i += 200) {
      // Batches of 200, each let in before the next, so the socket buffer is not what is measured.
      await Promise.all(Array.from({ length: 200 }, (_, k) => sendRaw(raw, frameTo(0x5e5e5e5e, 0x10000 + i + k, 1, new Uint8Array(0)), port, '127.0.0.1')));
      const until = Date.now() + 200;
      while (node.stats.framesIn < i + 200 && Date.now() < until) await new Promise((r) => setImmediate(r));
    }
    // Loopback may drop a few datagrams under load; every one that arrived taught a new id.
    const deadline = Date.now() + 5000;
    while (node.stats.framesIn < forged && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const s = node.stats;
    t.true(s.framesIn > forged * 0.9, `${s.framesIn} of ${forged} datagrams arrived`);
    t.deepEqual(s.addresses, { size: ADDRESS_CAP, cap: ADDRESS_CAP, evictions: s.framesIn - ADDRESS_CAP });
  } finally {
    raw.close();
    await node.close();
  }
});

test.serial('issue 12 finding 7: a peer name that does not resolve is a clear error at open, and a failing send later is counted, not a crash', async (t) => {
  await t.throwsAsync(UdpTransport.open({ port: 0, multicast: false, seeds: [{ address: 'nosuch.invalid', port: 4700 }] }), { message: /cannot resolve peer "nosuch\.invalid"/ });
  const node = await UdpTransport.open({ port: 0, multicast: false, seeds: [{ address: 'localhost', port: 9 }] });
  const real = dns.lookup;
  try {
    // The name stops resolving after start (a DNS outage): the send fails on the socket.
    (dns as { lookup: unknown }).lookup = (_h: string, _f: number, done: (e: Error) => void) => done(Object.assign(new Error('getaddrinfo ENOTFOUND localhost'), { code: 'ENOTFOUND' }));
    node.send(frameTo(0x5e, 0x0a, 1, new Uint8Array(0)));
    const deadline = Date.now() + 5000;
    while (node.stats.socketErrors === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    t.is(node.stats.socketErrors, 1);
    t.regex(String(node.lastError?.message), /ENOTFOUND/);
  } finally {
    (dns as { lookup: unknown }).lookup = real;
    await node.close();
  }
});

test.serial('IPv6: two nodes on ::1 exchange frames, fragments included; clients bind the interface that reaches a peer', async (t) => {
  const b = await UdpTransport.open({ host: '::1', port: 0 });
  const a = await UdpTransport.open({ host: '::1', port: 0, seeds: [b.address] });
  try {
    t.is(b.address.address, '::1');
    t.is(b.stats.groupBind, '', 'no multicast discovery on IPv6 loopback');
    const atB = new Inbox(b);
    const small = frameTo(0x0b, 0x0a, 1, new Uint8Array([1, 2, 3]));
    const big = frameTo(0x0b, 0x0a, 2, Uint8Array.from({ length: 65_510 }, (_, i) => i & 0xff)); // over the loopback datagram: fragments
    a.send(small);
    a.send(big);
    t.deepEqual(await atB.waitFor(2), [small, big]);
    // b learned a's address from its frames and answers it directly.
    const atA = new Inbox(a);
    const back = frameTo(0x0a, 0x0b, 3, new Uint8Array([4]));
    b.send(back);
    t.deepEqual(await atA.waitFor(1), [back]);
    t.is(await localAddressFor({ address: '::1', port: 4700 }), '::1');
    t.is(await localAddressFor({ address: '127.0.0.1', port: 4700 }), '127.0.0.1');
    await t.throwsAsync(UdpTransport.open({ host: '::1', port: 0, multicast: { address: '239.1.2.3', port: 4747 } }), { message: /not of the bind address ::1's family \(give an IPv6 group/ });
    await t.throwsAsync(UdpTransport.open({ port: 0, multicast: false, seeds: [{ address: '::1', port: 4700 }] }), { message: /peer ::1 is IPv6 but this node's socket is IPv4/ });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('IPv6 multicast: the interface is the one holding the bind address; "::" takes the first with a routable IPv6 address; lo and unknown names are refused', (t) => {
  const table = {
    lo: [{ address: '::1', netmask: '', family: 'IPv6', mac: '', internal: true, cidr: null, scopeid: 0 }],
    eth0: [
      { address: 'fe80::1', netmask: '', family: 'IPv6', mac: '', internal: false, cidr: null, scopeid: 2 },
      { address: 'fd00::2', netmask: '', family: 'IPv6', mac: '', internal: false, cidr: null, scopeid: 0 },
    ],
    wlan0: [{ address: 'fe80::9', netmask: '', family: 'IPv6', mac: '', internal: false, cidr: null, scopeid: 3 }],
  } as unknown as ReturnType<typeof networkInterfaces>;
  t.is(ipv6MulticastInterface('fd00::2', undefined, table), 'eth0');
  t.is(ipv6MulticastInterface('fe80::9%wlan0', undefined, table), 'wlan0');
  t.is(ipv6MulticastInterface('fe80::9%eth0', undefined, table), undefined, 'the scope must match the interface');
  t.is(ipv6MulticastInterface('::', undefined, table), 'eth0');
  t.is(ipv6MulticastInterface('::1', undefined, table), undefined, 'no IPv6 multicast on loopback');
  t.is(ipv6MulticastInterface('::1', 'wlan0', table), 'wlan0');
  t.throws(() => ipv6MulticastInterface('::', 'eth9', table), { message: /multicast interface eth9: no such interface/ });
});

test.serial('IPv6 multicast: two nodes on this machine\'s IPv6 address hear each other\'s pheromones through the link-local group', async (t) => {
  const iface = ipv6MulticastInterface('::');
  const host = iface ? networkInterfaces()[iface]!.find((a) => a.family === 'IPv6' && !a.address.startsWith('fe80'))!.address : '::1';
  const group = { address: 'ff12::ce11', port: groupPort() };
  const a = await UdpTransport.open({ host, port: 0, multicast: group });
  const b = await UdpTransport.open({ host, port: 0, multicast: group });
  try {
    if (!iface) {
      // A machine with IPv6 on loopback only: no discovery, said plainly (cell run prints it too).
      t.log('no interface with a routable IPv6 address: checked the fallback only');
      t.is(a.stats.groupBind, '');
      return;
    }
    t.is(a.stats.groupBind, `ff12::ce11%${iface}:${group.port}`);
    const atB = new Inbox(b);
    const pheromone = frameTo(BROADCAST, 0x0a, 1, new Uint8Array([7, 7]));
    a.send(pheromone);
    t.deepEqual(await atB.waitFor(1), [pheromone]);
    // As with IPv4 (finding 3): the group socket is bound to the group, so a unicast to the group port is not delivered.
    const raw = await rawSocket('udp6', host);
    await sendRaw(raw, frameTo(0, 0x0bad, 2, new Uint8Array([1])), group.port, host);
    const after = frameTo(BROADCAST, 0x0a, 3, new Uint8Array([8]));
    a.send(after);
    t.deepEqual(await atB.waitFor(2), [pheromone, after], 'the unicast to the group port never arrived');
    raw.close();
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
