import { describe, expect, it } from 'vitest';
import { collectDependencies } from '../../src/lib/core/deps/collect';
import {
  parsePipfileLock,
  parsePoetryLock,
  parsePylock,
  parseUvLock
} from '../../src/lib/core/deps/lockfiles';
import { inputKindOf, normalizeName } from '../../src/lib/core/deps/names';
import { parseRequirement } from '../../src/lib/core/deps/pep508';
import { parsePyproject } from '../../src/lib/core/deps/pyproject';
import { parseRequirementsFile } from '../../src/lib/core/deps/requirements';
import type { Dependency } from '../../src/lib/core/deps/types';
import { fixtureReader, lockfile } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';

const req = (name: string) => lockfile(`requirements_testdata_${name}.txt`);
const byName = (deps: Dependency[]) => Object.fromEntries(deps.map((d) => [d.displayName, d]));

describe('PEP 503 names and inputs', () => {
  it('normalises names', () => {
    expect(normalizeName('Mopidy-Dirble')).toBe('mopidy-dirble');
    expect(normalizeName('combination-._-.also_-._valid')).toBe('combination-also-valid');
    expect(normalizeName('pkg.dot.name')).toBe('pkg-dot-name');
  });
  it('recognises dependency inputs by file name', () => {
    expect(inputKindOf('model/requirements-dev.txt')).toBe('requirements');
    expect(inputKindOf('model/requirements/base.txt')).toBe('requirements');
    expect(inputKindOf('pylock.gpu.toml')).toBe('pylock');
    expect(inputKindOf('x/Pipfile.lock')).toBe('pipfile-lock');
    expect(inputKindOf('notes.txt')).toBeNull();
  });
});

