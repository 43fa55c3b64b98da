#!/usr/bin/env node
/*
 * The Digital Bazaar / DCC JavaScript VC stack as an independent implementation that badgekit's
 * tests check themselves against. Strictly offline: the document loader serves only
 *   - the JSON-LD contexts listed in badgekit/data/contexts/index.json (read from that folder;
 *     the OB 3.0.3 URL serves the revision chosen with --ob-context-revision),
 *   - did:key DID documents and verification methods (Ed25519 z6Mk…, P-256 zDn…, P-384 z82…),
 *     built locally from the identifier,
 *   - status-list credentials given with --status-list URL=FILE,
 * and throws on any other URL. JSON-LD "safe mode" is on, as the DB stack does by default
 * (@digitalbazaar/data-integrity and eddsa-rdfc-2022-cryptosuite canonize with safe: true).
 *
 * Usage (one JSON value on stdout; usage errors: message on stderr, exit 2):
 *
 *   node dbstack.mjs verify [options] FILE...        ("-" reads one credential from stdin)
 *     -> [{file, verified, error, errors, statusChecked, status, revoked, suspended}, ...]
 *     --ob-context-revision current|2024-03  bytes served for the OB context-3.0.3.json URL
 *                                            (default 2024-03: what the DCC npm stack ships)
 *     --now ISO            clock for validFrom/validUntil checks (default: the real time)
 *     --check-status       check credentialStatus with @digitalbazaar/vc-bitstring-status-list
 *     --status-list URL=FILE   serve FILE for URL (repeatable; the status-list credentials)
 *     --no-issuer-check    use a plain AssertionProofPurpose: the proof and its key's
 *                          assertionMethod relationship are checked, but not that the key's
 *                          controller is the credential's issuer (for vectors whose issuer is
 *                          an https URL signed with a did:key)
 *
 *   node dbstack.mjs sign --seed HEX32 [--created ISO] [--ob-context-revision R] FILE...
 *     -> the signed credential (one FILE), or an array of them (several FILEs)
 *
 * Imported as a module (jose.mjs, dbsuites.mjs), it runs nothing but its offline guard and exports
 * UsageError, errorMessages, readJson, runMain and the one offline document loader: loadContexts,
 * didKeyDocument and makeDocumentLoader.
 *
 * Status: `vc.verifyCredential` refuses a credential with credentialStatus unless a checkStatus
 * function is given. Without --check-status we pass one that does nothing and report
 * statusChecked: false: the proof, dates and structure are still verified. With --check-status,
 * BitstringStatusListEntry statuses are checked: the list credential is loaded through the
 * offline loader, its proof verified with the same suite and its issuer matched. Note that the
 * DB library's `verified` does NOT turn false when the status bit is set (a set bit is a
 * successful status check); we report the bits in `status` and as `revoked` / `suspended`.
 */
