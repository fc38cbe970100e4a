/**
 * Attacker text (file and member names, metadata, manifests, advisories, policy ids) on its way into a
 * human-readable output: a terminal, a Markdown report, a suggested shell command. One module, so every
 * output escapes the same characters the same way.
 */

/**
 * Characters that change how text is displayed rather than what it says: C0 controls (newline, carriage
 * return, ESC of ANSI sequences, BEL…), DEL, C1 controls (0x9b is a one-byte CSI), Unicode format characters
 * (bidi embeddings, overrides and isolates, zero-width characters, the BOM) and line/paragraph separators.
 */
const DISPLAY_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/gu;
/** The bidi controls alone (embeddings, overrides, isolates, marks): what reorders a name on screen. */

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeUnit(ch: string): string {
  if (SHORT[ch]) return SHORT[ch];
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** True when the text holds a character `terminalText` would escape. */
export function hasDisplayControls(text: string): boolean {
  DISPLAY_CONTROLS.lastIndex = 0;
  const found = DISPLAY_CONTROLS.test(text);
  DISPLAY_CONTROLS.lastIndex = 0;
  return found;
}

/**
 * One line of terminal text: every display control becomes a visible JSON-style escape (`\n`, `\r`, `\t`,
 * `\u001b`, `\u202e`), so a name can neither start a new line, move the cursor, set the title nor reorder
 * what follows it. JSON-style, so the same escape is also valid inside a JSON string.
 */
export function terminalText(text: string): string {
  return text.replace(DISPLAY_CONTROLS, escapeUnit);
}

/**
 * Escapes terminal output that is already laid out in lines (a table, a JSON document): newlines and tabs
 * stay, every other display control is escaped. A safety net for whole outputs; fields must still go through
 * `terminalText`, since only there is a newline known to be part of a name.
 */
export function terminalLines(text: string): string {
  return text.replace(DISPLAY_CONTROLS, (ch) => (ch === '\n' || ch === '\t' ? ch : escapeUnit(ch)));
}

/**
 * Inline Markdown text (a paragraph, a list item, a table cell, a heading): control characters as in
 * `terminalText` (a lone "\r" would otherwise end the line and let "~~~" open a code block), then every
 * character with Markdown meaning, including `|` (tables) and `&` (entities such as `&#x202e;`).
 */
export function markdownText(text: string): string {
  return terminalText(text)
    .replace(/[\\`*_{}[\]<>|#~&!]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+=]|\d+[.)])/, (_m, space: string, mark: string) =>
      mark.length > 1 ? `${space}${mark.slice(0, -1)}\\${mark.slice(-1)}` : `${space}\\${mark}`
    );
}

function longestRun(text: string, ch: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** An inline code span that no backtick in the text can close (not for table cells: `|` still splits those). */
export function markdownCode(text: string): string {
  const body = terminalText(text);
  const fence = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * A fenced code block around one line of text (a command): its controls are escaped, so it stays one line,
 * and the fence is longer than any run of backticks in it, so nothing inside can close it.
 */
export function markdownFence(text: string, info = ''): string {
  const body = terminalText(text);
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/** Words that no POSIX shell rewrites ("=" is quoted too: zsh expands a leading one, and "a==1" reads better quoted). */
const SHELL_SAFE = /^[A-Za-z0-9_@%+:,./-]+$/;

/** One POSIX shell word: plain when it is only safe characters, otherwise single-quoted (' as '\''). */
export function shellQuote(value: string): string {
  if (SHELL_SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A command line from its words, each quoted as needed. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

const CONTROL_NAMES: Record<number, string> = {
  0x061c: 'ALM',
  0x200b: 'ZWSP',
  0x200c: 'ZWNJ',
  0x200d: 'ZWJ',
  0x200e: 'LRM',
  0x200f: 'RLM',
  0x202a: 'LRE',
  0x202b: 'RLE',
  0x202c: 'PDF',
  0x202d: 'LRO',
  0x202e: 'RLO',
  0x2066: 'LRI',
  0x2067: 'RLI',
  0x2068: 'FSI',
  0x2069: 'PDI',
  0xfeff: 'BOM',
  0x0a: 'LF',
  0x0d: 'CR',
  0x09: 'TAB',
  0x1b: 'ESC'
};

export interface DisplaySegment {
  /** Plain text, or for a control the visible label shown in its place ("U+202E RLO"). */
  text: string;
  control: boolean;
}

/**
 * A name split for display: each display control is replaced by a visible label, so it neither acts (a
 * bidi override reversing what follows) nor hides. `keepNewlines` leaves line breaks for preformatted text.
 */
export function displaySegments(text: string, keepNewlines = false): DisplaySegment[] {
  const out: DisplaySegment[] = [];
  let plain = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const isControl = hasDisplayControls(ch) && !(keepNewlines && (ch === '\n' || ch === '\t'));
    if (!isControl) {
      plain += ch;
      continue;
    }
    if (plain) out.push({ text: plain, control: false });
    plain = '';
    const hex = code.toString(16).toUpperCase().padStart(4, '0');
    out.push({ text: `U+${hex}${CONTROL_NAMES[code] ? ` ${CONTROL_NAMES[code]}` : ''}`, control: true });
  }
  if (plain) out.push({ text: plain, control: false });
  return out;
}
