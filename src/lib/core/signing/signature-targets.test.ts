import { describe, expect, it } from 'vitest';
import { bundleCandidates, filesBeside, folderOf, guessArtifact } from './signature-targets';

describe('signature targets', () => {
  it('ranks model.sig first, then signature suffixes, then bundle-like and other JSON', () => {
    expect(
      bundleCandidates([
        'm/config.json',
        'm/weights.bin',
        'm/x.tgz.sigstore.json',
        'm/provenance.json',
        'm/model.sig',
        'a.sigstore',
        'm/README.md'
      ])
    ).toEqual(['m/model.sig', 'a.sigstore', 'm/x.tgz.sigstore.json', 'm/provenance.json', 'm/config.json']);
  });

  it('takes the files of the bundle folder, recursively, relative to it', () => {
    const jobs = ['m/model.sig', 'm/a.bin', 'm/sub/b.bin', 'mx/c.bin', 'top.bin'].map((path) => ({ path }));
    expect(filesBeside(jobs, 'm/model.sig').map((f) => f.rel)).toEqual(['model.sig', 'a.bin', 'sub/b.bin']);
    expect(filesBeside(jobs, 'model.sig').map((f) => f.rel)).toHaveLength(5);
    expect(folderOf('m/sub/b.bin')).toBe('m/sub');
    expect(folderOf('b.bin')).toBe('');
  });

  it('guesses the artifact from the bundle name, else the only other file', () => {
    expect(guessArtifact('x.tgz.sigstore.json', ['x.tgz', 'y.tgz', 'x.tgz.sigstore.json'])).toBe('x.tgz');
    expect(guessArtifact('x.bin.sig', ['x.bin', 'z'])).toBe('x.bin');
    expect(guessArtifact('bundle.json', ['bundle.json', 'only.whl'])).toBe('only.whl');
    expect(guessArtifact('bundle.json', ['bundle.json', 'a', 'b'])).toBeUndefined();
  });
});
