#!/usr/bin/env node
/*
 * Issue, present and verify SD-JWT VCs with the OpenWallet Foundation reference implementation
 * (@sd-jwt/sd-jwt-vc, hashes and salts from @sd-jwt/crypto-nodejs), so that badgekit's tests
 * check it verifies what an independent implementation issues, and that this implementation
 * verifies what badgekit issues. Offline: sockets and fetch are disabled (a status list or type
 * metadata fetch fails loudly instead of reaching out).
 *
 * Keys are JWKs in files (private ones with "d"): OKP Ed25519 (EdDSA, node:crypto), EC P-256
 * (ES256, @sd-jwt/crypto-nodejs) or, to verify, RSA (RS256, node:crypto). Usage (JSON on stdout; usage errors: exit 2):
 *
 *   node sdjwt.mjs issue --key JWK.json [--kid KID] [--jwk] [--holder-jwk JWK.json] PAYLOAD.json FRAME.json
 *     signs PAYLOAD with the disclosure frame FRAME ({"credentialSubject": {"_sd": ["result"]}, …});
 *     --jwk puts the public key in the header; --holder-jwk adds cnf.jwk. Prints {"sdjwt": "…"}
 *
 *   node sdjwt.mjs present --holder-key JWK.json --aud AUD --nonce NONCE --iat SECONDS FILE FRAME.json
 *     the SD-JWT in FILE with the claims FRAME selects ({"evidence": {"0": true}}…) and a key
 *     binding JWT. Prints {"sdjwt": "…"}
 *
 *   node sdjwt.mjs verify --issuer-jwk JWK.json [--now SECONDS] [--nonce NONCE] FILE...
 *     SDJwtVcInstance.verify on each file (with --nonce: the key binding JWT too, by cnf.jwk).
 *     Prints [{"file", "verified", "error", "claims"}] and exits 0 (the verdicts are in the output)
 */
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import {ES256, digest, generateSalt} from '@sd-jwt/crypto-nodejs';
import {createPrivateKey, createPublicKey, sign, verify} from 'node:crypto';
import {readFileSync} from 'node:fs';
import net from 'node:net';

const refuse = () => {
  throw new Error('sdjwt.mjs is offline: network access refused');
};
net.Socket.prototype.connect = refuse;
globalThis.fetch = async () => refuse();

const USAGE = 'usage: node sdjwt.mjs issue --key JWK.json [--kid KID] [--jwk] [--holder-jwk JWK.json] PAYLOAD.json FRAME.json\n' +
  '       node sdjwt.mjs present --holder-key JWK.json --aud AUD --nonce NONCE --iat SECONDS FILE FRAME.json\n' +
  '       node sdjwt.mjs verify --issuer-jwk JWK.json [--now SECONDS] [--nonce NONCE] FILE...';
const VALUED = ['--key', '--kid', '--holder-jwk', '--holder-key', '--aud', '--nonce', '--iat', '--issuer-jwk', '--now'];

class UsageError extends Error {}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if(!['issue', 'present', 'verify'].includes(command)) {
    throw new UsageError(USAGE);
  }
  const opts = {command, files: []};
  for(let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if(VALUED.includes(arg)) {
      if(i + 1 >= rest.length) {
        throw new UsageError(`${arg} needs a value`);
      }
      opts[arg.slice(2)] = rest[++i];
    } else if(arg === '--jwk') {
      opts.jwk = true;
    } else if(arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      opts.files.push(arg);
    }
  }
  return opts;
}

const readJson = path => JSON.parse(readFileSync(path, 'utf8'));
const publicJwk = ({d, ...pub}) => pub;

function algOf(jwk) {
  if(jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return 'EdDSA';
  }
  if(jwk.kty === 'EC' && jwk.crv === 'P-256') {
    return 'ES256';
  }
  if(jwk.kty === 'RSA') {
    return 'RS256';
  }
  throw new UsageError(`unsupported key: kty ${jwk.kty} crv ${jwk.crv} (Ed25519, P-256 or RSA)`);
}

