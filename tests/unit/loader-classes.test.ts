// One sample per loader-behaviour class of issue 12 and its benign twin (tests/fixtures/loaders/README.md
// says what the real loader does with each). Verdicts are the contract: every twin stays below high.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { severityRank, type FileReport } from '../../src/lib/core/findings';
import { applyFolderChecks } from '../../src/lib/core/folder/cross-check';
import { scanSource } from '../../src/lib/core/scan';
import { analyseFile } from '../../src/lib/node/analyse-file';
import { checkExternalDataLinks } from '../../src/lib/node/external-links';
import { openFileSource } from '../../src/lib/node/file-source';

const DIR = join(import.meta.dirname, '../fixtures/loaders');

async function scan(file: string): Promise<FileReport> {
  const { source, close } = await openFileSource(join(DIR, file), file);
  try {
    return await scanSource(source);
  } finally {
    await close();
  }
}

const titles = (r: FileReport, rule: string) =>
  r.findings.filter((f) => f.ruleId === rule).map((f) => f.title);

describe('loader-behaviour samples (tests/fixtures/make_loader_fixtures.py)', () => {
  it.each([
    ['cap_numpy_savetxt.pkl', 'Writes files when loaded: numpy.savetxt("/tmp/owned.txt", […])'],
    ['cap_torch_save.pkl', 'Writes files when loaded: torch.serialization.save({…}, "/tmp/owned.pt")'],
    ['cap_numpy_fromfile.pkl', 'Reads files when loaded: numpy.fromfile("/etc/passwd")'],
    [
      'cap_torch_ops_load_library.pkl',
      'Loads native code when loaded: torch.ops.load_library("/tmp/evil.so")'
    ],
    ['cap_ufunc_reconstruct_gadget.pkl', 'Starts a process when loaded: os.system("id")'],
    ['ext_registered_in_stream.pkl', 'Starts a process when loaded: os.system("echo pwned")'],
    ['compressed_bz2.joblib', 'Starts a process when loaded: posix.system("echo pwned")'],
    ['compressed_lzma.joblib', 'Starts a process when loaded: posix.system("echo pwned")']
  ])('%s is critical: %s', async (file, title) => {
    const r = await scan(file);
    expect(r.verdict).toBe('critical');
    expect(titles(r, 'pickle.call.dangerous')).toContain(title);
  });

  it('a real torch.fx GraphModule pickle runs its stored source through reduce_graph_module (critical exec)', async () => {
    const r = await scan('cap_fx_graph_module.pkl');
    expect(titles(r, 'pickle.call.dangerous')[0]).toMatch(
      /^Runs Python code when loaded: torch\.fx\.graph_module\.reduce_graph_module\(/
    );
  });

  it.each([
    ['mutate_sys_path.pkl', 'appends "/tmp/evil" to sys.path'],
    ['mutate_os_environ.pkl', 'sets os.environ["LD_PRELOAD"] = "/tmp/x.so"'],
    ['mutate_sys_modules.pkl', 'sets sys.modules["json"] = <os.system>']
  ])('%s is a critical mutation of an imported object', async (file, what) => {
    const r = await scan(file);
    expect(r.verdict).toBe('critical');
    expect(titles(r, 'pickle.mutate.global')).toEqual([`Changes an imported object while loading: ${what}`]);
  });

  it.each(['hidden_bytes.pkl', 'hidden_base64.pkl', 'hidden_in_hdf5.h5', 'hidden_in_hdf5_latest.h5'])(
    '%s carries a hidden payload: medium, with the inner call shown',
    async (file) => {
      const r = await scan(file);
      expect(r.verdict).toBe('medium');
      const [f] = r.findings.filter((x) => x.ruleId === 'pickle.hidden-payload');
      expect(f.title).toMatch(/would call posix\.system\("echo pwned"\)$/);
      expect(f.evidence.imports).toEqual(['posix.system("echo pwned")']);
    }
  );

  it('follows a hidden payload two stages deep (hex text holding a pickle holding bytes)', async () => {
    const r = await scan('hidden_hex_two_deep.pkl');
    const deep = r.findings.find(
      (f) => f.ruleId === 'pickle.hidden-payload' && f.evidence.details?.depth === 2
    );
    expect(deep?.severity).toBe('medium');
    expect(deep?.title).toContain('posix.system("echo pwned")');
  });

  it('a payload the file itself hands to pickle.loads is high, and the call critical', async () => {
    const r = await scan('hidden_decoded_by_file.pkl');
    expect(r.verdict).toBe('critical');
    const [f] = r.findings.filter((x) => x.ruleId === 'pickle.hidden-payload');
    expect(f.severity).toBe('high');
    expect(f.evidence.details?.decodedBy).toBe('_pickle.loads');
  });

  it('TorchScript: __setstate__ reading a file is critical, a custom native op high', async () => {
    const r = await scan('torchscript_setstate_reads_file.pt');
    expect(r.verdict).toBe('critical');
    const byRule = Object.fromEntries(r.findings.map((f) => [f.ruleId, f]));
    expect(byRule['pytorch.torchscript.dangerous-call'].title).toBe(
      'TorchScript __setstate__ calls torch.from_file'
    );
    expect(byRule['pytorch.torchscript.dangerous-call'].message).toContain(
      'torch.from_file("/etc/passwd", False, 64)'
    );
    expect(byRule['pytorch.torchscript.native-op']).toMatchObject({
      severity: 'high',
      title: 'TorchScript calls torch.ops.evil.run'
    });
  });

  it.each([
    ['keras_lookup_reads_file.keras', 'high', 'keras.reads-file'],
    ['keras_tfsm_layer.keras', 'high', 'keras.external-model'],
    ['keras_lambda_in_wrapper.keras', 'critical', 'keras.lambda'],
    ['keras_safe_mode_off.keras', 'critical', 'keras.unsafe-deserialization']
  ])('%s is %s (%s)', async (file, verdict, rule) => {
    const r = await scan(file);
    expect(r.verdict).toBe(verdict);
    expect(r.findings.map((f) => f.ruleId)).toContain(rule);
  });

  const twins = readdirSync(DIR).filter((f) => f.startsWith('twin_'));
  it('has a benign twin for every class', () => expect(twins.length).toBeGreaterThanOrEqual(11));
  it.each(twins)('benign twin %s stays below high', async (file) => {
    const r = await scan(file);
    expect(
      severityRank(r.verdict),
      r.findings.map((f) => `${f.severity} ${f.title}`).join('; ')
    ).toBeLessThan(severityRank('high'));
    expect(r.complete).toBe(true);
  });

  it('constructors that touch nothing are named as such, not as dangerous', async () => {
    const r = await scan('twin_checkpoint_values.pkl');
    const [f] = r.findings;
    expect(f.ruleId).toBe('pickle.import.unknown');
    expect(f.message).toContain('only construct values');
    expect(f.evidence.imports).toEqual(
      expect.arrayContaining(['argparse.Namespace', 'pathlib.PosixPath', 'datetime.datetime'])
    );
  });
});

describe('ONNX external data through a symbolic link (CLI)', () => {
  const onnx = join(import.meta.dirname, '../fixtures/onnx/external_local.onnx');

  async function scanFolder(link: (folder: string) => void) {
    const root = mkdtempSync(join(tmpdir(), 'safeload-onnx-link-'));
    const folder = join(root, 'model');
    mkdirSync(folder);
    copyFileSync(onnx, join(folder, 'model.onnx'));
    link(folder);
    const report = await analyseFile(join(folder, 'model.onnx'), 'model/model.onnx');
    const [checked] = await checkExternalDataLinks(applyFolderChecks([report]), (p) =>
      p === 'model/model.onnx' ? join(folder, 'model.onnx') : undefined
    );
    return { checked, root };
  }

  it('a link that leaves the model folder is high', async () => {
    const { checked } = await scanFolder((folder) => {
      const secret = join(folder, '..', 'secret.txt');
      writeFileSync(secret, 'not a tensor');
      symlinkSync(secret, join(folder, 'weights.bin'));
    });
    const [f] = checked.findings.filter((x) => x.ruleId === 'onnx.external-data.symlink-escape');
    expect(f.severity).toBe('high');
    expect(f.evidence.details?.resolvesTo).toMatch(/secret\.txt$/);
    expect(checked.verdict).toBe('high');
  });

  it('a plain file, and a link that stays inside, are not high (benign twins)', async () => {
    const plain = await scanFolder((folder) =>
      writeFileSync(join(folder, 'weights.bin'), new Uint8Array(64))
    );
    expect(plain.checked.findings.filter((f) => f.ruleId.startsWith('onnx.external-data.symlink'))).toEqual(
      []
    );
    const inside = await scanFolder((folder) => {
      writeFileSync(join(folder, 'real.bin'), new Uint8Array(64));
      symlinkSync(join(folder, 'real.bin'), join(folder, 'weights.bin'));
    });
    expect(inside.checked.findings.find((f) => f.ruleId === 'onnx.external-data.symlink')?.severity).toBe(
      'low'
    );
    expect(severityRank(inside.checked.verdict)).toBeLessThan(severityRank('high'));
  });
});
