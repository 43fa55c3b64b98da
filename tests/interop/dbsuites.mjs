#!/usr/bin/env node
/*
 * Sign and verify credentials with the Digital Bazaar cryptosuites other than eddsa-rdfc-2022
 * (which dbstack.mjs covers), so that badgekit's tests can check it verifies what an independent
 * implementation signs in those suites, and that this implementation verifies what badgekit signs;
 * and Data Integrity proof sets and chains in any of these suites and eddsa-rdfc-2022. Strictly
 * offline: dbstack.mjs's document loader (imported, the one loader of tests/interop) serves only
 * badgekit's bundled contexts (the OB context-3.0.3.json URL: badgekit's current revision) and
 * did:key documents built locally, and refuses everything else.
 *
 * Usage (a JSON array on stdout; usage errors: stderr, exit 2):
 *
 *   node dbsuites.mjs sign --cryptosuite SUITE --key KEYPAIR.json [--created ISO] [--mandatory PTR]...
 *                          [--proof-id ID] [--previous-proof ID]... FILE...
 *     SUITE          ecdsa-rdfc-2019 | ecdsa-jcs-2019 | eddsa-jcs-2022 | ecdsa-sd-2023 | eddsa-rdfc-2022
 *     KEYPAIR.json   {"publicKeyMultibase": "z…", "secretKeyMultibase" (or "privateKeyMultibase"): "z…"}
 *                    (a P-256 / P-384 Multikey for the ecdsa suites, Ed25519 for the eddsa ones);
 *                    the proof's verificationMethod is its did:key, did:key:z…#z…
 *     --mandatory    ecdsa-sd-2023 only: a JSON pointer the holder must always disclose (repeatable);
 *                    the output is a base proof, for the holder
 *     --proof-id     the new proof's id
 *     --previous-proof  chain the new proof after the proof of FILE with this id (repeatable)
 *     A FILE that is signed already gets one more proof: beside its proofs (a proof set, jsigs.sign)
 *     or, with --previous-proof, after them: DataIntegrityProof.createProof over the document whose
 *     `proof` is the proofs named (VC Data Integrity 1.0 "Add Proof Set/Chain"; the pinned
 *     jsonld-signatures 11.6.0 has no proof chains: its ProofChain class is an empty stub).
 *
 *   node dbsuites.mjs derive --selective PTR [--selective PTR]... FILE...
 *     ecdsa-sd-2023: the derived credential (what a holder presents) of each base-proof FILE,
 *     disclosing the mandatory pointers and these
 *
 *   node dbsuites.mjs verify FILE...
 *     prints [{"file", "verified", "error", "proofs"}] and exits 0 (the verdicts are in the output).
 *     One proof: jsigs.verify with the assertionMethod purpose (ecdsa-sd-2023: a derived proof).
 *     Several: each proof by its suite's verifyProof and the assertionMethod purpose, over the
 *     document without proofs or, for a chained proof, with the proofs its previousProof names
 *     (VC Data Integrity 1.0 "Verify Proof Sets and Chains"); verified only when every proof is and
 *     every previousProof names one proof's id. (jsigs.verify itself accepts a proof set when any
 *     one proof verifies, and checks every proof over the document alone, chained or not.)
 *     "proofs": one {"verified", "error"} per proof.
 */
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
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
import {
  UsageError, errorMessages, loadContexts, makeDocumentLoader, runMain
} from './dbstack.mjs';

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
const SUITES = {
  'ecdsa-rdfc-2019': {multikey: EcdsaMultikey, cryptosuite: () => ecdsaRdfc2019, verify: () => ecdsaRdfc2019},
  'ecdsa-jcs-2019': {multikey: EcdsaMultikey, cryptosuite: () => ecdsaJcs2019(), verify: () => ecdsaJcs2019Verify()},
  'eddsa-jcs-2022': {multikey: Ed25519Multikey, cryptosuite: () => eddsaJcs2022(), verify: () => eddsaJcs2022Verify()},
  'eddsa-rdfc-2022': {multikey: Ed25519Multikey, cryptosuite: () => eddsaRdfc2022, verify: () => eddsaRdfc2022},
  'ecdsa-sd-2023': {
    multikey: EcdsaMultikey, cryptosuite: opts => ecdsaSd2023({mandatoryPointers: opts.mandatory}),
    verify: () => ecdsaSd2023Verify()
  }
};
const USAGE = 'usage: node dbsuites.mjs sign --cryptosuite SUITE --key KEYPAIR.json [--created ISO] ' +
  '[--mandatory PTR]... [--proof-id ID] [--previous-proof ID]... FILE...\n' +
  '       node dbsuites.mjs derive --selective PTR [--selective PTR]... FILE...\n' +
  '       node dbsuites.mjs verify FILE...';

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
  const opts = {command, files: [], mandatory: [], selective: [], 'previous-proof': []};
  for(let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const single = command === 'sign' ? ['--cryptosuite', '--key', '--created', '--proof-id'] : [];
    const repeated = command === 'sign' ? ['--mandatory', '--previous-proof'] : ['--selective'];
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

// One loader for everything: the bundled contexts (badgekit's current OB 3.0.3 revision) and did:key.
const documentLoader = makeDocumentLoader({contexts: loadContexts('current')});

// The proofs of `proofs` that `proof` names in previousProof, in document order ("matchingProofs").
function matching(proofs, proof) {
  const wanted = [].concat(proof.previousProof ?? []);
  return proofs.filter(p => typeof p.id === 'string' && wanted.includes(p.id));
}

const messages = error => [...new Set(errorMessages(error))].join('; ') || String(error);

// One proof of a set or chain, as jsonld-signatures' ProofSet verifies each (suite.verifyProof,
// then the purpose), over the document without proofs or with the proofs it chains to.
async function verifyMember(credential, proofs, proof) {
  const suiteName = SUITES[proof.cryptosuite] ? proof.cryptosuite : null;
  if(!suiteName) {
    return {verified: false, error: `not a suite of dbsuites.mjs: ${proof.type} ${proof.cryptosuite}`};
  }
  const previous = matching(proofs, proof);
  const wanted = [].concat(proof.previousProof ?? []);
  if(wanted.length !== previous.length || wanted.some(id => proofs.filter(p => p.id === id).length !== 1)) {
    return {verified: false, error: `previousProof ${JSON.stringify(proof.previousProof)} names no single proof`};
  }
  const {proof: _all, ...document} = credential;
  if(previous.length > 0) {
    document.proof = previous;
  }
  const suite = new DataIntegrityProof({cryptosuite: SUITES[suiteName].verify()});
  // jsonld-signatures gives each non-JCS proof the document's @context before verifying it
  const checked = proof.cryptosuite.includes('-jcs-') ? proof : {'@context': credential['@context'], ...proof};
  const purpose = new jsigs.purposes.AssertionProofPurpose();
  const result = await suite.verifyProof({proof: checked, document, proofSet: proofs, documentLoader});
  if(!result.verified) {
    return {verified: false, error: messages(result.error)};
  }
  const valid = await purpose.validate(checked, {
    document, suite, verificationMethod: result.verificationMethod, documentLoader
  }).catch(error => ({valid: false, error}));
  return valid.valid ? {verified: true, error: null} : {verified: false, error: messages(valid.error)};
}

async function verifyFiles(files) {
  const out = [];
  for(const file of files) {
    const credential = JSON.parse(readFileSync(file, 'utf8'));
    const proofs = [].concat(credential.proof || []);
    if(proofs.length > 1 || proofs.some(p => p.previousProof !== undefined)) {
      const each = [];
      for(const proof of proofs) {
        each.push(await verifyMember(credential, proofs, proof));
      }
      const bad = each.map((r, n) => r.verified ? null : `proof ${n + 1}: ${r.error}`).filter(Boolean);
      out.push({file, verified: bad.length === 0, error: bad.length ? bad.join('; ') : null, proofs: each});
      continue;
    }
    const unknown = proofs.map(p => p.cryptosuite).filter(name => !SUITES[name]);
    if(proofs.length === 0 || unknown.length > 0) {
      out.push({file, verified: false, error: `no proof of ${Object.keys(SUITES).join(', ')}: ${unknown.join(', ')}`});
      continue;
    }
    const suite = new DataIntegrityProof({cryptosuite: SUITES[proofs[0].cryptosuite].verify()});
    const result = await jsigs.verify(credential, {
      suite, purpose: new jsigs.purposes.AssertionProofPurpose(), documentLoader
    });
    const errors = [].concat(result.error?.errors || result.error || []);
    const error = result.verified ? null : errors.map(e => e.message || String(e)).join('; ');
    out.push({file, verified: result.verified === true, error, proofs: [{verified: result.verified === true, error}]});
  }
  return out;
}

// ecdsa-sd-2023: what a holder presents, derived from a base proof (jsigs.derive).
async function deriveFiles(files, selectivePointers) {
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

async function signFiles(opts) {
  const {multikey, cryptosuite} = SUITES[opts.cryptosuite];
  const pair = JSON.parse(readFileSync(opts.key, 'utf8'));
  const publicKeyMultibase = pair.publicKeyMultibase;
  const controller = `did:key:${publicKeyMultibase}`;
  const keyPair = await multikey.from({
    '@context': MULTIKEY_CONTEXT, id: `${controller}#${publicKeyMultibase}`, type: 'Multikey', controller,
    publicKeyMultibase, secretKeyMultibase: pair.secretKeyMultibase || pair.privateKeyMultibase
  });
  const previousProof = opts['previous-proof'];
  const out = [];
  for(const file of opts.files) {
    const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: cryptosuite(opts)});
    if(opts.created) {
      suite.date = opts.created;
    }
    // DataIntegrityProof.createProof starts the new proof from `suite.proof` (id, previousProof).
    const extra = {
      ...(opts['proof-id'] ? {id: opts['proof-id']} : {}),
      ...(previousProof.length ? {previousProof: previousProof.length === 1 ? previousProof[0] : previousProof} : {})
    };
    if(Object.keys(extra).length) {
      suite.proof = extra;
    }
    const document = JSON.parse(readFileSync(file, 'utf8'));
    const purpose = new jsigs.purposes.AssertionProofPurpose();
    if(previousProof.length === 0) {
      out.push(await jsigs.sign(document, {suite, purpose, documentLoader}));
      continue;
    }
    const proofs = [].concat(document.proof || []);
    const previous = matching(proofs, extra);
    if(previous.length !== previousProof.length) {
      throw new UsageError(`${file}: --previous-proof ${previousProof.join(', ')} names no proof of it`);
    }
    const {proof: _all, ...unsecured} = document;
    const proof = await suite.createProof({
      document: {...unsecured, proof: previous}, purpose, proofSet: proofs, documentLoader
    });
    out.push({...unsecured, proof: [...proofs, proof]});
  }
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const out = opts.command === 'verify' ? await verifyFiles(opts.files) :
    opts.command === 'derive' ? await deriveFiles(opts.files, opts.selective) : await signFiles(opts);
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

runMain('dbsuites', main);
