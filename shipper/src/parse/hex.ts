// Hex helpers for the values the kernel and audit user space write hex-encoded (audit_log_n_hex,
// audit_encode_nv_string): always uppercase, two digits per byte, so lowercase or odd-length text is
// never taken for hex. Decoding goes through Buffer (native) rather than a JS loop: this is the hot path.

/** True for a non-empty, even-length run of [0-9A-F] (the only alphabet audit's hex encoders emit). */
export function isUpperHex(s: string): boolean {
  const n = s.length;
  if (n === 0 || (n & 1) === 1) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 70 || c < 48 || (c > 57 && c < 65)) return false;
  }
  return true;
}

/** Bytes of a hex string (caller checked it with isUpperHex, or accepts Buffer's lenient decoding). */
export function hexToBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

/** Hex to UTF-8 text, as is (NULs kept). Invalid UTF-8 becomes U+FFFD, as Go's JSON encoding does. */
export function hexToText(hex: string): string {
  return Buffer.from(hex, 'hex').toString('utf8');
}

/** Hex to text with NUL separators turned into spaces, trailing NULs dropped (go-libaudit's hexToStrings joined by " "). */
export function hexToSpacedText(hex: string): string {
  const s = hexToText(hex);
  return s.indexOf('\0') === -1 ? s : trimTrailingNul(s).replace(/\0/g, ' ');
}

/** Hex to text cut at the first NUL (go-libaudit's hexToString, used for EXECVE arguments). */
export function hexToCString(hex: string): string {
  const s = hexToText(hex);
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

/** NUL-separated argv (PROCTITLE) from hex; a trailing NUL does not make an empty last argument. */
export function hexToArgv(hex: string): string[] {
  return trimTrailingNul(hexToText(hex)).split('\0');
}

function trimTrailingNul(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0) end--;
  return end === s.length ? s : s.slice(0, end);
}
