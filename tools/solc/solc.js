#!/usr/bin/env node
// A `solc`-compatible front end for the official solcjs (wasm) build, so that py-solc-x and brownie
// compile offline. It answers the calls they make:
//   solc --version                      -> "Version: 0.8.30+commit.<hash>.Emscripten.clang"
//   solc --standard-json [--allow-paths P] [--base-path B] [--include-path I]  (JSON on stdin)
// and, for crytic-compile's `solc` platform (`slither file.sol --solc tools/solc/solc.js`), the
// native command line mode
//   solc [prefix=path ...] file.sol ... --combined-json abi,ast,bin,... [--evm-version V] [--optimize]
// compiled through standard JSON and printed in native solc 0.8's combined-json shape.
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

// --combined-json keys -> [standard-JSON output selection, getter(contract output) -> value]. The
// value shapes are those of native solc >= 0.8: abi/devdoc/userdoc/hashes/storage-layout as JSON values,
// metadata as a string, bytecode as hex without 0x.
const COMBINED_JSON_KEYS = {
  abi: ['abi', (c) => c.abi],
  bin: ['evm.bytecode.object', (c) => c.evm.bytecode.object],
  'bin-runtime': ['evm.deployedBytecode.object', (c) => c.evm.deployedBytecode.object],
  devdoc: ['devdoc', (c) => c.devdoc],
  hashes: ['evm.methodIdentifiers', (c) => c.evm.methodIdentifiers],
  metadata: ['metadata', (c) => c.metadata],
  opcodes: ['evm.bytecode.opcodes', (c) => c.evm.bytecode.opcodes],
  srcmap: ['evm.bytecode.sourceMap', (c) => c.evm.bytecode.sourceMap],
  'srcmap-runtime': ['evm.deployedBytecode.sourceMap', (c) => c.evm.deployedBytecode.sourceMap],
  'storage-layout': ['storageLayout', (c) => c.storageLayout],
  userdoc: ['userdoc', (c) => c.userdoc],
};
const COMBINED_JSON_ALL = ['ast', ...Object.keys(COMBINED_JSON_KEYS)].sort();

const USAGE = 'usage: solc --version | solc --standard-json < input.json | ' +
  'solc [prefix=path ...] file.sol ... --combined-json ' + COMBINED_JSON_ALL.join(',') +
  ' [--base-path P] [--include-path P] [--allow-paths P,...] [--evm-version V] [--optimize]' +
  ' [--optimize-runs N] [--via-ir]';

