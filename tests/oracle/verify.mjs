#!/usr/bin/env node
/*
 * The test oracle: verifies a credential with Digital Bazaar's libraries only
 * (@digitalbazaar/vc + DataIntegrityProof + eddsa-rdfc-2022), sharing no code with
 * the Python signer in pathways/credentials.
 *
 * stdin: one JSON request
 *   {"credential": {...},
 *    "base_url": "http://127.0.0.1:PORT",   optional: the app under test
 *    "documents": {"<url>": <doc>, ...},    optional: static documents
 *    "check_status": true|false,            optional (default false)
 *    "nested": true|false,                  optional: also verify a CLR's nested credentials
 *    "now": "2030-01-01T00:00:00Z"}         optional: the time validFrom/validUntil are checked at
 * stdout: one JSON result
 *   {"verified": bool,            proofs + VC data-model checks, status NOT included
 *    "errors": [str],
 *    "proofs": [{"verificationMethod", "controller", "created", "revoked"}],
 *                                the proofs whose signatures verified; a proof made
 *                                with a key `revoked` before its `created` fails
 *    "status": [{"purpose", "set", "verified", "index", "list", "error"?}],
 *    "status_verified": bool|null,   null when status was not checked
 *    "nested": [{...same shape...}]} only when "nested" was asked for
 *
 * Documents come only from: the npm context packages, the OB 3.0 / CLR 2.0 context
 * files in shared/spec (ORACLE_SPEC_DIR overrides), `documents`, did:key (computed),
 * did:web and plain URLs under base_url (fetched from base_url over HTTP). Anything
 * else is refused: the oracle makes no other network access.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {contexts as statusListContexts} from
  '@digitalbazaar/vc-bitstring-status-list-context';
import didContext from 'did-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import jsigs from 'jsonld-signatures';

const MULTIKEY_V1 = multikeyContext.CONTEXT_URL;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SPEC_DIR = process.env.ORACLE_SPEC_DIR ||
  path.resolve(HERE, '..', '..', '..', 'shared', 'spec');
const FETCH_TIMEOUT_MS = 10000;

// Contexts that npm packages ship.
const PACKAGED = new Map([
  ...credentialsContexts,
  ...statusListContexts,
  ...didContext.contexts,
  ...multikeyContext.contexts,
  ...dataIntegrityContext.contexts,
]);

// The 1EdTech contexts, from the official copies in shared/spec (never the app's).
const SPEC_FILES = new Map([
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    'ob_v3p0/context-3.0.3.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
    'ob_v3p0/context-3.0.2.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
    'ob_v3p0/context-3.0.1.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context.json', 'ob_v3p0/context.json'],
  ['https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json',
    'clr_v2p0/context-2.0.1.json'],
  ['https://purl.imsglobal.org/spec/clr/v2p0/context.json', 'clr_v2p0/context.json'],
]);

// 1EdTech's extension context (purl.imsglobal.org/spec/ob/v3p0/extensions.json), written out
// here from its published terms: shared/spec has no copy of it.
const OB_EXTENSIONS = {
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': {
    '@context': {
      id: '@id',
      type: '@type',
      '1EdTechJsonSchemaValidator2019':
        'https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019',
      '1EdTechRevocationList':
        'https://purl.imsglobal.org/spec/vcrl/v1p0/context.json#1EdTechRevocationList',
      '1EdTechCredentialRefresh':
        'https://purl.imsglobal.org/spec/vccr/v1p0/context.json#1EdTechCredentialRefresh',
    },
  },
};

function specContext(url) {
  const file = path.join(SPEC_DIR, SPEC_FILES.get(url));
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch(e) {
    throw new Error(`oracle: cannot read the context ${url} from ${file}: ${e.message}`);
  }
}

const didKeys = didKeyDriver();
didKeys.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

// did:web:host%3Aport:a:b -> https://host:port/a/b/did.json (did:web method spec).
export function didWebUrl(did) {
  const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const [host, ...segments] = parts;
  if(!host || segments.some(s => !s)) {
    throw new Error(`oracle: malformed did:web ${did}`);
  }
  const tail = segments.length ? segments.join('/') : '.well-known';
  return new URL(`https://${host}/${tail}/did.json`);
}

function hostPort(url) {
  return url.port ? `${url.hostname}:${url.port}` : url.hostname;
}

function makeLoader({baseUrl, documents}) {
  const base = baseUrl ? new URL(baseUrl) : null;
  const basePrefix = base ? base.href.replace(/\/?$/, '/') : null;
  const cache = new Map();

  async function fetchJson(url) {
    if(!cache.has(url)) {
      cache.set(url, (async () => {
        const response = await fetch(url, {
          headers: {accept: 'application/ld+json, application/json'},
          redirect: 'error',
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        });
        if(!response.ok) {
          throw new Error(`oracle: GET ${url} answered ${response.status}`);
        }
        return response.json();
      })());
    }
    return cache.get(url);
  }

  async function resolveDidWeb(did) {
    const https = didWebUrl(did);
    if(!base || hostPort(https) !== hostPort(base)) {
      throw new Error(
        `oracle: ${did} is not served by base_url ${baseUrl || '(none given)'}`);
    }
    // Tests run the app over plain HTTP: same host and path, base_url's scheme.
    const url = `${base.protocol}//${https.host}${https.pathname}`;
    const doc = await fetchJson(url);
    if(doc.id !== did) {
      throw new Error(`oracle: ${url} holds DID document ${doc.id}, not ${did}`);
    }
    return doc;
  }

  // A verification method `<controller document url>#fragment` found in its document.
  function methodIn(doc, url) {
    const docId = url.split('#')[0];
    const candidates = [];
    for(const term of ['verificationMethod', 'assertionMethod', 'authentication',
      'capabilityInvocation', 'capabilityDelegation', 'keyAgreement']) {
      const values = doc[term] === undefined ? [] : [].concat(doc[term]);
      candidates.push(...values.filter(v => v && typeof v === 'object'));
    }
    const method = candidates.find(
      m => m.id === url || (m.id?.startsWith('#') && docId + m.id === url));
    if(!method) {
      throw new Error(`oracle: ${docId} lists no verification method ${url}`);
    }
    const controller = typeof method.controller === 'object' ?
      method.controller.id : method.controller;
    if(controller !== doc.id) {
      throw new Error(
        `oracle: verification method ${url} has controller ${controller}, ` +
        `not ${doc.id}`);
    }
    // The Multikey libraries expect the Multikey context on the method itself.
    return {...method, id: url, '@context': MULTIKEY_V1};
  }

  async function load(url) {
    if(PACKAGED.has(url)) {
      return PACKAGED.get(url);
    }
    if(url in OB_EXTENSIONS) {
      return OB_EXTENSIONS[url];
    }
    if(SPEC_FILES.has(url)) {
      return specContext(url);
    }
    if(documents && Object.hasOwn(documents, url)) {
      return documents[url];
    }
    if(url.startsWith('did:key:')) {
      const found = await didKeys.get({url});
      if(url.includes('#') &&
        (found.id !== url || found.controller !== url.split('#')[0])) {
        throw new Error(`oracle: ${url} is not the key of its did:key`);
      }
      return found;
    }
    if(url.includes('#')) {
      const [docUrl] = url.split('#');
      return methodIn(await load(docUrl), url);
    }
    if(url.startsWith('did:web:')) {
      return resolveDidWeb(url);
    }
    if(basePrefix && (url + '/').startsWith(basePrefix) &&
      /^https?:/.test(url)) {
      return fetchJson(url);
    }
    throw new Error(`oracle: refusing to load ${url} (not a known context, ` +
      'not in "documents", not under base_url)');
  }

  const loader = async url => ({
    contextUrl: null,
    documentUrl: url,
    document: structuredClone(await load(url)),
  });
  // jsonld-signatures adds its own security contexts (v1, v2) used for framing.
  return jsigs.extendContextLoader(loader);
}

function messages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => messages(e, out));
    return out;
  }
  const text = error.message || String(error);
  if(!out.includes(text)) {
    out.push(text);
  }
  if(error.errors) {
    messages(error.errors, out);
  }
  if(error.cause) {
    messages(error.cause, out);
  }
  return out;
}

function statusEntries(credential) {
  const {credentialStatus} = credential;
  if(!credentialStatus) {
    return [];
  }
  return Array.isArray(credentialStatus) ? credentialStatus : [credentialStatus];
}

async function verifyOne(credential, {documentLoader, suite, request}) {
  const result = {verified: false, errors: [], proofs: [], status: [],
    status_verified: null};
  const options = {credential, suite, documentLoader,
    // status is checked on its own below: proof validity is reported apart
    checkStatus: async () => ({verified: true})};
  if(request.now) {
    options.now = request.now;
  }
  const outcome = await vc.verifyCredential(options);
  result.verified = outcome.verified === true;
  for(const proofResult of outcome.results || []) {
    if(proofResult.verified && proofResult.verificationMethod) {
      const {id, controller, revoked} = proofResult.verificationMethod;
      const created = proofResult.proof?.created ?? null;
      result.proofs.push({verificationMethod: id, controller,
        created, revoked: revoked ?? null});
      // The libraries ignore `revoked` (Controlled Identifiers 1.0): a proof made at
      // or after the key's revocation, or undated, is not trusted.
      if(revoked && !(created && Date.parse(created) < Date.parse(revoked))) {
        result.verified = false;
        result.errors.push(`oracle: verification method ${id} was revoked at ` +
          `${revoked}; the proof was created at ${created ?? '(no date)'}`);
      }
    }
    messages(proofResult.error, result.errors);
  }
  messages(outcome.error, result.errors);
  if(!result.verified && result.errors.length === 0) {
    result.errors.push('not verified (no reason given by @digitalbazaar/vc)');
  }

  const entries = statusEntries(credential);
  if(request.check_status && entries.length) {
    // one entry at a time, so that each purpose is reported even if another fails
    for(const entry of entries) {
      const report = {purpose: entry.statusPurpose ?? null, set: null,
        verified: false, index: entry.statusListIndex ?? null,
        list: entry.statusListCredential ?? null};
      const single = await checkStatus({
        credential: {...credential, credentialStatus: entry},
        documentLoader, suite,
        verifyBitstringStatusListCredential: true,
        verifyMatchingIssuers: true,
      });
      if(single.verified) {
        report.verified = true;
        report.set = single.results[0].status === true;
      } else {
        report.error = messages(single.error).join('; ') || 'status not verified';
      }
      result.status.push(report);
    }
    result.status_verified = result.status.every(s => s.verified);
  }
  return result;
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if(!request.credential || typeof request.credential !== 'object') {
    throw new Error('oracle: the request has no "credential" object');
  }
  const documentLoader = makeLoader({
    baseUrl: request.base_url || null,
    documents: request.documents || null,
  });
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const context = {documentLoader, suite, request};
  const result = await verifyOne(request.credential, context);
  if(request.nested) {
    const inner = request.credential.credentialSubject?.verifiableCredential;
    result.nested = [];
    for(const credential of inner === undefined ? [] : [].concat(inner)) {
      result.nested.push(await verifyOne(credential, context));
    }
  }
  return result;
}

main().then(result => {
  process.stdout.write(JSON.stringify(result) + '\n');
}, error => {
  process.stdout.write(JSON.stringify({
    verified: false, errors: messages(error), proofs: [], status: [],
    status_verified: null, fatal: true,
  }) + '\n');
  process.exitCode = 2;
});
