// Which interface an IPv6 node's pheromones go out on. An IPv6 multicast group is joined and sent to
// per interface (a link-local group needs its scope, "ff12::ce11%eth0"), so the node picks the
// interface that holds its bind address; for "::" the first interface with a global or unique-local
// IPv6 address. Loopback is left out: Linux delivers no IPv6 multicast on lo.
import { networkInterfaces } from 'node:os';

type Interfaces = ReturnType<typeof networkInterfaces>;

/** The interface for an IPv6 bind address (or `asked`, an interface name), or undefined if none can carry multicast. */
export function ipv6MulticastInterface(host: string, asked?: string, interfaces: Interfaces = networkInterfaces()): string | undefined {
  if (asked !== undefined) {
    if (!interfaces[asked]?.some((a) => a.family === 'IPv6')) throw new Error(`multicast interface ${asked}: no such interface with an IPv6 address (${Object.keys(interfaces).join(', ')})`);
    return asked;
  }
  const bare = host.replace(/%.*$/, '').toLowerCase();
  const scoped = /%(.+)$/.exec(host)?.[1];
  for (const [name, addrs] of Object.entries(interfaces)) {
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv6' || a.internal) continue;
      if (bare === '::' ? !a.address.toLowerCase().startsWith('fe80') : a.address.toLowerCase() === bare && (scoped === undefined || scoped === name)) return name;
    }
  }
  return undefined;
}
