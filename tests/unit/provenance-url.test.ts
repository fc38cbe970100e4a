import { describe, expect, it } from 'vitest';
import { HubRefError } from '../../src/lib/core/provenance/errors';
import { hubUrls, parseHubRef, purlFor } from '../../src/lib/core/provenance/hub-ref';
import { BERT_COMMIT, fixture } from './provenance-hub-fixtures';
import { describeShared } from '../shared-fixtures';

const pick = (input: string, rev?: string) => {
  const r = parseHubRef(input, rev);
  return [r.repoType, r.repoId, r.revision, r.path, r.pathIsFile];
};

describe('parseHubRef', () => {
  it.each([
    ['google-bert/bert-base-uncased', ['model', 'google-bert/bert-base-uncased', null, null, false]],
    ['gpt2', ['model', 'gpt2', null, null, false]],
    ['  openai-community/gpt2 ', ['model', 'openai-community/gpt2', null, null, false]],
    ['datasets/bigcode/the-stack', ['dataset', 'bigcode/the-stack', null, null, false]],
    ['https://huggingface.co/openai-community/gpt2', ['model', 'openai-community/gpt2', null, null, false]],
    ['huggingface.co/openai-community/gpt2', ['model', 'openai-community/gpt2', null, null, false]],
    ['https://hf.co/openai-community/gpt2', ['model', 'openai-community/gpt2', null, null, false]],
    [
      `https://huggingface.co/google-bert/bert-base-uncased/tree/${BERT_COMMIT}`,
      ['model', 'google-bert/bert-base-uncased', BERT_COMMIT, null, false]
    ],
    [
      'https://huggingface.co/openai-community/gpt2/tree/main/onnx',
      ['model', 'openai-community/gpt2', 'main', 'onnx', false]
    ],
    [
      `https://huggingface.co/google-bert/bert-base-uncased/blob/${BERT_COMMIT}/tf_model.h5`,
      ['model', 'google-bert/bert-base-uncased', BERT_COMMIT, 'tf_model.h5', true]
    ],
    [
      'https://huggingface.co/openai-community/gpt2/resolve/main/onnx/decoder_model.onnx?download=true',
      ['model', 'openai-community/gpt2', 'main', 'onnx/decoder_model.onnx', true]
    ],
    ['https://huggingface.co/gpt2/resolve/main/config.json', ['model', 'gpt2', 'main', 'config.json', true]],
    [
      'https://huggingface.co/datasets/bigcode/the-stack/tree/v1.1.a1',
      ['dataset', 'bigcode/the-stack', 'v1.1.a1', null, false]
    ],
    [
      'https://huggingface.co/spaces/user/tmp_test_space',
      ['space', 'user/tmp_test_space', null, null, false]
    ],
    [
      'https://huggingface.co/openai-community/gpt2/tree/refs%2Fpr%2F80',
      ['model', 'openai-community/gpt2', 'refs/pr/80', null, false]
    ],
    [
      'https://huggingface.co/openai-community/gpt2/blob/refs/pr/80/config.json',
      ['model', 'openai-community/gpt2', 'refs/pr/80', 'config.json', true]
    ],
    [
      'https://huggingface.co/openai-community/gpt2/commit/607a30d783dfa663caf39e06633721c8d4cfcd7e',
      ['model', 'openai-community/gpt2', '607a30d783dfa663caf39e06633721c8d4cfcd7e', null, false]
    ],
    ['https://huggingface.co/someone/tree', ['model', 'someone/tree', null, null, false]]
  ])('%s', (input, expected) => {
    expect(pick(input)).toEqual(expected);
  });

  it('an explicit revision overrides the one in the URL', () => {
    expect(pick('https://huggingface.co/openai-community/gpt2/tree/main', 'refs/pr/1')).toEqual([
      'model',
      'openai-community/gpt2',
      'refs/pr/1',
      null,
      false
    ]);
    expect(parseHubRef('gpt2', '  ').revision).toBeNull();
  });

  it.each([
    [''],
    ['https://example.com/openai-community/gpt2'],
    ['https://huggingface.co/models'],
    ['https://huggingface.co/docs/hub/index'],
    ['ftp://huggingface.co/gpt2'],
    ['a/b/c'],
    ['org/na--me'],
    ['org/../etc'],
    ['-bad/name'],
    ['https://huggingface.co/org/name/tree/%E0%A4%A'],
    ['https://huggingface.co/datasets']
  ])('rejects %j with a clear HubRefError', (input) => {
    expect(() => parseHubRef(input)).toThrow(HubRefError);
  });

  it('rejects revisions with whitespace or traversal', () => {
    expect(() => parseHubRef('gpt2', 'main branch')).toThrow(HubRefError);
    expect(() => parseHubRef('gpt2', '../main')).toThrow(HubRefError);
  });
});

describeShared('request URLs of the recorded Hub fixtures', () => {
  it('builds the request URLs the recorded fixtures were captured from', () => {
    const ref = parseHubRef('google-bert/bert-base-uncased');
    const tree = fixture('reconstructed__tree__google-bert_bert-base-uncased__dd4bc8b.json').request
      .url as string;
    expect(tree.startsWith(`${hubUrls.api(ref)}/tree/${BERT_COMMIT}?`)).toBe(true);
    const refs = fixture('reconstructed__refs__docstring-examples.json').cases[1].request.url as string;
    expect(`${hubUrls.api(parseHubRef('datasets/bigcode/the-stack'))}/refs`).toBe(refs);
    const space = fixture('recorded__space-info__revision-main__expand-xetEnabled__2025-03-07.json').request
      .url;
    expect(space.startsWith(`${hubUrls.api(parseHubRef('spaces/user/tmp_test_space'))}/revision/main?`)).toBe(
      true
    );
    const resolve = fixture('reconstructed__resolve-fileDownloadInfo__4-cases.json').cases[0].request.url;
    expect(hubUrls.resolve(ref, BERT_COMMIT, 'tf_model.h5')).toBe(resolve);
    expect(hubUrls.repo(parseHubRef('datasets/bigcode/the-stack'))).toBe(
      'https://huggingface.co/datasets/bigcode/the-stack'
    );
    expect(purlFor(ref, BERT_COMMIT.toUpperCase())).toBe(
      `pkg:huggingface/google-bert/bert-base-uncased@${BERT_COMMIT}`
    );
    expect(purlFor(parseHubRef('datasets/bigcode/the-stack'), BERT_COMMIT)).toBeNull();
  });
});
