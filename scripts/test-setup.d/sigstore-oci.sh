#!/usr/bin/env bash
# Interop peer for registry evidence (crates/vouch/tests/registry_interop.rs, bench/registry-verify.sh),
# idempotent:
#   - @sigstore/oci 0.7.2 (npm; the library GitHub's actions/attest pushes attestations with) and
#     the sigstore-js verifier libraries (@sigstore/bundle 5.0.1, @sigstore/verify 4.1.3)
#   - two commands in $PREFIX/bin:
#       sigstore-oci-attach REGISTRY/REPO@sha256:HEX BUNDLE.json
#           attaches a Sigstore bundle to the image exactly as actions/attest does
#           (attachArtifactToImage, mediaType = the bundle's, annotations
#           dev.sigstore.bundle.content and dev.sigstore.bundle.predicateType, timeout 30 s,
#           3 retries); prints the pushed artifact manifest's descriptor as JSON on stdout.
#       sigstore-oci-read REGISTRY/REPO@sha256:HEX --key PUB.pem
#           lists the Sigstore bundles attached to the image (referrers API, then the
#           `sha256-<hex>` fallback tag index), verifies each with sigstore-js against the key and
#           checks that it is bound to the image digest; one line per bundle on stdout:
#           `OK <predicateType> <manifest digest>` or `FAIL <predicateType> <manifest digest> <why>`;
#           the layout each was found in goes to stderr. Exit 0 when at least one verified,
#           1 when none did (or none is attached), 2 when the registry could not be asked.
#
# What @sigstore/oci 0.7.2 can and cannot do (read from node_modules/@sigstore/oci/dist):
#   - it exports attachArtifactToImage, getImageDigest, getRegistryCredentials and OCIError:
#     it WRITES only. There is no reader: its RegistryClient has getManifest/checkManifest and
#     pingReferrers, but no referrers listing and no blob download. sigstore-oci-read therefore
#     uses RegistryClient.getManifest for manifests and the fallback tag index, and adds the two
#     missing GETs (GET /v2/<repo>/referrers/<digest>, GET /v2/<repo>/blobs/<digest>) through the
#     library's own fetch wrapper (dist/fetch.js: make-fetch-happen with retries).
#   - writing, it PUTs the artifact manifest (with `subject`) and then, when the registry did not
#     answer with an `OCI-Subject` header or GET /v2/<repo>/referrers/sha256:000… is not 200,
#     it also maintains the `sha256-<hex>` fallback tag index itself (sending `If-Match` with the
#     index's ETag when the registry gave one).
#   - it speaks plain HTTP to `localhost` and `127.0.0.1` (registry.js picks http for those
#     host names and https for everything else), so the tests need no TLS certificate; a
#     registry on another loopback address or name would need HTTPS (NODE_EXTRA_CA_CERTS).
#   - credentials: only ~/.docker/config.json (os.homedir(), so $HOME), `auths.<host>.auth`
#     or `identitytoken`; no credential helpers, no $DOCKER_CONFIG, no $REGISTRY_AUTH_FILE.
#     actions/attest always passes them; sigstore-oci-attach passes them when that file has an
#     entry for the registry and goes anonymous otherwise (said on stderr). The reader is
#     anonymous.
#   - its package.json asks for node ^22.22.2 || ^24.15.0 || >=26; Debian's node 20 runs it
#     (npm prints an EBADENGINE warning, tested here against ferro-oci-server and
#     docker-registry).
#
# Installed under $VOUCH_TEST_SIGSTORE_OCI_PREFIX (default /opt/vouch-test/sigstore-oci); the
# tests find the commands in $VOUCH_TEST_SIGSTORE_OCI_PREFIX/bin and FAIL (not skip) when they
# are missing.
set -euo pipefail
PREFIX=${VOUCH_TEST_SIGSTORE_OCI_PREFIX:-/opt/vouch-test/sigstore-oci}
mkdir -p "$PREFIX/bin" "$PREFIX/libexec"

need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

SPEC="@sigstore/oci@0.7.2 @sigstore/bundle@5.0.1 @sigstore/verify@4.1.3"
if [ "$(cat "$PREFIX/npm/.spec" 2>/dev/null)" != "$SPEC" ]; then
  rm -rf "$PREFIX/npm"; mkdir -p "$PREFIX/npm"
  # shellcheck disable=SC2086 # SPEC is a list of packages
  npm install --silent --no-audit --no-fund --prefix "$PREFIX/npm" $SPEC >&2
  echo "$SPEC" > "$PREFIX/npm/.spec"
fi

