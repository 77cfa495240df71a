// Prints the normalize stage's conformance against go-libaudit's and Auditbeat's golden files, with every
// difference. The figures are asserted by shipper/src/normalize/conformance.test.ts; deliberate differences
// are explained in shipper/src/normalize/DIFFERENCES.md.
// Run: npx tsx scripts/conformance.ts [--summary]
import { auditbeatConformance, formatReport, goLibauditConformance } from '../shipper/src/normalize/conformance';

const summaryOnly = process.argv.includes('--summary');
for (const r of [goLibauditConformance(), auditbeatConformance()]) {
  const text = formatReport(r);
  console.log(summaryOnly ? text.split('\n')[0] : text);
}
