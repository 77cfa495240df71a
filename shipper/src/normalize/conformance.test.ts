import { expect } from 'chai';
import { auditbeatConformance, goLibauditConformance } from './conformance';

// Agreed figures (see DIFFERENCES.md for every remaining difference). A change here is a behaviour change.
describe('normalize conformance', () => {
  it('go-libaudit aucoalesce goldens: 48/48 events match field by field', () => {
    const r = goLibauditConformance();
    expect({ events: r.events, exact: r.exactMatches, fields: r.fieldsCompared, diffs: r.differences }).to.deep.equal({
      events: 48,
      exact: 48,
      fields: 1778,
      diffs: [],
    });
  });
  it('Auditbeat goldens: 47/48 events match; the one difference is the documented empty session', () => {
    const r = auditbeatConformance();
    expect({ events: r.events, exact: r.exactMatches, fields: r.fieldsCompared }).to.deep.equal({ events: 48, exact: 47, fields: 1595 });
    expect(r.differences).to.deep.equal([{ event: 'auditlogin.log#2', field: 'auditd.session', ours: undefined, theirs: '' }]);
  });
});
