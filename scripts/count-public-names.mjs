#!/usr/bin/env node
// Counts the public names of every published package: each name its `src/index.ts` exports,
// values and types alike (`type X` in an export list counts), read from the export statements
// (`export { ... } from`, `export type { ... } from`, `export default`, exported declarations).
// Private packages (`"private": true`) are not published and are left out. Prints a Markdown
// table and the total. Run: node scripts/count-public-names.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');

/** The exported names of one entry file: `{ values, types }`, each sorted. */
export function exportedNames(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const values = new Set();
  const types = new Set();
  for (const [, typeOnly, list] of code.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const raw of list.split(',')) {
      const specifier = raw.trim();
      if (specifier === '') continue;
      const isType = typeOnly !== undefined || /^type\s/.test(specifier);
      const name = specifier
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1)
        .trim();
      (isType ? types : values).add(name);
    }
  }
  if (/export\s+default\b/.test(code)) values.add('default');
  const declaration =
    /export\s+(?:declare\s+)?(?:(const|let|var|function\*?|class|enum)|(interface|type))\s+([A-Za-z_$][\w$]*)/g;
  for (const [, value, type, name] of code.matchAll(declaration)) {
    if (value !== undefined) values.add(name);
    else if (type !== undefined) types.add(name);
  }
  return { values: [...values].sort(), types: [...types].sort() };
}

function publishedPackages() {
  const found = [];
  for (const dir of readdirSync(packagesDir).sort()) {
    const manifestPath = join(packagesDir, dir, 'package.json');
    const entry = join(packagesDir, dir, 'src', 'index.ts');
    if (!existsSync(manifestPath) || !existsSync(entry)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true) continue;
    found.push({ name: manifest.name, entry });
  }
  return found;
}

const rows = publishedPackages().map(({ name, entry }) => {
  const { values, types } = exportedNames(readFileSync(entry, 'utf8'));
  return { name, values: values.length, types: types.length };
});
const total = rows.reduce(
  (sum, row) => ({ values: sum.values + row.values, types: sum.types + row.types }),
  { values: 0, types: 0 },
);

console.log('| package | values | types | names |');
console.log('|---|---:|---:|---:|');
for (const row of rows) {
  console.log(`| \`${row.name}\` | ${row.values} | ${row.types} | ${row.values + row.types} |`);
}
console.log(`| total | ${total.values} | ${total.types} | ${total.values + total.types} |`);
