import { shorten } from '../../findings';
import type { ScanContext } from '../types';
import type { ConfigString } from './walk';

const CREDENTIAL_KEY =
  /(?:^|[_-])(?:api[_-]?key|secret(?:[_-]?key)?|password|passwd|access[_-]?token|auth[_-]?token|private[_-]?key|client[_-]?secret)$/i;
const SHELL_COMMAND =
  /\brm\s+-[a-z]*r[a-z]*f?\s+\/|\b(?:curl|wget)\b[^|;]*\|\s*(?:ba|z)?sh\b|\bnc\s+-[a-z]*e\b|\/bin\/(?:ba|z)?sh\s+-c\b|\bpowershell(?:\.exe)?\s+-(?:enc|e|c)\b|\bchmod\s+\+x\b/i;

function redact(value: string): string {
  return value.length <= 4 ? '****' : `${value.slice(0, 4)}…(${value.length} chars)`;
}

/** Secrets and shell commands sitting in a model's config: never executed by loaders, but a red flag. */
export function reportConfigStrings(strings: readonly ConfigString[], ctx: ScanContext): void {
  const credentials = strings.filter((s) => CREDENTIAL_KEY.test(s.key) && s.value.trim().length >= 8);
  if (credentials.length > 0) {
    ctx.report({
      ruleId: 'config.embedded-credential',
      severity: 'medium',
      title: 'Config holds what looks like a credential',
      message: `${credentials.length} value(s) under credential-like keys (${shorten(credentials.map((c) => c.path).join(', '), 160)}). A model config has no reason to carry secrets: it may leak one, or point the model's code at someone else's service.`,
      evidence: {
        details: Object.fromEntries(
          credentials.slice(0, 10).map((c) => [shorten(c.path, 80), redact(c.value)])
        )
      }
    });
  }
  const commands = strings.filter((s) => SHELL_COMMAND.test(s.value));
  if (commands.length > 0) {
    ctx.report({
      ruleId: 'config.shell-command',
      severity: 'medium',
      title: 'Config holds a shell command',
      message: `${commands.length} value(s) look like destructive or download-and-run shell commands (${shorten(commands.map((c) => c.path).join(', '), 160)}). Loaders do not run config values, but code shipped with the model might.`,
      evidence: { excerpt: shorten(commands[0].value, 200), details: { key: shorten(commands[0].path, 80) } }
    });
  }
}
