// Loading rule files: parseRule (text), loadRule (one file, throws), loadRules (a directory tree,
// never throws for a bad file: every error is collected so one broken rule cannot hide the others).
import fs from 'node:fs';
import path from 'node:path';
import type { FieldTypeMap } from '../kql';
import { compileRule, type CompileOptions } from './compile';
import { RuleError, RuleValidationError } from './errors';
import { AUDITSIGHT_FIELD_TYPES } from './fields';
import { DEFAULT_RULE_INDEX, type CompiledRule } from './schema';
import { readRule } from './validate';
import { YamlSource } from './yaml_source';

export interface LoadOptions extends Partial<Omit<CompileOptions, 'fields'>> {
  /** Field name -> ES type for compiling queries; defaults to AUDITSIGHT_FIELD_TYPES. */
  fields?: FieldTypeMap;
  /** Index patterns for rules that name none; defaults to DEFAULT_RULE_INDEX. */
  defaultIndex?: readonly string[];
}

export interface ParseResult {
  rule?: CompiledRule;
  errors: RuleError[];
}

/** Validates and compiles one rule from its YAML text; `file` is only used in messages. */
export function parseRule(text: string, file: string, options: LoadOptions = {}): ParseResult {
  const src = new YamlSource(file, text);
  const read = readRule(src, options.defaultIndex ?? DEFAULT_RULE_INDEX);
  const rule = compileRule(src, read, { ...options, fields: options.fields ?? AUDITSIGHT_FIELD_TYPES });
  const errors = [...src.errors].sort((a, b) => a.line - b.line || a.column - b.column);
  return errors.length ? { errors } : { rule, errors };
}

/** Loads one rule file. Throws RuleValidationError listing every error in the file. */
export function loadRule(file: string, options: LoadOptions = {}): CompiledRule {
  const { rule, errors } = parseRule(fs.readFileSync(file, 'utf8'), file, options);
  if (!rule) throw new RuleValidationError(errors);
  return rule;
}

function listRuleFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return listRuleFiles(p);
      return /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}

export interface LoadRulesResult {
  rules: CompiledRule[];
  errors: RuleError[];
}

/** Loads every *.yml / *.yaml under dir (recursively). Rule ids must be unique across files. */
export function loadRules(dir: string, options: LoadOptions = {}): LoadRulesResult {
  const rules: CompiledRule[] = [];
  const errors: RuleError[] = [];
  const seen = new Map<string, string>();
  for (const file of listRuleFiles(dir)) {
    let result: ParseResult;
    try {
      result = parseRule(fs.readFileSync(file, 'utf8'), file, options);
    } catch (err) {
      // An unreadable file (or a bug here) must not stop the other rules from loading.
      errors.push(new RuleError(file, 1, 1, `cannot load rule: ${(err as Error).message}`));
      continue;
    }
    errors.push(...result.errors);
    if (!result.rule) continue;
    const { id } = result.rule.rule;
    const first = seen.get(id);
    if (first) {
      const src = new YamlSource(file, fs.readFileSync(file, 'utf8'));
      const node = src.doc.get('id', true) as { range?: [number, number, number] } | undefined;
      const { line, col } = src.position(node?.range?.[0] ?? 0);
      errors.push(new RuleError(file, line, col, `duplicate rule id "${id}" (already used by ${first})`));
      continue;
    }
    seen.set(id, file);
    rules.push(result.rule);
  }
  return { rules, errors };
}
