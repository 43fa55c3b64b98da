#!/usr/bin/env node
/*
 * panva's `jose` (npm, pinned in package.json) as an independent JOSE implementation that
 * badgekit's VC-JWT and vc+jwt tokens are checked against, both ways. Keys are the PKCS#8 PEM
 * files badgekit writes, read by node:crypto (never by badgekit): Ed25519 (EdDSA), P-256 (ES256),
 * RSA (RS256). Offline like dbstack.mjs, whose guard (no sockets, no fetch) and command-line
 * helpers it imports; JOSE needs no document loader.
 *
 * Usage (a JSON array on stdout; usage errors: stderr, exit 2):
 *
 *   node jose.mjs verify --key KEY.pem --alg ALG [--typ TYP] [--issuer ISS] [--now ISO] FILE...
 *     each FILE holds one compact JWS ("-": stdin). jose's jwtVerify with the public half of
 *     KEY.pem, only ALG accepted, the typ header and iss claim required to be TYP / ISS when
 *     given, nbf/exp checked at --now (default: the real clock); prints
 *     [{"file", "verified", "error", "code", "header", "payload"}] (header/payload when verified)
 *
 *   node jose.mjs sign --key KEY.pem --alg ALG --typ TYP [--kid KID] [--jwk] FILE...
 *     each FILE holds the JWT payload (a JSON object, e.g. a credential plus its claims); signs it
 *     with SignJWT, header {alg, typ, kid?, jwk? (the public key, with --jwk)}; prints the tokens
 */
import {SignJWT, exportJWK, jwtVerify} from 'jose';
import {createPrivateKey, createPublicKey} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {UsageError, readJson, runMain} from './dbstack.mjs';

const ALGORITHMS = ['EdDSA', 'ES256', 'RS256'];
const USAGE = 'usage: node jose.mjs verify --key KEY.pem --alg ALG [--typ TYP] [--issuer ISS] [--now ISO] FILE...\n' +
  '       node jose.mjs sign --key KEY.pem --alg ALG --typ TYP [--kid KID] [--jwk] FILE...';

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if(command !== 'verify' && command !== 'sign') {
    throw new UsageError(USAGE);
  }
  const opts = {command, files: [], key: null, alg: null, typ: null, issuer: null, now: null, kid: null, jwk: false};
  for(let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      if(i + 1 >= rest.length) {
        throw new UsageError(`${arg} needs a value`);
      }
      return rest[++i];
    };
    switch(arg) {
      case '--key': opts.key = value(); break;
      case '--alg': opts.alg = value(); break;
      case '--typ': opts.typ = value(); break;
      case '--issuer': opts.issuer = value(); break;
      case '--now': opts.now = value(); break;
      case '--kid': opts.kid = value(); break;
      case '--jwk': opts.jwk = true; break;
      default:
        if(arg.startsWith('--')) {
          throw new UsageError(`unknown option ${arg}\n${USAGE}`);
        }
        opts.files.push(arg);
    }
  }
  if(!opts.key || !ALGORITHMS.includes(opts.alg) || !opts.files.length || (command === 'sign' && !opts.typ)) {
    throw new UsageError(USAGE);
  }
  return opts;
}

async function cmdVerify(opts) {
  const publicKey = createPublicKey(createPrivateKey(readFileSync(opts.key)));
  const options = {algorithms: [opts.alg]};
  if(opts.typ) {
    options.typ = opts.typ;
  }
  if(opts.issuer) {
    options.issuer = opts.issuer;
  }
  if(opts.now) {
    options.currentDate = new Date(opts.now);
  }
  const results = [];
  for(const file of opts.files) {
    const token = readFileSync(file === '-' ? 0 : file, 'utf8').trim();
    try {
      const {payload, protectedHeader} = await jwtVerify(token, publicKey, options);
      results.push({file, verified: true, error: null, code: null, header: protectedHeader, payload});
    } catch(e) {
      results.push({file, verified: false, error: e.message, code: e.code ?? null, header: null, payload: null});
    }
  }
  return results;
}

async function cmdSign(opts) {
  const privateKey = createPrivateKey(readFileSync(opts.key));
  const header = {alg: opts.alg, typ: opts.typ};
  if(opts.kid) {
    header.kid = opts.kid;
  }
  if(opts.jwk) {
    header.jwk = await exportJWK(createPublicKey(privateKey));
  }
  const tokens = [];
  for(const file of opts.files) {
    tokens.push(await new SignJWT(readJson(file)).setProtectedHeader(header).sign(privateKey));
  }
  return tokens;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const out = opts.command === 'verify' ? await cmdVerify(opts) : await cmdSign(opts);
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

runMain('jose', main);