describeShared('requirements.txt with pip rules (real scalibr testdata)', () => {
  it('reads pins, ranges, URL requirements and local paths from example.txt', async () => {
    const files = {
      'example.txt': req('example'),
      'other-requirements.txt': 'numpy==1.21.0\n',
      'constraints.txt': 'keyring==24.3.0\n'
    };
    const { dependencies, problems } = await parseRequirementsFile('example.txt', fixtureReader(files));
    const d = byName(dependencies);
    expect(d.docopt).toMatchObject({ version: '0.6.1', skipReason: undefined });
    expect(d.requests).toMatchObject({
      extras: ['security'],
      marker: 'python_version < "2.7"',
      version: undefined
    });
    expect(d.requests.skipReason).toMatch(
      /^not pinned — not audited: ">=2.8.1, ==2.8.\*" allows several versions; pin it with ==/
    );
    expect(d.pytest.skipReason).toMatch(/no version given/);
    expect(d.urllib3).toMatchObject({ kind: 'url' });
    expect(d.urllib3.skipReason).toMatch(/installed from https:\/\/github.com\/urllib3/);
    const numpy = dependencies.find((x) => x.name === 'numpy' && x.kind === 'registry');
    expect(numpy).toMatchObject({
      version: '1.21.0',
      declaredAt: [{ file: 'other-requirements.txt', line: 1 }]
    });
    // the constraint file pins keyring >= 4.1.1 to 24.3.0
    expect(d.keyring).toMatchObject({ version: '24.3.0', skipReason: undefined });
    const local = dependencies.find((x) => x.kind === 'path');
    expect(local).toMatchObject({
      displayName: 'numpy',
      specifier: './downloads/numpy-1.9.2-cp34-none-win32.whl'
    });
    expect(dependencies.some((x) => x.displayName === 'wxPython_Phoenix' && x.kind === 'url')).toBe(true);
    expect(problems).toEqual([]);
  });

  it('reports includes that are not among the given files', async () => {
    const { problems } = await parseRequirementsFile(
      'example.txt',
      fixtureReader({ 'example.txt': req('example') })
    );
    expect(problems.map((p) => p.message)).toEqual([
      'other-requirements.txt is not among the given files; its requirements are not audited',
      'constraints.txt is not among the given files; its requirements are not audited'
    ]);
    expect(problems[0].line).toBe(21);
  });

  it('detects an include loop instead of hanging', async () => {
    const files = { 'dir/loop.txt': req('loop'), 'dir/other-loop.txt': req('other-loop') };
    const {
      dependencies,
      problems,
      files: read
    } = await parseRequirementsFile('dir/loop.txt', fixtureReader(files));
    expect(dependencies).toEqual([]);
    expect(read).toEqual(['dir/loop.txt', 'dir/other-loop.txt']);
    expect(problems).toEqual([
      {
        file: 'dir/other-loop.txt',
        line: 2,
        message: 'include loop: dir/loop.txt → dir/other-loop.txt → dir/loop.txt'
      }
    ]);
  });

  it('joins continuation lines and strips comments', async () => {
    const { dependencies } = await parseRequirementsFile(
      'm.txt',
      fixtureReader({ 'm.txt': req('multiline_and_comments') })
    );
    expect(dependencies.map((d) => [d.name, d.version, d.hashes, d.declaredAt[0].line])).toEqual([
      ['pkga', '1.0', ['sha256:123'], 3],
      ['pkgb', '2.0', [], 7]
    ]);
  });

  it('handles per-requirement options like pip', async () => {
    const { dependencies, problems } = await parseRequirementsFile(
      'p.txt',
      fixtureReader({ 'p.txt': req('per_req_options') })
    );
    const d = byName(dependencies);
    expect(d.foo1.hashes).toEqual(['sha256:123']);
    expect(d.foo2).toMatchObject({ version: '1.0', hashes: ['sha256:123'] });
    expect(d.foo5).toMatchObject({ version: '1.0', marker: 'python_version < "2.7"' });
    expect(d.foo8.hashes).toEqual(['sha256:123', 'sha256:456']);
    expect(d.foo9.hashes).toEqual(['sha256:123', 'sha256:456']);
    expect(d.foo11.hashes).toEqual(['sha256:not_base16_encoded_is_ok_;#']);
    expect(d.foo13.hashes).toEqual(['sha256:123']);
    expect(d['foo16-Client']).toMatchObject({ name: 'foo16-client', version: '1.0' });
    expect(d['foo17--hash']).toMatchObject({ name: 'foo17-hash', version: '1.0' });
    // "foo10==" has no version and "foo7==1.0 text" is not a requirement: pip refuses both lines.
    expect(d.foo10).toBeUndefined();
    expect(d.foo7).toBeUndefined();
    expect(problems.map((p) => p.line)).toEqual([13, 20, 30]);
    expect(problems[0].message).toMatch(
      /bad version clause "==1.0 unexpected_text_before_options_stays_around"/
    );
  });

  it('reads versions, extras, environment variables, === and ranges', async () => {
    const { dependencies } = await parseRequirementsFile(
      'v.txt',
      fixtureReader({ 'v.txt': req('with_versions') })
    );
    const d = byName(dependencies);
    expect(d.qwerty).toMatchObject({ version: '0.1' });
    expect(d.yolo).toMatchObject({ version: '1.0', specifier: '===1.0' });
    expect(d.asdf.skipReason).toMatch(/"==0.7.\*" allows several versions/);
    expect(d.newspaper3k.skipReason).toMatch(/not pinned/);
    expect(d['pkg.dot.name']).toMatchObject({ name: 'pkg-dot-name', version: '5.0.0' });
    const extras = await parseRequirementsFile('e.txt', fixtureReader({ 'e.txt': req('extras') }));
    expect(byName(extras.dependencies).celery).toMatchObject({
      extras: ['redis', 'pytest'],
      version: '4.4.7'
    });
    const env = await parseRequirementsFile('env.txt', fixtureReader({ 'env.txt': req('env_var') }));
    expect(byName(env.dependencies).qwert.skipReason).toMatch(/environment variable/);
    expect(byName(env.dependencies).another.skipReason).toBeUndefined();
  });

  it('parses editable installs and name @ url forms', () => {
    expect(
      parseRequirement(
        'torch @ https://download.pytorch.org/whl/cpu/torch-2.5.1.whl ; sys_platform == "linux"'
      )
    ).toMatchObject({
      name: 'torch',
      url: 'https://download.pytorch.org/whl/cpu/torch-2.5.1.whl',
      marker: 'sys_platform == "linux"'
    });
    return parseRequirementsFile(
      'r.txt',
      fixtureReader({ 'r.txt': '-e git+https://github.com/org/proj.git@v1#egg=proj\n-e ./local\n' })
    ).then(({ dependencies }) => {
      expect(dependencies.map((d) => [d.name, d.kind])).toEqual([
        ['proj', 'editable'],
        ['./local', 'editable']
      ]);
      expect(dependencies[0].skipReason).toMatch(/editable install/);
    });
  });
});

