import { LoopbackHub } from '../host/transport/loopback-transport.ts';
import { transportConformance } from './transport-conformance.ts';

transportConformance('loopback', async () => {
  const hub = new LoopbackHub();
  const a = hub.attach(1);
  const b = hub.attach(2);
  return {
    a, b, aId: 1, bId: 2, maxFrame: 20 + 0xffff,
    injectRaw: async (bytes) => b.receive(bytes),
    close: async () => { await a.close(); await b.close(); },
  };
});
