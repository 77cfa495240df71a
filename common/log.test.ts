import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger } from './log';

describe('logger', () => {
  it('writes ECS JSON and never the secrets it is handed', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const log = createLogger('test', 'info', sink as never);
    log.info({ conn: { url: 'http://es:9200', password: 'hunter2', apiKey: 'c2VjcmV0' } }, 'connecting');
    const doc = JSON.parse(lines[0]);
    expect(doc['ecs.version']).to.match(/^\d+\./);
    expect(doc.message).to.equal('connecting');
    expect(doc['log.level']).to.equal('info');
    expect(lines[0]).to.not.contain('hunter2');
    expect(lines[0]).to.not.contain('c2VjcmV0');
    expect(doc.conn.url).to.equal('http://es:9200');
  });
});
