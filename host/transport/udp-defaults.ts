// UDP addresses the CLI needs without opening sockets.
export interface UdpAddress {
  address: string;
  port: number;
}

/** Cell's LAN pheromone group (administratively scoped, 239/8) and port. */
export const DEFAULT_MULTICAST: UdpAddress = { address: '239.255.67.76', port: 4746 };

/** The same for IPv6 nodes: a transient, link-local group (ff12::/16), sent on the bind address's interface. */
export const DEFAULT_MULTICAST6: UdpAddress = { address: 'ff12::ce11', port: 4746 };
