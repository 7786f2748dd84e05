import { describe, expect, it } from 'vitest';
import { evaluateValue, hasExpression, type PreviewContext } from './preview';

const context: PreviewContext = {
  input: { sum: 55 },
  trigger: { params: { id: '42' }, body: { name: 'bench', tags: ['a', 'b'] } },
  nodes: { sum: { output: { sum: 55 } } },
  env: { REGION: 'eu' },
  execution: { id: 'x', stage: 'dev', workflow: 'greet' },
};

describe('expression preview', () => {
  it('evaluates whole-value expressions to any type and templates to text, inside objects too', () => {
    expect(evaluateValue({ id: '={{ trigger.params.id }}', sum: '={{ nodes.sum.output.sum }}', greeting: 'Hello, {{ trigger.body.name }}!' }, context))
      .toEqual({ id: '42', sum: 55, greeting: 'Hello, bench!' });
    expect(evaluateValue('={{ input.sum * 2 }}', context)).toBe(110);
    expect(evaluateValue('tags: {{ trigger.body.tags }}, none: [{{ null }}]', context)).toBe('tags: ["a","b"], none: []');
    expect(evaluateValue(['={{ env.REGION }}', 3], context)).toEqual(['eu', 3]);
  });
  it('reports what it cannot evaluate', () => {
    expect(() => evaluateValue('={{ nodes.ghost.output }}', context)).toThrow();
  });
  it('knows which values hold expressions', () => {
    expect(hasExpression({ a: [1, 'x {{ y }}'] })).toBe(true);
    expect(hasExpression({ a: [1, 'plain'] })).toBe(false);
  });
});
