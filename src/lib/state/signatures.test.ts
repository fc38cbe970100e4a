import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { KEYS, MODELS } from '../../../tests/unit/signing-fixtures';
import { describeShared } from '../../../tests/shared-fixtures';
import type { SigningClient } from '../workers/signing-client';
import { inspectBundleFile, runSigning, trustSummary } from '../workers/signing-run';
import type { FileJob, JobState } from './file-job';
import { SignaturesState } from './signatures.svelte';

/** The worker's own code, run in this thread instead of behind postMessage. */
const inThread: SigningClient = {
  trust: (file) => trustSummary(file),
  verify: (request, onProgress) => runSigning(request, { onProgress }),
  inspect: (bundle) => inspectBundleFile(bundle),
  cancel: () => undefined,
  terminate: () => undefined
};

function jobsOf(dir: string, state: JobState = 'done', patch: (j: FileJob) => FileJob = (j) => j): FileJob[] {
  return readdirSync(join(MODELS, dir)).map((name, i) =>
    patch({
      id: i + 1,
      path: `${dir}/${name}`,
      size: 0,
      batch: 1,
      state,
      done: 0,
      sha256: '',
      gitSha1: '',
      file: new File([readFileSync(join(MODELS, dir, name))], name)
    })
  );
}

describeShared('SignaturesState', () => {
  it('says what is missing before Verify is possible', async () => {
    expect(new SignaturesState(() => [], inThread).blocker).toMatch(/Drop a model folder/);
    expect(new SignaturesState(() => jobsOf('v1.1.0-sigstore', 'hashing'), inThread).blocker).toMatch(
      /Waiting for 4 file\(s\)/
    );
    const s = new SignaturesState(() => jobsOf('v1.1.0-sigstore'), inThread);
    expect(s.bundlePath).toBe('v1.1.0-sigstore/model.sig');
    expect(s.targets).toEqual(['ignore-me', 'signme-1', 'signme-2']);
    expect(s.blocker).toMatch(/identity and issuer/);
    s.mode = 'key';
    expect(s.blocker).toMatch(/public key/);
    s.keyText = readFileSync(join(KEYS, 'signing-key-pub.pem'), 'utf8');
    expect(s.blocker).toBe('');
  });

  it('verifies keyless, passing only finished SHA-256 digests to the worker', async () => {
    const s = new SignaturesState(
      () =>
        jobsOf('v1.1.0-sigstore', 'done', (j) =>
          j.path.endsWith('signme-1')
            ? { ...j, sha256: 'f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1' }
            : j
        ),
      inThread
    );
    s.identity = 'stefanb@us.ibm.com';
    s.issuer = 'https://sigstore.verify.ibm.com/oauth2';
    const request = s.request()!;
    expect(request.files.find((f) => f.path === 'signme-1')?.sha256).toMatch(/^f6310066/);
    expect(request.files.find((f) => f.path === 'signme-2')?.sha256).toBeUndefined();
    await s.verify();
    expect(s.error).toBe('');
    expect(s.result?.verified).toBe(true);
    // Only signme-2 was read: signme-1's digest came from the hashing stage.
    expect(s.result?.diff?.hashedBytes).toBe(readFileSync(join(MODELS, 'v1.1.0-sigstore/signme-2')).length);
    expect(s.announcement).toBe(
      'Signature verified: every check passed. This proves who signed and that the files are unchanged, not that they are safe to load.'
    );
    expect(s.shownResult).toBe(s.result);
  });

  it('reports a trust root that cannot be used and keeps the previous one', async () => {
    const s = new SignaturesState(() => [], inThread);
    await s.loadTrust();
    expect(s.trust?.origin).toMatch(/public-good/);
    await s.loadTrust(new File(['{"mediaType": "nope"}'], 'bad.json'));
    expect(s.trustError).toMatch(/bad\.json: trust root: unsupported mediaType nope/);
    expect(s.trust?.origin).toMatch(/public-good/);
    expect(s.trustFile).toBeUndefined();
  });

  it('splits ignore paths and shows a bundle error instead of crashing', async () => {
    const jobs = jobsOf('v1.0.1-elliptic-key').map((j) =>
      j.path.endsWith('model.sig') ? { ...j, file: new File(['{'], 'model.sig') } : j
    );
    const s = new SignaturesState(() => jobs, inThread);
    s.mode = 'key';
    s.keyText = readFileSync(join(KEYS, 'signing-key-pub.pem'), 'utf8');
    s.ignorePathsText = ' ignore-me ,\n docs ';
    expect(s.request()?.ignorePaths).toEqual(['ignore-me', 'docs']);
    await s.verify();
    expect(s.result).toBeUndefined();
    expect(s.error).toMatch(/bundle is not JSON/);
    expect(s.announcement).toMatch(/could not run/);
  });
});
