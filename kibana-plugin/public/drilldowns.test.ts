import { expect } from 'chai';
import { consoleTemplate, DRILLDOWN_TEMPLATES, renderDrilldownUrl } from './drilldowns';
import { parseHash } from './app/nav';

const HOSTILE = '/tmp/<img src=x onerror=alert(1)>#/process/other?x=1&y=2';

describe('kibana-plugin URL drilldown templates', () => {
  it('encode the clicked value as one URL component', () => {
    const url = renderDrilldownUrl(DRILLDOWN_TEMPLATES.pivot, { kibanaUrl: 'https://kibana.example', event: { value: HOSTILE } });
    expect(url).to.equal('https://kibana.example/app/auditsight#/search?q=%2Ftmp%2F%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%23%2Fprocess%2Fother%3Fx%3D1%26y%3D2');
    // The app reads back exactly the value, not a different route.
    expect(parseHash(new URL(url).hash)).to.deep.equal({ page: 'search', q: HOSTILE });
  });

  it('open process and session pages by entity id', () => {
    const id = 'ZDA5NzQ0MTc+Y2Vk/==';
    const p = renderDrilldownUrl(DRILLDOWN_TEMPLATES.process, { kibanaUrl: 'https://k', event: { value: id } });
    expect(p).to.equal('https://k/app/auditsight#/process/ZDA5NzQ0MTc%2BY2Vk%2F%3D%3D');
    expect(parseHash(new URL(p).hash)).to.deep.equal({ page: 'process', id, tab: undefined });
    const s = renderDrilldownUrl(DRILLDOWN_TEMPLATES.session, { kibanaUrl: 'https://k', event: { value: 'abc' } });
    expect(parseHash(new URL(s).hash)).to.deep.equal({ page: 'session', id: 'abc' });
  });

  it('point at a standalone console too', () => {
    const t = consoleTemplate('process', 'http://127.0.0.1:5602/');
    expect(t).to.equal('http://127.0.0.1:5602/#/process/{{encodeURIComponent event.value}}');
    expect(renderDrilldownUrl(t, { event: { value: 'a/b' } })).to.equal('http://127.0.0.1:5602/#/process/a%2Fb');
    expect(() => consoleTemplate('process', 'javascript:alert(1)')).to.throw();
  });

  it('refuse templates that would not yield an http(s) URL or use unknown helpers', () => {
    expect(() => renderDrilldownUrl('javascript:{{event.value}}', { event: { value: 'alert(1)' } })).to.throw('http(s)');
    expect(() => renderDrilldownUrl('https://k/{{rison event}}', { event: { value: 'x' } })).to.throw();
  });
});