describeShared('lock files (real scalibr testdata)', () => {
  it('poetry.lock', () => {
    const { dependencies } = parsePoetryLock(
      lockfile('poetrylock_testdata_one-package-with-metadata.lock'),
      'poetry.lock'
    );
    expect(dependencies).toMatchObject([
      { name: 'emoji', version: '2.0.0', kind: 'registry', skipReason: undefined }
    ]);
    expect(dependencies[0].hashes).toEqual([
      'sha256:297fac7ec9e86f7b602792c28eb6f04819ba67ab88a34c56afcde52243a9a105'
    ]);
  });
  it('uv.lock leaves the virtual project out but keeps its edges', () => {
    const text = lockfile('uvlock_testdata_one-package.lock');
    const { dependencies } = parseUvLock(text, 'uv.lock');
    expect(dependencies.map((d) => [d.name, d.version])).toEqual([['emoji', '2.14.0']]);
    expect(dependencies[0].hashes).toHaveLength(2);
  });
  it('Pipfile.lock develop section', () => {
    const { dependencies } = parsePipfileLock(
      lockfile('pipfilelock_testdata_one-package-dev.json'),
      'Pipfile.lock'
    );
    expect(dependencies).toMatchObject([
      { name: 'markupsafe', version: '2.1.1', group: 'develop', marker: "python_version >= '3.7'" }
    ]);
    expect(dependencies[0].hashes).toHaveLength(40);
  });
  it('pylock.toml (both scalibr examples)', () => {
    const a = parsePylock(lockfile('pylock_testdata_example.toml'), 'pylock.toml');
    expect(a.dependencies.map((d) => `${d.name}==${d.version}`)).toEqual([
      'attrs==25.1.0',
      'cattrs==24.1.2',
      'numpy==2.2.3'
    ]);
    expect(a.dependencies[1].dependsOn).toEqual(['attrs']);
    const b = parsePylock(lockfile('pylock_testdata_pip-full.toml'), 'pylock.toml');
    expect(b.dependencies.map((d) => d.name)).toEqual([
      'annotated-types',
      'packaging',
      'pyproject-toml',
      'setuptools',
      'wheel'
    ]);
    expect(parsePylock('lock-version = "2.0"\n', 'pylock.toml').problems[0].message).toMatch(/only 1.x/);
  });
  it('reports broken files instead of throwing', () => {
    expect(parsePoetryLock('[[package]\nname=', 'poetry.lock').problems[0].message).toMatch(
      /^not valid TOML/
    );
    expect(parsePipfileLock('{', 'Pipfile.lock').problems[0].message).toMatch(/^not valid JSON/);
  });
});

describeShared('pyproject.toml', () => {
  const text = `
[project]
name = "demo"
dependencies = ["torch==2.5.1", "transformers>=4.30", "numpy"]
[project.optional-dependencies]
serve = ["gradio==3.50.0"]
[dependency-groups]
test = ["pytest==8.0.0", {include-group = "serve"}]
[tool.poetry.dependencies]
python = "^3.10"
pillow = "9.0.0"
keras = "^2.10"
onnx = { version = "==1.13.0", extras = ["reference"] }
mylib = { git = "https://github.com/org/mylib.git" }
[tool.poetry.group.dev.dependencies]
black = "*"
`;
  it('reads PEP 621, PEP 735 and Poetry tables', () => {
    const { dependencies, problems } = parsePyproject(text, 'pyproject.toml');
    expect(problems).toEqual([]);
    const d = byName(dependencies);
    expect(d.torch.version).toBe('2.5.1');
    expect(d.transformers.skipReason).toMatch(/">=4.30" allows several versions/);
    expect(d.gradio).toMatchObject({ version: '3.50.0', group: 'serve' });
    expect(d.pytest).toMatchObject({ version: '8.0.0', group: 'test' });
    expect(d.pillow.version).toBe('9.0.0'); // a bare Poetry version is an exact pin
    expect(d.keras.skipReason).toMatch(/"\^2.10" allows several versions/);
    expect(d.onnx).toMatchObject({ version: '1.13.0', extras: ['reference'] });
    expect(d.mylib).toMatchObject({ kind: 'vcs' });
    expect(d.black).toMatchObject({ group: 'dev' });
    expect(d.black.skipReason).toMatch(/no version given/);
    expect(d.python).toBeUndefined();
  });

  it('collects a folder: a lock pin makes the pyproject range redundant', async () => {
    const files: Record<string, string> = {
      'm/pyproject.toml': '[project]\ndependencies = ["emoji>=2", "requests"]\n',
      'm/uv.lock': lockfile('uvlock_testdata_one-package.lock'),
      'm/requirements.txt': 'emoji==2.14.0 --hash=sha256:abc\n',
      'm/model.safetensors': 'not text'
    };
    const result = await collectDependencies(Object.keys(files), fixtureReader(files));
    expect(result.inputs.map((i) => i.kind)).toEqual(['pyproject', 'uv-lock', 'requirements']);
    expect(result.dependencies.map((d) => [d.name, d.version])).toEqual([
      ['emoji', '2.14.0'],
      ['requests', undefined]
    ]);
    expect(result.dependencies[0].declaredAt.map((a) => a.file)).toEqual(['m/uv.lock', 'm/requirements.txt']);
    expect(result.dependencies[0].hashes).toContain('sha256:abc');
  });
});
