import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataViews, dataViewsNdjson } from './saved-objects';

describe('Kibana saved objects', () => {
  it('ships kibana/auditsight-data-views.ndjson exactly as generated', () => {
    const file = fs.readFileSync(path.join(__dirname, '..', 'kibana', 'auditsight-data-views.ndjson'), 'utf8');
    expect(file).to.equal(dataViewsNdjson());
    for (const line of file.trim().split('\n')) expect(JSON.parse(line)).to.include({ type: 'index-pattern' });
  });

  it('names one namespace exactly, per variant', () => {
    expect(dataViews({ namespace: 'prod' }).map((v) => v.attributes.title)).to.deep.equal(['auditsight-events-prod', '.auditsight-alerts-prod']);
    expect(dataViews({ namespace: 'prod', variant: 'full' })[0]).to.deep.include({ id: 'auditsight-events-prod', attributes: { title: 'logs-auditsight.events-prod', name: 'auditsight events (prod)', timeFieldName: '@timestamp' } });
  });
});
