/**
 * The headers every console response carries. The page runs only its own scripts and styles
 * (no inline code, nothing from another origin), talks only to this origin, cannot be framed,
 * and sends no Referer: a key typed into it cannot leave through the page.
 */

/** Only same-origin scripts, styles and API calls; no plugin, frame, form target or base URL. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The CSP, no framing, no Referer, no type sniffing, and no other origin's window or page using it. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONSOLE_CSP,
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};