function parseArgs(argv) {
  const opts = {
    version: false, standardJson: false, combinedJson: null, basePath: null, includePaths: [],
    allowPaths: [], files: [], remappings: [], evmVersion: null, optimize: false, optimizeRuns: null,
    viaIR: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    let arg = argv[i];
    let inline = null;
    if (arg.startsWith('--') && arg.includes('=')) {
      inline = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    const value = () => {
      if (inline !== null) return inline;
      i += 1;
      if (i >= argv.length) throw new Error(`option ${arg} needs a value`);
      return argv[i];
    };
    if (arg === '--version') opts.version = true;
    else if (arg === '--standard-json') opts.standardJson = true;
    else if (arg === '--combined-json') opts.combinedJson = value().split(',').filter(Boolean);
    else if (arg === '--base-path') opts.basePath = value();
    else if (arg === '--include-path') opts.includePaths.push(value());
    else if (arg === '--allow-paths') opts.allowPaths.push(...value().split(','));
    else if (arg === '--evm-version') opts.evmVersion = value();
    else if (arg === '--optimize') opts.optimize = true;
    else if (arg === '--optimize-runs') opts.optimizeRuns = Number.parseInt(value(), 10);
    else if (arg === '--via-ir') opts.viaIR = true;
    else if (arg === '--no-color' || arg === '--pretty-json') { /* accepted, no effect */ }
    else if (arg.startsWith('-')) throw new Error(`unsupported option ${argv[i]}\n${USAGE}`);
    else if (arg.includes('=')) opts.remappings.push(arg);
    else opts.files.push(arg);
  }
  if (opts.combinedJson) {
    const unknown = opts.combinedJson.filter((k) => !COMBINED_JSON_ALL.includes(k));
    if (unknown.length) {
      throw new Error(`unsupported --combined-json key(s) ${unknown.join(',')} ` +
        `(supported: ${COMBINED_JSON_ALL.join(',')})`);
    }
  }
  if (opts.optimizeRuns !== null && !(opts.optimizeRuns > 0)) throw new Error('--optimize-runs needs a positive integer');
  if (!opts.version && !opts.standardJson && !opts.combinedJson) {
    throw new Error(`nothing to do: give --version, --standard-json or --combined-json\n${USAGE}`);
  }
  if (opts.standardJson && opts.files.length) {
    throw new Error('--standard-json reads its input from stdin; do not pass files');
  }
  if (opts.combinedJson && !opts.files.length) throw new Error('--combined-json needs at least one .sol file');
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

// The source unit name native solc gives a file named on the command line: the normalized path,
// relative to the base path (the working directory when none is given) or an include path when it
// lies inside one, absolute otherwise.
function sourceUnitName(file, opts) {
  const abs = path.resolve(file);
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths].map((r) => path.resolve(r));
  for (const root of roots) {
    const rel = path.relative(root, abs);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return abs.split(path.sep).join('/');
}

// `solc [remappings] files... --combined-json keys`: compiled through standard JSON, printed the way
// native solc prints it (crytic-compile's `solc` platform, i.e. `slither file.sol --solc ...`, reads it).
function combinedJson(solc, opts) {
  const sources = {};
  for (const file of opts.files) {
    let content;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`"${file}" is not found`);
    }
    sources[sourceUnitName(file, opts)] = { content };
  }
  const keys = opts.combinedJson;
  const selection = keys.filter((k) => k !== 'ast').map((k) => COMBINED_JSON_KEYS[k][0]);
  const settings = {
    remappings: opts.remappings,
    optimizer: { enabled: opts.optimize, runs: opts.optimizeRuns || 200 },
    outputSelection: { '*': { '*': selection, '': keys.includes('ast') ? ['ast'] : [] } },
  };
  if (opts.evmVersion) settings.evmVersion = opts.evmVersion;
  if (opts.viaIR) settings.viaIR = true;
  const input = { language: 'Solidity', sources, settings };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: makeImportCallback(opts) }));

  const problems = output.errors || [];
  for (const problem of problems) process.stderr.write(`${problem.formattedMessage || problem.message}\n`);
  if (problems.some((p) => p.severity === 'error')) return null;

  const result = { contracts: {} };
  const contracts = [];
  for (const [source, byName] of Object.entries(output.contracts || {})) {
    for (const [name, contract] of Object.entries(byName)) contracts.push([`${source}:${name}`, contract]);
  }
  contracts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [fullName, contract] of contracts) {
    const data = {};
    for (const key of keys.filter((k) => k !== 'ast').sort()) data[key] = COMBINED_JSON_KEYS[key][1](contract);
    result.contracts[fullName] = data;
  }
  const sourceNames = Object.keys(output.sources || {}).sort((a, b) => output.sources[a].id - output.sources[b].id);
  if (keys.includes('ast') || keys.includes('srcmap') || keys.includes('srcmap-runtime')) {
    result.sourceList = sourceNames;
  }
  if (keys.includes('ast')) {
    result.sources = {};
    for (const name of sourceNames) result.sources[name] = { AST: output.sources[name].ast };
  }
  result.version = solc.version();
  return result;
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
  if (opts.combinedJson) {
    let result;
    try {
      result = combinedJson(solc, opts);
    } catch (err) {
      process.stderr.write(`solc wrapper: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    if (result) process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = result ? 0 : 1;
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