async function signerFor(privateJwk) {
  if(algOf(privateJwk) === 'ES256') {
    return ES256.getSigner(privateJwk);
  }
  const key = createPrivateKey({key: privateJwk, format: 'jwk'});
  return data => sign(null, Buffer.from(data), key).toString('base64url');
}

async function verifierFor(jwk) {
  if(algOf(jwk) === 'ES256') {
    return ES256.getVerifier(publicJwk(jwk));
  }
  const key = createPublicKey({key: publicJwk(jwk), format: 'jwk'});
  const hash = algOf(jwk) === 'RS256' ? 'sha256' : null;  // RSASSA-PKCS1-v1_5, node's default for RSA keys
  return (data, signature) => verify(hash, Buffer.from(data), key, Buffer.from(signature, 'base64url'));
}

async function issue(opts) {
  const [payloadFile, frameFile] = opts.files;
  if(!opts.key || !payloadFile || !frameFile || opts.files.length !== 2) {
    throw new UsageError(USAGE);
  }
  const key = readJson(opts.key);
  const sdjwt = new SDJwtVcInstance({
    signer: await signerFor(key), signAlg: algOf(key), hasher: digest, hashAlg: 'sha-256', saltGenerator: generateSalt
  });
  const payload = readJson(payloadFile);
  if(opts['holder-jwk']) {
    payload.cnf = {jwk: publicJwk(readJson(opts['holder-jwk']))};
  }
  const header = {};
  if(opts.kid) {
    header.kid = opts.kid;
  }
  if(opts.jwk) {
    header.jwk = publicJwk(key);
  }
  return {sdjwt: await sdjwt.issue(payload, readJson(frameFile), {header})};
}

async function present(opts) {
  const [file, frameFile] = opts.files;
  if(!opts['holder-key'] || !opts.aud || !opts.nonce || !opts.iat || opts.files.length !== 2) {
    throw new UsageError(USAGE);
  }
  const holder = readJson(opts['holder-key']);
  const sdjwt = new SDJwtVcInstance({
    hasher: digest, saltGenerator: generateSalt, kbSigner: await signerFor(holder), kbSignAlg: algOf(holder)
  });
  const text = readFileSync(file, 'utf8').trim();
  const kb = {payload: {iat: Number(opts.iat), aud: opts.aud, nonce: opts.nonce}};
  return {sdjwt: await sdjwt.present(text, readJson(frameFile), {kb})};
}

async function verifyFiles(opts) {
  if(!opts['issuer-jwk'] || opts.files.length === 0) {
    throw new UsageError(USAGE);
  }
  const verifier = await verifierFor(readJson(opts['issuer-jwk']));
  const kbVerifier = async (data, signature, payload) => {
    if(!payload?.cnf?.jwk) {
      throw new Error('no cnf.jwk holder key');
    }
    return (await verifierFor(payload.cnf.jwk))(data, signature);
  };
  const sdjwt = new SDJwtVcInstance({hasher: digest, verifier, kbVerifier});
  const options = {};
  if(opts.now) {
    options.currentDate = Number(opts.now);
  }
  if(opts.nonce) {
    options.keyBindingNonce = opts.nonce;
  }
  const results = [];
  for(const file of opts.files) {
    try {
      const {payload} = await sdjwt.verify(readFileSync(file, 'utf8').trim(), options);
      results.push({file, verified: true, error: null, claims: payload});
    } catch(e) {
      results.push({file, verified: false, error: String(e?.message ?? e), claims: null});
    }
  }
  return results;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch(e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  const run = {issue, present, verify: verifyFiles}[opts.command];
  try {
    process.stdout.write(JSON.stringify(await run(opts)) + '\n');
  } catch(e) {
    process.stderr.write(`${e instanceof UsageError ? '' : 'error: '}${e.stack ?? e}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  }
}

main();
