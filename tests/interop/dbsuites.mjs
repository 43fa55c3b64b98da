#!/usr/bin/env node
/*
 * Sign and verify credentials with the Digital Bazaar cryptosuites other than eddsa-rdfc-2022
 * (which dbstack.mjs covers), so that badgekit's tests can check it verifies what an independent
 * implementation signs in those suites, and that this implementation verifies what badgekit signs. Strictly offline, like dbstack.mjs: the document loader
 * serves only badgekit's bundled contexts (the OB context-3.0.3.json URL: badgekit's revision)
 * and the did:key document of the signing key, and refuses everything else.
 *
 * Usage (a JSON array on stdout; usage errors: stderr, exit 2):
 *
 *   node dbsuites.mjs sign --cryptosuite SUITE --key KEYPAIR.json [--created ISO] [--mandatory PTR]... FILE...
 *     SUITE          ecdsa-rdfc-2019 | ecdsa-jcs-2019 | eddsa-jcs-2022 | ecdsa-sd-2023
 *     KEYPAIR.json   {"publicKeyMultibase": "z…", "secretKeyMultibase" (or "privateKeyMultibase"): "z…"}
 *                    (a P-256 / P-384 Multikey for the ecdsa suites, Ed25519 for eddsa-jcs-2022);
 *                    the proof's verificationMethod is its did:key, did:key:z…#z…
 *     --mandatory    ecdsa-sd-2023 only: a JSON pointer the holder must always disclose (repeatable);
 *                    the output is a base proof, for the holder
 *
 *   node dbsuites.mjs derive --selective PTR [--selective PTR]... FILE...
 *     ecdsa-sd-2023: the derived credential (what a holder presents) of each base-proof FILE,
 *     disclosing the mandatory pointers and these
 *
 *   node dbsuites.mjs verify FILE...
 *     each credential's proofs (every one must be of a SUITE above, by a did:key of the matching
 *     curve; ecdsa-sd-2023: a derived proof) verified with jsigs.verify and the assertionMethod
 *     purpose; prints [{"file", "verified", "error"}] and exits 0 (the verdicts are in the output)
 */
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {
  createSignCryptosuite as ecdsaJcs2019, createVerifyCryptosuite as ecdsaJcs2019Verify
} from '@digitalbazaar/ecdsa-jcs-2019-cryptosuite';
import {
  createSignCryptosuite as eddsaJcs2022, createVerifyCryptosuite as eddsaJcs2022Verify
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {
  createDiscloseCryptosuite as ecdsaSd2023Disclose, createSignCryptosuite as ecdsaSd2023,
  createVerifyCryptosuite as ecdsaSd2023Verify
} from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import jsigs from 'jsonld-signatures';
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import net from 'node:net';

const refuse = () => {
  throw new Error('dbsuites.mjs is offline: network access refused');
};
net.Socket.prototype.connect = refuse;
globalThis.fetch = async () => refuse();

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = join(resolve(HERE, '..', '..'), 'badgekit', 'data', 'contexts');
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
const SUITES = {
  'ecdsa-rdfc-2019': {multikey: EcdsaMultikey, cryptosuite: () => ecdsaRdfc2019, verify: () => ecdsaRdfc2019},
  'ecdsa-jcs-2019': {multikey: EcdsaMultikey, cryptosuite: () => ecdsaJcs2019(), verify: () => ecdsaJcs2019Verify()},
  'eddsa-jcs-2022': {multikey: Ed25519Multikey, cryptosuite: () => eddsaJcs2022(), verify: () => eddsaJcs2022Verify()},
  'ecdsa-sd-2023': {
    multikey: EcdsaMultikey, cryptosuite: opts => ecdsaSd2023({mandatoryPointers: opts.mandatory}),
    verify: () => ecdsaSd2023Verify()
  }
};
const USAGE = 'usage: node dbsuites.mjs sign --cryptosuite SUITE --key KEYPAIR.json [--created ISO] ' +
  '[--mandatory PTR]... FILE...\n' +
  '       node dbsuites.mjs derive --selective PTR [--selective PTR]... FILE...\n' +
  '       node dbsuites.mjs verify FILE...';

class UsageError extends Error {}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if(command === 'verify') {
    if(rest.length === 0 || rest.some(a => a.startsWith('--'))) {
      throw new UsageError(USAGE);
    }
    return {command, files: rest};
  }
  if(command !== 'sign' && command !== 'derive') {
    throw new UsageError(USAGE);
  }
  const opts = {command, files: [], mandatory: [], selective: []};
  for(let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const single = command === 'sign' ? ['--cryptosuite', '--key', '--created'] : [];
    const repeated = command === 'sign' ? ['--mandatory'] : ['--selective'];
    if(single.includes(arg) || repeated.includes(arg)) {
      if(i + 1 >= rest.length) {
        throw new UsageError(`${arg} needs a value`);
      }
      if(repeated.includes(arg)) {
        opts[arg.slice(2)].push(rest[++i]);
      } else {
        opts[arg.slice(2)] = rest[++i];
      }
    } else if(arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      opts.files.push(arg);
    }
  }
  if(command === 'derive') {
    if(opts.selective.length === 0 || opts.files.length === 0) {
      throw new UsageError('--selective and at least one FILE are required');
    }
    return opts;
  }
  if(opts.mandatory.length > 0 && opts.cryptosuite !== 'ecdsa-sd-2023') {
    throw new UsageError('--mandatory is for --cryptosuite ecdsa-sd-2023 only');
  }
  if(!SUITES[opts.cryptosuite]) {
    throw new UsageError(`--cryptosuite must be one of ${Object.keys(SUITES).join(', ')}`);
  }
  if(!opts.key || opts.files.length === 0) {
    throw new UsageError('--key and at least one FILE are required');
  }
  return opts;
}