import * as vc from '@digitalbazaar/vc';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {checkStatus as bslCheckStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022Cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import net from 'node:net';

// Strictly offline, whatever a library might try: no sockets, no fetch.
const refuse = () => {
  throw new Error('dbstack.mjs is offline: network access refused');
};
net.Socket.prototype.connect = refuse;
globalThis.fetch = async () => refuse();

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const CONTEXTS_DIR = join(ROOT, 'badgekit', 'data', 'contexts');
const OB_303_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const OB_303_REVISIONS = {
  current: join(CONTEXTS_DIR, 'ob-v3p0-context-3.0.3.json'),
  '2024-03': join(ROOT, 'tests', 'vectors', 'contexts-superseded',
    'ob-v3p0-context-3.0.3.rev-2024-03.json')
};
const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

export class UsageError extends Error {}

// ------------------------------------------------------------------------------------------
// offline document loader

/** The bundled contexts by URL; the OB context-3.0.3.json URL serves `revision` (current|2024-03). */
export function loadContexts(revision) {
  const index = JSON.parse(readFileSync(join(CONTEXTS_DIR, 'index.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    contexts.set(url, JSON.parse(readFileSync(join(CONTEXTS_DIR, file), 'utf8')));
  }
  const obFile = OB_303_REVISIONS[revision];
  if(!obFile) {
    throw new UsageError(
      `--ob-context-revision must be one of ${Object.keys(OB_303_REVISIONS).join(', ')}`);
  }
  contexts.set(OB_303_URL, JSON.parse(readFileSync(obFile, 'utf8')));
  return contexts;
}

/** The did:key DID document (Multikey form) of an Ed25519, P-256 or P-384 key, from the identifier alone. */
export async function didKeyDocument(did) {
  const publicKeyMultibase = did.slice('did:key:'.length);
  const multikey = publicKeyMultibase.startsWith('z6Mk') ? Ed25519Multikey :
    publicKeyMultibase.startsWith('zDn') || publicKeyMultibase.startsWith('z82') ? EcdsaMultikey : null;
  if(!multikey) {
    throw new Error(`offline loader: only Ed25519, P-256 and P-384 did:key identifiers are supported: ${did}`);
  }
  const vmId = `${did}#${publicKeyMultibase}`;
  // decodes and checks the multicodec header and key length; throws on anything else
  await multikey.from({
    '@context': MULTIKEY_CONTEXT, id: vmId, type: 'Multikey', controller: did,
    publicKeyMultibase
  });
  const vm = {id: vmId, type: 'Multikey', controller: did, publicKeyMultibase};
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [vm],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityInvocation: [vmId],
    capabilityDelegation: [vmId]
  };
}

/** The offline loader: `contexts` (loadContexts), `documents` by URL, did:key; anything else throws. */
export function makeDocumentLoader({contexts, documents = new Map()}) {
  return async function documentLoader(url) {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(documents.has(url)) {
      return {contextUrl: null, documentUrl: url, document: documents.get(url)};
    }
    if(typeof url === 'string' && url.startsWith('did:key:')) {
      const [did, fragment] = url.split('#');
      const doc = await didKeyDocument(did);
      if(fragment === undefined) {
        return {contextUrl: null, documentUrl: url, document: doc};
      }
      const vm = doc.verificationMethod.find(m => m.id === url);
      if(!vm) {
        throw new Error(`offline loader: ${did} has no verification method #${fragment}`);
      }
      return {
        contextUrl: null, documentUrl: url,
        document: {'@context': MULTIKEY_CONTEXT, ...vm}
      };
    }
    throw new Error(`offline loader: refusing to load ${url} (not bundled, never fetched)`);
  };
}

// ------------------------------------------------------------------------------------------
// verify

export function errorMessages(error, out = [], seen = new Set()) {
  if(!error || seen.has(error)) {
    return out;
  }
  seen.add(error);
  if(Array.isArray(error)) {
    error.forEach(e => errorMessages(e, out, seen));
    return out;
  }
  const nested = error.errors || (error.error ? [error.error] : null);
  if(error.message && !(nested && error.message === 'Verification error(s).')) {
    // jsonld.js safe-mode errors say only "Safe mode validation error."; the event says why
    const event = error.details?.event;
    out.push(event ?
      `${error.message} (${event.code}: ${JSON.stringify(event.details ?? {})})` :
      error.message);
  }
  if(nested) {
    errorMessages(nested, out, seen);
  }
  if(error.cause) {
    errorMessages(error.cause, out, seen);
  }
  if(error.details?.cause) { // jsonld.js wraps document loader errors this way
    errorMessages(error.details.cause, out, seen);
  }
  return out;
}

function statusSummary(statusResult) {
  if(!statusResult || statusResult.skipped) {
    return {statusChecked: false, status: null, revoked: null, suspended: null};
  }
  const status = (statusResult.results || []).map(r => ({
    statusPurpose: r.credentialStatus?.statusPurpose ?? null,
    statusListIndex: r.credentialStatus?.statusListIndex ?? null,
    statusListCredential: r.credentialStatus?.statusListCredential ?? null,
    set: r.status === true
  }));
  const bit = purpose => {
    const hits = status.filter(s => s.statusPurpose === purpose);
    return hits.length ? hits.some(s => s.set) : null;
  };
  return {
    statusChecked: statusResult.verified === true,
    status,
    revoked: bit('revocation'),
    suspended: bit('suspension')
  };
}

async function verifyOne({credential, documentLoader, opts}) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022Cryptosuite});
  const checkStatus = opts.checkStatus ?
    options => bslCheckStatus({...options, suite, documentLoader}) :
    async () => ({verified: true, skipped: true});
  const args = {credential, suite, documentLoader, checkStatus};
  if(opts.now) {
    args.now = opts.now;
  }
  if(!opts.issuerCheck) {
    args.purpose = new jsigs.purposes.AssertionProofPurpose();
  }
  const result = await vc.verifyCredential(args);
  const errors = result.verified ? [] : errorMessages(
    result.error || (result.results || []).map(r => r.error).filter(Boolean));
  if(!result.verified && result.statusResult && result.statusResult.error) {
    errors.push(...errorMessages(result.statusResult.error));
  }
  const unique = [...new Set(errors)];
  return {
    verified: result.verified === true,
    error: result.verified ? null : (unique.join('; ') || 'not verified (no reason given)'),
    errors: unique,
    ...statusSummary(result.statusResult)
  };
}

