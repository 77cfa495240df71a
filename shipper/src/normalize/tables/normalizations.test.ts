import { expect } from 'chai';
import * as fs from 'node:fs';
import YAML from 'yaml';
import { corpusPath } from '../../../../test/corpora';
import { buildTables } from '../apply-normalization';
import { fromYamlEntry } from './normalization-yaml';
import { NORMALIZATIONS } from './normalizations.data';

describe('normalizations vocabulary', () => {
  it('agrees entry by entry with go-libaudit normalizations.yaml (re-run scripts/gen-normalizations.ts on drift)', () => {
    const doc = YAML.parse(fs.readFileSync(corpusPath('go-libaudit', 'aucoalesce', 'normalizations.yaml'), 'utf8'), { merge: true }) as {
      normalizations: Array<Record<string, unknown>>;
    };
    expect(NORMALIZATIONS.length).to.equal(doc.normalizations.length);
    doc.normalizations.forEach((n, i) => expect(NORMALIZATIONS[i], `entry ${i} (${String(n.action)})`).to.deep.equal(fromYamlEntry(n)));
  });
  it('loads without duplicate syscalls or unqualified duplicate record types', () => {
    const t = buildTables(NORMALIZATIONS);
    expect(t.bySyscall.get('execve')?.entry.action).to.equal('executed');
    expect(t.bySyscall.get('*')).to.not.equal(undefined);
    expect(t.byRecordType.get('AVC')).to.have.length(2);
  });
});
