import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json } from '../api/types';
import { evaluateValue, type PreviewContext } from './evaluate';
import {
  expressionOf, meaningOf, modeOf, nodeReferences, previewTypeProblem, scriptProblems, splitTemplate, switchMode, valueProblems,
} from './expressions';
import { upstreamOf } from './graph';

const context: PreviewContext = {
  input: { sum: 55 },
  trigger: { params: { id: '42' }, body: { name: 'bench' } },
  nodes: { sum: { output: { sum: 55 } } },
  env: {},
  execution: { id: 'x', stage: 'dev', workflow: 'greet' },
};
const status = { type: 'integer', minimum: 100, maximum: 599 };

describe('values read as the engine reads them', () => {
  it('ends an expression at the first }} outside strings and braces', () => {
    expect(splitTemplate('a {{ {x: {y: 1}}.x.y }} b')).toEqual([
      { text: 'a ', expression: false }, { text: ' {x: {y: 1}}.x.y ', expression: true }, { text: ' b', expression: false }]);
    expect(splitTemplate('{{ "}}" }}')).toEqual([{ text: ' "}}" ', expression: true }]);
    expect(splitTemplate('never {{ closed')).toEqual([{ text: 'never {{ closed', expression: false }]);
  });
  it('tells expressions, templates and literals apart, "=" prefix included', () => {
    expect(meaningOf('={{ input.a }}')).toEqual({ kind: 'expression', js: ' input.a ' });
    expect(meaningOf('={{ a }} and {{ b }}').kind).toBe('template');
    expect(meaningOf('Hi {{ a }}').kind).toBe('template');
    expect(meaningOf('=plain')).toEqual({ kind: 'literal', text: 'plain' });
    expect(expressionOf(200)).toBeNull();
    expect(modeOf('={{ 1 }}')).toBe('expression');
    expect(modeOf('Hi {{ a }}')).toBe('fixed');
  });
});

describe('the expression toggle', () => {
  it('turns a fixed value into an expression that gives the same value', () => {
    const cases: [Json, unknown][] = [[200, 200], ['abc', 'abc'], [{ a: [1, 'x'] }, { a: [1, 'x'] }], [true, true]];
    for (const [value, same] of cases) {
      const expression = switchMode(value, 'expression', {});
      expect(modeOf(expression)).toBe('expression');
      expect(evaluateValue(expression, context)).toEqual(same);
    }
    // A template becomes a JavaScript template literal with the same holes.
    const template = switchMode('Hello, {{ trigger.body.name }}!', 'expression', { type: 'string' });
    expect(template).toBe('={{ `Hello, ${trigger.body.name}!` }}');
    expect(evaluateValue(template, context)).toBe('Hello, bench!');
    expect(switchMode(undefined, 'expression', status)).toBe('={{  }}');
  });

  it('turns an expression back into the fixed value it was, or what it gave in the last run, or nothing', () => {
    expect(switchMode(switchMode(201, 'expression', status), 'fixed', status)).toBe(201);
    expect(switchMode('={{ `Hello, ${trigger.body.name}!` }}', 'fixed', { type: 'string' })).toBe('Hello, {{ trigger.body.name }}!');
    expect(switchMode('={{ input.sum * 4 }}', 'fixed', status, { value: 220 })).toBe(220);
    // What the last run gave does not fit the field: emptied rather than kept wrong.
    expect(switchMode('={{ input.sum }}', 'fixed', status, { value: 55 })).toBeUndefined();
    expect(switchMode('={{ input.sum }}', 'fixed', status)).toBeUndefined();
  });

  it('a round trip keeps every fixed JSON value and every template', () => {
    const template = fc.array(fc.oneof(fc.string().filter((t) => !t.includes('{{') && !t.includes('}}') && !t.startsWith('=')),
      fc.constantFrom('{{ input.a }}', '{{ nodes.sum.output.sum }}', '{{ `x${1}` }}')), { minLength: 1 })
      .map((parts) => parts.join(''))
      // Only templates the engine would accept: text such as "{" right before a hole makes its JavaScript invalid.
      .filter((t) => t.includes('{{') && !t.startsWith('=') && valueProblems(t, null).length === 0);
    fc.assert(fc.property(fc.oneof(fc.jsonValue().filter((v) => typeof v !== 'string' || !v.includes('{{')), template), (value) => {
      const json = JSON.parse(JSON.stringify(value)) as Json;
      if (typeof json === 'string' && json.startsWith('=')) return;
      const back = switchMode(switchMode(json, 'expression', {}), 'fixed', {});
      expect(back).toEqual(json);
    }));
  });
});

describe('problems at the field', () => {
  const doc = {
    schema: 'plexus/workflow@1', name: 'w',
    nodes: [{ id: 'hook', type: 'http.trigger' }, { id: 'sum', type: 'code.js' }, { id: 'reply', type: 'http.response' }, { id: 'side', type: 'data.set' }],
    edges: [{ from: 'hook', to: 'sum' }, { from: 'sum', to: 'reply' }, { from: 'hook', to: 'side' }],
  };
  it('knows which nodes run before a node', () => {
    expect([...upstreamOf(doc, 'reply')].sort()).toEqual(['hook', 'sum']);
    expect([...upstreamOf(doc, 'hook')]).toEqual([]);
  });
  it('names empty expressions, syntax errors and reads of nodes that do not run before', () => {
    const upstream = upstreamOf(doc, 'reply');
    expect(scriptProblems('  ', upstream)[0]).toMatch(/empty/);
    expect(scriptProblems('input.', upstream)[0]).toMatch(/^not valid JavaScript/);
    expect(scriptProblems('nodes.sum.output.sum + nodes["side"].output', upstream)).toEqual([
      'reads nodes.side, which does not run before this node (only upstream nodes can be read)']);
    expect(scriptProblems('nodes.sum.output.sum', upstream)).toEqual([]);
    expect(nodeReferences("nodes?.a + nodes['b-c'] + nodes[name]")).toEqual(['a', 'b-c']);
    // Inside objects and templates too, each problem once.
    expect(valueProblems({ a: '={{ nodes.side.output }}', b: ['x {{ nodes.side.output }}'] }, upstream)).toHaveLength(1);
  });
  it('says when the last run gives a value the field cannot take', () => {
    expect(previewTypeProblem('abc', status)).toBe("with the last run's data this gives text \"abc\"; the field needs a whole number from 100 to 599");
    expect(previewTypeProblem(201, status)).toBeNull();
    expect(previewTypeProblem('PATCH', { enum: ['GET', 'POST'] })).toMatch(/one of "GET", "POST"/);
  });
});