cat > "$PREFIX/libexec/sigstore-oci-attach.js" <<'JS'
// Attach a Sigstore bundle to an image the way GitHub's actions/attest does (createAttestation
// in its src/attest.ts): @sigstore/oci's attachArtifactToImage with the bundle's media type and
// the dev.sigstore.bundle.* annotations.
// usage: sigstore-oci-attach REGISTRY/REPO@sha256:HEX BUNDLE.json
const fs = require('fs'), path = require('path');
const base = process.env.SIGSTORE_OCI_MODULES; const req = (m) => require(path.join(base, m));
const { attachArtifactToImage, getRegistryCredentials } = req('@sigstore/oci');
const fail = (msg) => { console.error(`sigstore-oci-attach: ${msg}`); process.exit(2); };
const [image, bundlePath] = process.argv.slice(2);
if (!image || !bundlePath) fail('usage: sigstore-oci-attach REGISTRY/REPO@sha256:HEX BUNDLE.json');
const at = image.indexOf('@');
if (at < 0 || !/^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1))) fail(`${image}: expected REGISTRY/REPO@sha256:<64 hex>`);
const imageName = image.slice(0, at), imageDigest = image.slice(at + 1);
let bundle;
try { bundle = JSON.parse(fs.readFileSync(bundlePath)); } catch (e) { fail(`${bundlePath}: ${e.message}`); }
const annotations = {};
if (bundle.dsseEnvelope) {
  // actions/attest writes these two for its DSSE bundles; the predicate type is the statement's.
  annotations['dev.sigstore.bundle.content'] = 'dsse-envelope';
  try {
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
    if (statement.predicateType) annotations['dev.sigstore.bundle.predicateType'] = statement.predicateType;
  } catch (e) { fail(`${bundlePath}: the DSSE payload is not an in-toto statement: ${e.message}`); }
} else {
  annotations['dev.sigstore.bundle.content'] = 'message-signature';
}
let credentials;
try { credentials = getRegistryCredentials(imageName); } catch (e) {
  console.error(`sigstore-oci-attach: no credentials (${e.message}); pushing anonymously`);
}
attachArtifactToImage({
  credentials,
  imageName,
  imageDigest,
  artifact: Buffer.from(JSON.stringify(bundle)),
  mediaType: bundle.mediaType,
  annotations,
  fetchOpts: { timeout: 30000, retry: 3 },
}).then((descriptor) => {
  console.log(JSON.stringify({ ...descriptor, artifactType: bundle.mediaType, annotations, subject: imageDigest }));
}).catch((e) => {
  const cause = e.cause ? `: ${e.cause.message || e.cause}` : '';
  fail(`${e.message}${cause}`);
});
JS

cat > "$PREFIX/libexec/sigstore-oci-read.js" <<'JS'
// Find the Sigstore bundles attached to an image and verify each with sigstore-js by key.
// usage: sigstore-oci-read REGISTRY/REPO@sha256:HEX --key PUB.pem
// stdout: `OK <predicateType> <digest>` / `FAIL <predicateType> <digest> <why>` per bundle
// (digest = the artifact manifest's); stderr: where each was found. Exit 0 when at least one
// verified, 1 when none did, 2 when the registry could not be asked.
const fs = require('fs'), crypto = require('crypto'), path = require('path');
const base = process.env.SIGSTORE_OCI_MODULES; const req = (m) => require(path.join(base, m));
const { RegistryClient } = req('@sigstore/oci/dist/registry');
const fetch = req('@sigstore/oci/dist/fetch').default.defaults({ timeout: 30000, retry: 3 });
const { bundleFromJSON } = req('@sigstore/bundle');
const { toSignedEntity, toTrustMaterial, Verifier } = req('@sigstore/verify');

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MAX_BLOB = 16 << 20, MAX_REFERRERS = 1000;
const die = (code, msg) => { console.error(`sigstore-oci-read: ${msg}`); process.exit(code); };
const a = process.argv.slice(2);
const opt = (n) => { const i = a.indexOf(n); return i >= 0 ? a[i + 1] : undefined; };
const image = a[0], keyPath = opt('--key');
if (!image || !keyPath) die(2, 'usage: sigstore-oci-read REGISTRY/REPO@sha256:HEX --key PUB.pem');
const at = image.indexOf('@');
if (at < 0 || !/^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1))) die(2, `${image}: expected REGISTRY/REPO@sha256:<64 hex>`);
const imageDigest = image.slice(at + 1);
const slash = image.indexOf('/');
const registry = image.slice(0, slash), repo = image.slice(slash + 1, at);
// The same scheme rule as @sigstore/oci's RegistryClient: http for localhost/127.0.0.1 only.
const host = new URL(`http://${registry}`).hostname;
const baseURL = `${host === 'localhost' || host === '127.0.0.1' ? 'http' : 'https'}://${registry}`;
const client = new RegistryClient(registry, repo, { timeout: 30000, retry: 3 });
const sha256 = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

const keyPem = fs.readFileSync(keyPath);
const root = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] };
const keys = () => ({ publicKey: crypto.createPublicKey(keyPem), validFor: () => true });
const verifier = new Verifier(toTrustMaterial(root, keys), { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 0 });

