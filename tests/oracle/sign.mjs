#!/usr/bin/env node
/*
 * The test signer: issues credentials with Digital Bazaar's libraries only
 * (@digitalbazaar/vc issue + DataIntegrityProof + eddsa-rdfc-2022, an Ed25519Multikey
 * over a did:key issuer), sharing no code with the Python signer in pathways/credentials,
 * so the verifier is tested on credentials it did not make.
 *
 * stdin: one JSON request
 *   {"documents": [{...}, ...],   unsigned credentials; every string "did:key:SIGNER"
 *                                 in them is replaced by the signer's did:key first
 *    "seed": "<64 hex digits>",   optional: the same key on every run
 *    "created": "2026-01-05T10:00:00Z",  optional: the proofs' creation time
 *    "status_lists": [{"id": url, "purpose": "revocation", "set": [index, ...]}]}
 *                                 optional: signed BitstringStatusListCredentials
 *                                 (131,072 entries) built by vc-bitstring-status-list
 * stdout: one JSON result
 *   {"did", "verificationMethod", "documents": [signed...], "status_lists": [signed...]}
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {createList, createCredential} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {contexts as statusListContexts} from
  '@digitalbazaar/vc-bitstring-status-list-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import jsigs from 'jsonld-signatures';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SPEC_DIR = process.env.ORACLE_SPEC_DIR ||
  path.resolve(HERE, '..', '..', '..', 'shared', 'spec');
const PLACEHOLDER = 'did:key:SIGNER';
const LIST_LENGTH = 131072;

const PACKAGED = new Map([
  ...credentialsContexts,
  ...statusListContexts,
  ...multikeyContext.contexts,
  ...dataIntegrityContext.contexts,
]);
const SPEC_FILES = new Map([
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    'ob_v3p0/context-3.0.3.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
    'ob_v3p0/context-3.0.2.json'],
  ['https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json',
    'clr_v2p0/context-2.0.1.json'],
]);

function makeLoader(keyDocument) {
  const loader = async url => {
    let document;
    if(PACKAGED.has(url)) {
      document = PACKAGED.get(url);
    } else if(SPEC_FILES.has(url)) {
      document = JSON.parse(readFileSync(path.join(SPEC_DIR, SPEC_FILES.get(url)), 'utf8'));
    } else if(url === keyDocument.id) {
      document = keyDocument;
    } else {
      throw new Error(`sign.mjs: refusing to load ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
  };
  return jsigs.extendContextLoader(loader);
}

function replaced(value, did) {
  if(typeof value === 'string') {
    return value.split(PLACEHOLDER).join(did);
  }
  if(Array.isArray(value)) {
    return value.map(item => replaced(item, did));
  }
  if(value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaced(item, did)]));
  }
  return value;
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const seed = request.seed ? Uint8Array.from(Buffer.from(request.seed, 'hex')) : undefined;
  const draft = await Ed25519Multikey.generate({seed});
  const did = `did:key:${draft.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.from({
    ...(await draft.export({publicKey: true, secretKey: true, includeContext: true})),
    id: `${did}#${draft.publicKeyMultibase}`,
    controller: did,
  });
  const keyDocument = {
    '@context': multikeyContext.CONTEXT_URL,
    ...(await keyPair.export({publicKey: true})),
  };
  const documentLoader = makeLoader(keyDocument);
  const date = request.created ? new Date(request.created) : new Date();
  const sign = credential => vc.issue({
    credential: replaced(credential, did),
    suite: new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: eddsaRdfc2022, date,
    }),
    documentLoader,
  });
  const documents = [];
  for(const credential of request.documents || []) {
    documents.push(await sign(credential));
  }
  const statusLists = [];
  for(const spec of request.status_lists || []) {
    const list = await createList({length: LIST_LENGTH});
    for(const index of spec.set || []) {
      list.setStatus(index, true);
    }
    const credential = await createCredential({
      id: spec.id, list, statusPurpose: spec.purpose,
    });
    credential.issuer = did;
    credential.validFrom = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    statusLists.push(await sign(credential));
  }
  return {
    did,
    verificationMethod: keyPair.id,
    documents,
    status_lists: statusLists,
  };
}

main().then(result => {
  process.stdout.write(JSON.stringify(result) + '\n');
}, error => {
  process.stdout.write(JSON.stringify({fatal: true, error: String(error?.stack || error)}) +
    '\n');
  process.exitCode = 2;
});
