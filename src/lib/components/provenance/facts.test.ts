import { describe, expect, it } from 'vitest';
import { parseHubRef } from '../../core/provenance';
import { HubError } from '../../core/provenance/errors';
import { repoFactsFromInfo } from '../../core/provenance/repo-facts';
import { fixture, INFO_BERT } from '../../../../tests/unit/provenance-hub-fixtures';
import { describeShared } from '../../../../tests/shared-fixtures';
import { problemOf } from '../../state/provenance-problem';
import { factsView } from './facts';

describe('repo facts as shown', () => {
  it('never throws on a manifest whose repo facts have the wrong types', () => {
    const hostile = {
      gated: 7,
      tags: 'custom_code',
      licenses: [1, 'mit', { a: 1 }],
      remoteCode: { autoMap: { AutoModel: ['x'] }, customCodeTag: 'yes' },
      securityScan: { scansDone: 'maybe', filesWithIssues: [null, { path: 5, level: 'unsafe' }] },
      lastModified: 'x'.repeat(10_000)
    };
    const view = factsView(hostile)!;
    expect(view).toMatchObject({ gated: 'unknown', tags: [], licenses: ['mit'], customCode: false });
    expect(view.autoMap).toEqual([['AutoModel', '']]);
    expect(view.securityScan).toEqual({
      done: 'unknown',
      issues: [
        { path: '', level: 'unknown' },
        { path: '', level: 'unsafe' }
      ]
    });
    expect(view.lastModified).toHaveLength(40);
    expect(factsView(null)).toBeNull();
  });
});

describeShared('repo facts of recorded repos as shown', () => {
  it('reads the recorded bert-base-uncased info', () => {
    const info = fixture(INFO_BERT).response.body;
    const view = factsView(repoFactsFromInfo(info, 'google-bert/bert-base-uncased'))!;
    expect(view).toMatchObject({
      gated: 'no',
      private: 'no',
      disabled: 'no',
      licenses: ['apache-2.0'],
      library: 'transformers',
      pipeline: 'fill-mask',
      customCode: false,
      securityScan: null
    });
    expect(view.tags).toContain('safetensors');
  });

  it('shows a manually gated repo as gated', () => {
    const info = fixture(
      'recorded__model-info__gated-manual__meta-llama_Llama-3.1-8B-Instruct__2025-03-21.json'
    ).response.body;
    expect(factsView(repoFactsFromInfo(info, 'x'))!.gated).toBe('yes (manual)');
  });
});

describe('problems as shown', () => {
  it('keeps the Hub error kind and wait, names bad input and rejected manifests', () => {
    expect(problemOf(new HubError('HUB_RATE_LIMITED', 'slow down', 429, 42))).toEqual({
      kind: 'rate-limited',
      message: 'slow down',
      retryAfterSeconds: 42
    });
    let inputError: unknown;
    try {
      parseHubRef('https://example.com/org/name');
    } catch (err) {
      inputError = err;
    }
    expect(problemOf(inputError).kind).toBe('input');
    // A rejected manifest from the worker: tests/unit/provenance-error-codes.test.ts sends one across.
    expect(problemOf('x'.repeat(1000)).message).toHaveLength(400);
  });
});
