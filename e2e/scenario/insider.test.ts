import { expect } from 'chai';
import * as net from 'node:net';
import { portHolder } from './insider';

describe('insider scenario: portHolder', () => {
  it('names the process listening on a port, and nothing once it stopped', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const holder = portHolder(port);
      // ss names the listener with its pid: here, this very mocha process.
      expect(holder).to.be.a('string');
      expect(holder).to.include(`pid=${process.pid}`);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(portHolder(port)).to.equal(undefined);
  });
});
