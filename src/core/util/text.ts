// Device strings on a screen: one honest line each. A device names itself, its services, actions
// and files; a newline in a service type would start a forged line in an output channel, a
// right-to-left override turns "photo\u202Egpj.exe" into what reads as "photoexe.jpg", U+2028
// breaks a line where no newline is, ESC starts terminal escape sequences, and `$(zap)` renders as
// an icon in a quick pick. Everything here is linear in its input and never throws.

// C0 and C1 controls, DEL, the line and paragraph separators, and every bidirectional control
// (marks, embeddings, overrides, isolates, the Arabic letter mark).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/** Control, separator and bidi characters made visible as escapes (`\n`, `\e`, `\u202E`). */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Whether `text` holds any character `visible` would escape. */
export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  const found = INVISIBLE.test(text);
  INVISIBLE.lastIndex = 0;
  return found;
}

/**
 * One line for a label, a channel or a message: invisible characters escaped, and at most `max`
 * characters of the original, the rest counted (`… (12,345 more characters)`).
 */
export function oneLine(text: string, max = 500): string {
  if (text.length <= max) return visible(text);
  return `${visible(text.slice(0, max))}… (${(text.length - max).toLocaleString('en-US')} more characters)`;
}

/** `$(name)` would render as an icon where VS Code draws codicons (quick picks, status bar): escaped. */
export function escapeCodicons(text: string): string {
  return text.replace(/\$\(/g, '\\$(');
}

/** For a quick pick's label, description or detail: one line, no icons the device chose. */
export function pickText(text: string, max = 300): string {
  return escapeCodicons(oneLine(text, max));
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])(\..*)?$/i;
// Characters no file system takes (Windows' set), and the invisible ones.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const UNSAFE_IN_NAMES = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A file name suggested from a device string, safe on Windows, macOS and Linux: no path
 * separators, reserved characters or invisible ones, not a reserved device name (CON, NUL.txt, …),
 * no trailing dots or spaces, at most `max` characters (the extension kept), never empty.
 */
export function safeFileName(name: string, fallback = 'file', max = 120): string {
  let safe = name.replace(UNSAFE_IN_NAMES, '_').replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (safe.length > max) {
    const dot = safe.lastIndexOf('.');
    const ext = dot > 0 && safe.length - dot <= 10 ? safe.slice(dot) : '';
    safe = safe.slice(0, max - ext.length).replace(/[\s.]+$/, '') + ext;
  }
  if (safe === '' || /^_+$/.test(safe)) safe = fallback;
  if (WINDOWS_RESERVED.test(safe)) safe = `_${safe}`;
  return safe;
}
