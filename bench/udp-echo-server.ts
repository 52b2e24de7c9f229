// The baseline's far end: a raw dgram echo server, no Cell code at all.
import dgram from 'node:dgram';

const s = dgram.createSocket('udp4');
s.on('message', (m, r) => s.send(m, r.port, r.address));
s.bind(0, '127.0.0.1', () => process.stdout.write(`listening ${s.address().port}\n`));
