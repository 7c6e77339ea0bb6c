#!/usr/bin/env node
// A `solc`-compatible front end for the official solcjs (wasm) build, so that py-solc-x and brownie
// compile offline. It answers the two calls they make:
//   solc --version                      -> "Version: 0.8.30+commit.<hash>.Emscripten.clang"
//   solc --standard-json [--allow-paths P] [--base-path B] [--include-path I]  (JSON on stdin)
// Imports that are not in the input JSON are read from disk by the import callback: absolute paths
// (brownie passes remapped absolute paths), then relative to the base path, the include paths and
// the working directory.
// Exit codes: process.exitCode is set instead of calling process.exit(), which can cut the JSON
// output short when stdout is a pipe.
'use strict';

const fs = require('fs');
const path = require('path');

function loadSolc() {
  const root = process.env.CORRIDOR_ROOT || path.resolve(__dirname, '..', '..');
  try {
    return require(require.resolve('solc', { paths: [root] }));
  } catch (err) {
    process.stderr.write(`solc wrapper: cannot load the npm package "solc" from ${root}/node_modules ` +
      '(run `make bootstrap`)\n');
    process.exitCode = 1;
    return null;
  }
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: null, includePaths: [], allowPaths: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const next = () => {
      i += 1;
      if (i >= argv.length) throw new Error(`option ${arg} needs a value`);
      return argv[i];
    };
    if (arg === '--version') opts.version = true;
    else if (arg === '--standard-json') opts.standardJson = true;
    else if (arg === '--base-path') opts.basePath = next();
    else if (arg === '--include-path') opts.includePaths.push(next());
    else if (arg === '--allow-paths') opts.allowPaths.push(...next().split(','));
    else if (arg.startsWith('--allow-paths=')) opts.allowPaths.push(...arg.slice(14).split(','));
    else if (arg.startsWith('--base-path=')) opts.basePath = arg.slice(12);
    else if (arg === '--no-color' || arg === '--pretty-json') { /* accepted, no effect */ }
    else throw new Error(`unsupported option ${arg} (this wrapper supports --version and --standard-json)`);
  }
  return opts;
}

function makeImportCallback(opts) {
  const roots = [opts.basePath, ...opts.includePaths, process.cwd()].filter(Boolean);
  return (importPath) => {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((r) => path.resolve(r, importPath));
    for (const file of candidates) {
      try {
        return { contents: fs.readFileSync(file, 'utf8') };
      } catch (err) { /* try the next root */ }
    }
    return { error: `File not found: ${importPath} (looked in ${candidates.join(', ')})` };
  };
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`solc wrapper: ${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  const solc = loadSolc();
  if (!solc) return;

  if (opts.version) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (!opts.standardJson) {
    process.stderr.write('solc wrapper: only --version and --standard-json are supported\n');
    process.exitCode = 1;
    return;
  }
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    const input = Buffer.concat(chunks).toString('utf8');

    const output = solc.compile(input, { import: makeImportCallback(opts) });
    process.stdout.write(output);
    process.exitCode = 0;
  });
}

main();
