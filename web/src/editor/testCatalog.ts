// A small node catalog shaped like GET /api/v1/node-types, for unit tests.
import type { NodeType } from '../api/types';

const base = { version: 1, description: '', icon: '', dynamicOutputs: false, isTrigger: false, singleInstance: false, joinsInputs: false, rawSettings: [] };

export const testCatalog: NodeType[] = [
  { ...base, type: 'http.trigger', category: 'trigger', title: 'HTTP trigger', inputs: [], outputs: ['out'], isTrigger: true,
    settingsSchema: { type: 'object', required: ['path'], properties: {
      method: { type: 'string', enum: ['GET', 'POST'], default: 'POST' }, path: { type: 'string', minLength: 1 },
      auth: { type: 'string', enum: ['none', 'apiKey', 'jwt'], default: 'none' } } } },
  { ...base, type: 'trigger.manual', category: 'trigger', title: 'Manual trigger', inputs: [], outputs: ['out'], isTrigger: true, singleInstance: true,
    settingsSchema: { type: 'object', properties: { input: {} } } },
  { ...base, type: 'code.js', category: 'code', title: 'JavaScript', inputs: ['in'], outputs: ['out'],
    settingsSchema: { type: 'object', required: ['source'], properties: { source: { type: 'string', format: 'javascript', minLength: 1 } } } },
  { ...base, type: 'flow.if', category: 'flow', title: 'If', inputs: ['in'], outputs: ['true', 'false'],
    settingsSchema: { type: 'object', required: ['condition'], properties: { condition: {} } } },
  { ...base, type: 'flow.switch', category: 'flow', title: 'Switch', inputs: ['in'], outputs: ['default'], dynamicOutputs: true,
    settingsSchema: { type: 'object', required: ['value', 'cases'], properties: { value: {}, cases: { type: 'array' } } } },
  { ...base, type: 'http.response', category: 'http', title: 'HTTP response', inputs: ['in'], outputs: ['out'],
    settingsSchema: { type: 'object', properties: { status: { type: 'integer', minimum: 100, maximum: 599, default: 200 }, headers: { type: 'object' }, body: {} } } },
  { ...base, type: 'data.set', category: 'data', title: 'Set data', inputs: ['in'], outputs: ['out'],
    settingsSchema: { type: 'object', required: ['value'], properties: { value: {} } } },
];