async function referrersApi() {
  const r = await fetch(`${baseURL}/v2/${repo}/referrers/${imageDigest}`, { headers: { Accept: INDEX } });
  if (r.status === 404) return null; // no referrers API
  if (r.status !== 200) throw new Error(`GET referrers/${imageDigest}: HTTP ${r.status}`);
  const body = await r.json();
  if (!Array.isArray(body.manifests)) throw new Error(`GET referrers/${imageDigest}: no manifests list`);
  return body.manifests;
}
async function fallbackTag() {
  const tag = imageDigest.replace(':', '-');
  try {
    const m = await client.getManifest(tag);
    if (m.mediaType !== INDEX || !Array.isArray(m.body.manifests)) throw new Error(`tag ${tag} is ${m.mediaType}, not an image index`);
    return m.body.manifests;
  } catch (e) {
    if (e.statusCode === 404) return [];
    throw e;
  }
}
async function blob(digest) {
  const r = await fetch(`${baseURL}/v2/${repo}/blobs/${digest}`);
  if (r.status !== 200) throw new Error(`GET blobs/${digest}: HTTP ${r.status}`);
  const b = Buffer.from(await r.arrayBuffer());
  if (b.length > MAX_BLOB) throw new Error(`blob ${digest} is larger than ${MAX_BLOB} bytes`);
  if (sha256(b) !== digest) throw new Error(`blob ${digest} has digest ${sha256(b)}`);
  return b;
}

// Checks one attached artifact; returns [predicateType, null] or [predicateType, why].
async function check(descriptor) {
  let predicateType = descriptor.annotations?.['dev.sigstore.bundle.predicateType'] || '-';
  const m = await client.getManifest(descriptor.digest);
  if (m.digest && m.digest !== descriptor.digest) return [predicateType, `manifest digest ${m.digest}`];
  if (m.body.subject?.digest !== imageDigest) return [predicateType, `manifest subject is ${m.body.subject?.digest}, not ${imageDigest}`];
  const layer = (m.body.layers || []).find((l) => l.mediaType?.startsWith('application/vnd.dev.sigstore.bundle'));
  if (!layer) return [predicateType, 'no Sigstore bundle layer'];
  const bundle = bundleFromJSON(JSON.parse(await blob(layer.digest)));
  let artifact;
  if (bundle.content.$case === 'dsseEnvelope') {
    const env = bundle.content.dsseEnvelope;
    if (env.payloadType !== 'application/vnd.in-toto+json') return [predicateType, `payload type ${env.payloadType}`];
    const statement = JSON.parse(env.payload.toString());
    predicateType = statement.predicateType || predicateType;
    const hex = imageDigest.slice('sha256:'.length);
    if (!(statement.subject || []).some((s) => s.digest?.sha256 === hex)) return [predicateType, `statement subject does not name ${imageDigest}`];
  } else {
    // A message signature over the image manifest itself.
    artifact = await blobManifest();
  }
  try {
    verifier.verify(toSignedEntity(bundle, artifact));
  } catch (e) { return [predicateType, `${e.code || 'ERROR'} ${e.message}`]; }
  return [predicateType, null];
}
async function blobManifest() {
  const r = await fetch(`${baseURL}/v2/${repo}/manifests/${imageDigest}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json' } });
  if (r.status !== 200) throw new Error(`GET manifests/${imageDigest}: HTTP ${r.status}`);
  const b = Buffer.from(await r.arrayBuffer());
  if (sha256(b) !== imageDigest) throw new Error(`manifest ${imageDigest} has digest ${sha256(b)}`);
  return b;
}

(async () => {
  let found;
  try {
    const api = await referrersApi();
    const tag = await fallbackTag();
    found = new Map();
    for (const [layout, list] of [['referrers-api', api || []], ['fallback-tag', tag]]) {
      for (const d of list) {
        if (!d.artifactType?.startsWith('application/vnd.dev.sigstore.bundle')) continue;
        if (!found.has(d.digest)) found.set(d.digest, { d, layouts: [] });
        found.get(d.digest).layouts.push(layout);
      }
    }
    console.error(`sigstore-oci-read: referrers API ${api === null ? 'not supported (404)' : `lists ${api.length}`}, fallback tag lists ${tag.length}`);
    if (found.size > MAX_REFERRERS) die(2, `more than ${MAX_REFERRERS} bundles attached`);
  } catch (e) { die(2, `${image}: could not list referrers: ${e.message}`); }
  let ok = 0;
  for (const { d, layouts } of found.values()) {
    let result;
    try { result = await check(d); } catch (e) { die(2, `${d.digest}: ${e.message}`); }
    const [predicateType, why] = result;
    console.error(`sigstore-oci-read: ${d.digest} found through ${layouts.join(', ')}`);
    if (why === null) { ok++; console.log(`OK ${predicateType} ${d.digest}`); }
    else console.log(`FAIL ${predicateType} ${d.digest} ${why}`);
  }
  if (found.size === 0) console.error(`sigstore-oci-read: no Sigstore bundle is attached to ${image}`);
  process.exit(ok > 0 ? 0 : 1);
})();
JS

for tool in sigstore-oci-attach sigstore-oci-read; do
  printf '#!/bin/sh\nexec env SIGSTORE_OCI_MODULES=%s node %s "$@"\n' "$PREFIX/npm/node_modules" "$PREFIX/libexec/$tool.js" > "$PREFIX/bin/$tool"
  chmod +x "$PREFIX/bin/$tool"
done
echo "sigstore-oci test setup: tools in $PREFIX/bin" >&2
