// AUDIT_ARCH_* values (linux/audit.h: EM_* machine | 64BIT | LE flags) -> the names go-libaudit and ausyscall use.
// Small and stable, so kept by hand; keys are the lowercase hex text exactly as the kernel prints `arch=`.
export const ARCH_NAMES: Readonly<Record<string, string>> = {
  c00000b7: 'aarch64',
  '40000028': 'arm',
  '28': 'armeb',
  '40000003': 'i386',
  c0000032: 'ia64',
  '8': 'mips',
  '80000008': 'mips64',
  a0000008: 'mips64n32',
  '40000008': 'mipsel',
  c0000008: 'mipsel64',
  e0000008: 'mipsel64n32',
  '14': 'ppc',
  '80000015': 'ppc64',
  c0000015: 'ppc64le',
  c00000f3: 'riscv64',
  '400000f3': 'riscv32',
  '16': 's390',
  '80000016': 's390x',
  '2': 'sparc',
  '8000002b': 'sparc64',
  c000003e: 'x86_64',
};

/** `c000003e` -> `x86_64`; unknown values keep go-libaudit's `unknown[hex]` form so they stay searchable. */
export function archName(hex: string): string | undefined {
  const direct = ARCH_NAMES[hex];
  if (direct !== undefined) return direct;
  const key = hex.toLowerCase().replace(/^0x/, '').replace(/^0+(?=.)/, '');
  const name = ARCH_NAMES[key];
  if (name !== undefined) return name;
  const n = parseInt(key, 16);
  return Number.isNaN(n) ? undefined : `unknown[${n.toString(16)}]`;
}