async function cmdVerify(opts) {
  if(opts.files.length === 0) {
    throw new UsageError('verify needs at least one FILE');
  }
  const contexts = loadContexts(opts.obContextRevision);
  const documents = new Map();
  for(const spec of opts.statusLists) {
    const eq = spec.lastIndexOf('='); // URLs may hold '=' (query strings)
    if(eq <= 0) {
      throw new UsageError(`--status-list wants URL=FILE, got ${spec}`);
    }
    documents.set(spec.slice(0, eq), readJson(spec.slice(eq + 1)));
  }
  const documentLoader = makeDocumentLoader({contexts, documents});
  const results = [];
  for(const file of opts.files) {
    let credential;
    try {
      credential = readJson(file);
    } catch(e) {
      results.push({file, verified: false, error: `cannot read: ${e.message}`,
        errors: [e.message], statusChecked: false, status: null, revoked: null,
        suspended: null});
      continue;
    }
    results.push({file, ...await verifyOne({credential, documentLoader, opts})});
  }
  return results;
}

// ------------------------------------------------------------------------------------------
// sign

async function keyFromSeed(seedHex) {
  if(!/^[0-9a-fA-F]{64}$/.test(seedHex || '')) {
    throw new UsageError('--seed must be 64 hex digits (a 32-byte Ed25519 seed)');
  }
  const seed = Uint8Array.from(Buffer.from(seedHex, 'hex'));
  const tmp = await Ed25519Multikey.generate({seed});
  const did = `did:key:${tmp.publicKeyMultibase}`;
  return Ed25519Multikey.generate({seed, controller: did});
}

async function cmdSign(opts) {
  if(opts.files.length === 0) {
    throw new UsageError('sign needs at least one FILE');
  }
  const key = await keyFromSeed(opts.seed);
  const documentLoader = makeDocumentLoader({contexts: loadContexts(opts.obContextRevision)});
  const signed = [];
  for(const file of opts.files) {
    const suite = new DataIntegrityProof({
      signer: key.signer(), cryptosuite: eddsaRdfc2022Cryptosuite,
      ...(opts.created ? {date: opts.created} : {})
    });
    signed.push(await vc.issue({credential: readJson(file), suite, documentLoader}));
  }
  return opts.files.length === 1 ? signed[0] : signed;
}

// ------------------------------------------------------------------------------------------
// command line

export function readJson(file) {
  return JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const opts = {
    command, files: [], obContextRevision: '2024-03', statusLists: [], checkStatus: false,
    issuerCheck: true, now: null, seed: null, created: null
  };
  const value = (i, name) => {
    if(i + 1 >= rest.length) {
      throw new UsageError(`${name} needs a value`);
    }
    return rest[i + 1];
  };
  for(let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    switch(arg) {
      case '--ob-context-revision': opts.obContextRevision = value(i++, arg); break;
      case '--status-list': opts.statusLists.push(value(i++, arg)); break;
      case '--check-status': opts.checkStatus = true; break;
      case '--no-issuer-check': opts.issuerCheck = false; break;
      case '--now': opts.now = value(i++, arg); break;
      case '--seed': opts.seed = value(i++, arg); break;
      case '--created': opts.created = value(i++, arg); break;
      default:
        if(arg.startsWith('--')) {
          throw new UsageError(`unknown option ${arg}`);
        }
        opts.files.push(arg);
    }
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let out;
  if(opts.command === 'verify') {
    out = await cmdVerify(opts);
  } else if(opts.command === 'sign') {
    out = await cmdSign(opts);
  } else {
    throw new UsageError('usage: dbstack.mjs verify|sign [options] FILE...');
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

/** Run `main` as a command-line tool: a usage error exits 2, anything else 1 (jose.mjs too). */
export function runMain(name, main) {
  main().catch(e => {
    process.stderr.write(`${name}: ${e instanceof UsageError ? '' : 'error: '}${e.stack && !(e instanceof UsageError) ? e.stack : e.message}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  });
}

// Run only as a script: jose.mjs imports the helpers above (and this module's offline guard).
if(process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runMain('dbstack', main);
}