function documentLoaderFor(vm) {
  const index = JSON.parse(readFileSync(join(CONTEXTS_DIR, 'index.json'), 'utf8'));
  const docs = new Map();
  for(const [url, file] of Object.entries(index)) {
    docs.set(url, JSON.parse(readFileSync(join(CONTEXTS_DIR, file), 'utf8')));
  }
  docs.set(vm.id, {'@context': MULTIKEY_CONTEXT, ...vm});
  return async url => {
    if(docs.has(url)) {
      return {contextUrl: null, documentUrl: url, document: docs.get(url)};
    }
    throw new Error(`offline loader: refusing to load ${url} (not bundled, never fetched)`);
  };
}

function bundledContexts() {
  const index = JSON.parse(readFileSync(join(CONTEXTS_DIR, 'index.json'), 'utf8'));
  const docs = new Map();
  for(const [url, file] of Object.entries(index)) {
    docs.set(url, JSON.parse(readFileSync(join(CONTEXTS_DIR, file), 'utf8')));
  }
  return docs;
}

// The did:key DID document (Multikey form) of an Ed25519 (z6Mk), P-256 (zDn) or P-384 (z82) key,
// built from the identifier alone; the key is decoded (multicodec and length checked) first.
async function didKeyDocument(did) {
  const publicKeyMultibase = did.slice('did:key:'.length);
  const multikey = publicKeyMultibase.startsWith('z6Mk') ? Ed25519Multikey : EcdsaMultikey;
  const vm = {id: `${did}#${publicKeyMultibase}`, type: 'Multikey', controller: did, publicKeyMultibase};
  await multikey.from({'@context': MULTIKEY_CONTEXT, ...vm});
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT], id: did, verificationMethod: [vm],
    authentication: [vm.id], assertionMethod: [vm.id], capabilityInvocation: [vm.id], capabilityDelegation: [vm.id]
  };
}

function verifyingLoader() {
  const contexts = bundledContexts();
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
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
      return {contextUrl: null, documentUrl: url, document: {'@context': MULTIKEY_CONTEXT, ...vm}};
    }
    throw new Error(`offline loader: refusing to load ${url} (not bundled, never fetched)`);
  };
}

async function verifyFiles(files) {
  const documentLoader = verifyingLoader();
  const out = [];
  for(const file of files) {
    const credential = JSON.parse(readFileSync(file, 'utf8'));
    const proofs = [].concat(credential.proof || []);
    const unknown = proofs.map(p => p.cryptosuite).filter(name => !SUITES[name]);
    if(proofs.length === 0 || unknown.length > 0) {
      out.push({file, verified: false, error: `no proof of ${Object.keys(SUITES).join(', ')}: ${unknown.join(', ')}`});
      continue;
    }
    const suite = [...new Set(proofs.map(p => p.cryptosuite))].map(
      name => new DataIntegrityProof({cryptosuite: SUITES[name].verify()}));
    const result = await jsigs.verify(credential, {
      suite, purpose: new jsigs.purposes.AssertionProofPurpose(), documentLoader
    });
    const errors = [].concat(result.error?.errors || result.error || []);
    out.push({file, verified: result.verified === true,
      error: result.verified ? null : errors.map(e => e.message || String(e)).join('; ')});
  }
  return out;
}

// ecdsa-sd-2023: what a holder presents, derived from a base proof (jsigs.derive).
async function deriveFiles(files, selectivePointers) {
  const documentLoader = verifyingLoader();
  const out = [];
  for(const file of files) {
    const credential = JSON.parse(readFileSync(file, 'utf8'));
    const suite = new DataIntegrityProof({cryptosuite: ecdsaSd2023Disclose({selectivePointers})});
    out.push(await jsigs.derive(credential, {
      suite, purpose: new jsigs.purposes.AssertionProofPurpose(), documentLoader
    }));
  }
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if(opts.command === 'verify') {
    process.stdout.write(JSON.stringify(await verifyFiles(opts.files), null, 2) + '\n');
    return;
  }
  if(opts.command === 'derive') {
    process.stdout.write(JSON.stringify(await deriveFiles(opts.files, opts.selective), null, 2) + '\n');
    return;
  }
  const {multikey, cryptosuite} = SUITES[opts.cryptosuite];
  const pair = JSON.parse(readFileSync(opts.key, 'utf8'));
  const publicKeyMultibase = pair.publicKeyMultibase;
  const controller = `did:key:${publicKeyMultibase}`;
  const vm = {id: `${controller}#${publicKeyMultibase}`, type: 'Multikey', controller, publicKeyMultibase};
  const keyPair = await multikey.from({
    '@context': MULTIKEY_CONTEXT, ...vm,
    secretKeyMultibase: pair.secretKeyMultibase || pair.privateKeyMultibase
  });
  const documentLoader = documentLoaderFor(vm);
  const out = [];
  for(const file of opts.files) {
    const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: cryptosuite(opts)});
    if(opts.created) {
      suite.date = opts.created;
    }
    const unsigned = JSON.parse(readFileSync(file, 'utf8'));
    out.push(await jsigs.sign(unsigned, {
      suite, purpose: new jsigs.purposes.AssertionProofPurpose(), documentLoader
    }));
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch(e => {
  process.stderr.write(`${e instanceof UsageError ? '' : 'dbsuites.mjs: '}${e.stack || e}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
