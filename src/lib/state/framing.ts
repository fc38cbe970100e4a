/**
 * True when the page runs inside a frame of any origin. Headers (static/_headers, vercel.json, the server
 * lines in docs/security-headers.md) forbid framing where the host can send them; a meta CSP cannot
 * (frame-ancestors is ignored there), so the app itself refuses to run framed: it renders only a notice,
 * which no overlaid page can turn into a click on a real control (clickjacking).
 */
export function isFramed(win: { top: unknown; self: unknown } | undefined = globalThis.window): boolean {
  if (!win) return false;
  try {
    return win.top !== win.self;
  } catch {
    // Comparing never throws in browsers; if it ever did, assume the worst.
    return true;
  }
}
