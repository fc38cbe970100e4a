import { terminalText } from '../core/report/escape';
import { SAFELOAD_VERSION } from '../core/version';
import { CliError, reportCliError } from './errors';
import { EXIT, guardedIo, type Io } from './io';

type Command = (argv: string[], io: Io) => Promise<number>;

/** Each command's module loads when it runs, so start-up (`--version`, `--help`) loads none of them. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  scan: async () => (await import('./scan-command')).scanCommand,
  verify: async () => (await import('./verify-command')).verifyCommand,
  audit: async () => (await import('./audit-command')).auditCommand,
  gate: async () => (await import('./gate-command')).gateCommand,
  convert: async () => (await import('./convert-command')).convertCommand
};

const USAGE = `safeload ${SAFELOAD_VERSION} — is this model file what it claims to be, and is it safe to load?

Usage:
  safeload scan PATH... [--json] [--sarif FILE] [--fail-on LEVEL] [--allow-incomplete] [--max-entries N]
      Scan files and folders (recursively) for unsafe content. LEVEL: info|low|medium|high|critical
      (default high). Exit 0: every file fully analysed and nothing at or above LEVEL; 1: something is,
      or a file was not fully analysed (unless --allow-incomplete); 2: usage error, or an entry that could
      not be read, or more than N entries in the folders (default 1000000).
      PATH may be a Hub repo read in place, hf://ORG/REPO[@REV] or https://huggingface.co/ORG/REPO[/tree/REV]
      (only what each format needs is downloaded: --max-download SIZE per file, default 256MiB;
      --max-download-total SIZE, default 2GiB; --token-env NAME reads a token from that variable), or a
      hub cache folder models--ORG--REPO (reported by repo path; --check-hub compares it with the Hub).
  safeload verify MODEL_PATH [--signature FILE] (--identity ID --issuer URL | --key PEM |
                  --certificate-chain PEM) [--trusted-root FILE] [--ignore-paths P,…]
                  [--ignore-unsigned-files] [--json]
      Verify an OpenSSF model signature (Sigstore bundle; default MODEL_PATH/model.sig) and every file,
      or a Safeload manifest signed with a key (--key) and every file against it.
      Exit 0: verified; 1: not verified; 2: usage or I/O error.
  safeload audit PATH [--osv-db all.zip | --osv-api URL] [--json] [--sarif FILE] [--cyclonedx FILE]
                 [--fail-on LEVEL]
      Audit the Python requirement and lock files in PATH against OSV (online, or offline with OSV's
      PyPI/all.zip). --json prints pip-audit's JSON; --cyclonedx writes an ML-BOM. LEVEL default low;
      unrated vulnerabilities count as high. Exit 0: none at or above LEVEL; 1: some; 2: usage, I/O,
      network error or nothing to audit.
  safeload gate PATH [--policy FILE|safeload/baseline|safeload/strict] [--manifest FILE [--manifest-key PEM]]
                [--identity ID --issuer URL | --key PEM | --certificate-chain PEM] [--trusted-root FILE]
                [--signature FILE] [--osv-db all.zip | --online] [--sarif FILE] [--cyclonedx FILE]
                [--report FILE.md] [--json] [--allow-incomplete] [--max-entries N]
      Scan, provenance (against a committed manifest: JSON, YAML, in-toto or signed), signature,
      dependency audit (offline unless --osv-db or --online) and a CEL policy in one run. The default
      policy is the baseline (what makes loading unsafe; signers, licences and pinned provenance are
      "not configured" until set); safeload/strict enforces them. --manifest-key requires the manifest
      to be signed by that key. A scan that is not complete fails the gate unless --allow-incomplete.
      Exit 0: policy passed; 1: a deny rule failed; 2: usage, I/O (an unreadable entry) or policy error.
      PATH may be a Hub repo read in place (as for scan, with --max-download and --token-env).
  safeload convert INPUT... -o OUTPUT [--max-shard-size SIZE] [--json] [--force]
      Convert a PyTorch checkpoint (zip or legacy) or NumPy .npy/.npz to safetensors without executing
      it: one INPUT file to OUTPUT.safetensors; a folder or several files to the folder OUTPUT
      (model.safetensors, or shards of at most SIZE, default 5GB, with model.safetensors.index.json).
      The output is re-scanned; the report lists what was left out. Exit 0: written and verified;
      1: not converted; 2: usage or I/O error.
  safeload --version | --help`;

const PLANNED = new Set<string>([]);

export async function main(argv: string[], rawIo: Io): Promise<number> {
  const io = guardedIo(rawIo);
  const [command, ...rest] = argv;
  try {
    if (command === '--version' || command === '-v') {
      io.out(SAFELOAD_VERSION);
      return EXIT.ok;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    if (command && Object.hasOwn(COMMANDS, command)) return await (await COMMANDS[command]())(rest, io);
    if (command && PLANNED.has(command)) {
      io.err(`safeload: '${command}' is not available in this version yet.`);
      return EXIT.usage;
    }
    io.err(USAGE);
    return EXIT.usage;
  } catch (err) {
    if (err instanceof CliError) return reportCliError(err, io, rest.includes('--json'));
    io.err(`safeload: ${terminalText((err as Error).message)}`);
    io.err('(an unexpected error; please report it)');
    return EXIT.usage;
  }
}
