#!/usr/bin/env bash
# Interop peers for vouch-sign's tests (crates/vouch-sign/tests/interop.rs), idempotent:
#   - sigstore-js (@sigstore/cli 0.8.1 and its @sigstore/* libraries) + a small offline verifier
#   - securesystemslib 1.6.0 (Python) for DSSE envelope verification
# Installed under $VOUCH_TEST_SIGN_PREFIX (default /opt/vouch-test/sign); the tests find the
# tools in $VOUCH_TEST_SIGN_PREFIX/bin and FAIL (not skip) when they are missing.
set -euo pipefail
PREFIX=${VOUCH_TEST_SIGN_PREFIX:-/opt/vouch-test/sign}
mkdir -p "$PREFIX/bin" "$PREFIX/libexec"

need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# sigstore-js
SIGJS_SPEC="@sigstore/cli@0.8.1"
if [ "$(cat "$PREFIX/npm/.spec" 2>/dev/null)" != "$SIGJS_SPEC" ]; then
  rm -rf "$PREFIX/npm"; mkdir -p "$PREFIX/npm"
  npm install --silent --no-audit --no-fund --prefix "$PREFIX/npm" "$SIGJS_SPEC" >&2
  echo "$SIGJS_SPEC" > "$PREFIX/npm/.spec"
fi
cat > "$PREFIX/libexec/sigstore-js-verify.js" <<'JS'
// Offline verification of a Sigstore bundle with the sigstore-js libraries, by public key.
// usage: sigstore-js-verify BUNDLE ARTIFACT --key PUB.pem
const fs = require('fs'), crypto = require('crypto'), path = require('path');
const base = process.env.SIGJS_MODULES; const req = (m) => require(path.join(base, m));
const { bundleFromJSON } = req('@sigstore/bundle');
const { toSignedEntity, toTrustMaterial, Verifier } = req('@sigstore/verify');
const a = process.argv.slice(2);
const opt = (n) => { const i = a.indexOf(n); return i >= 0 ? a[i + 1] : undefined; };
const [bundlePath, artifactPath] = a;
const keyPem = fs.readFileSync(opt('--key'));
const root = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] };
const keys = () => ({ publicKey: crypto.createPublicKey(keyPem), validFor: () => true });
const v = new Verifier(toTrustMaterial(root, keys), { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 0 });
const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath)));
const dsse = bundle.content.$case === 'dsseEnvelope';
try {
  v.verify(toSignedEntity(bundle, dsse ? undefined : fs.readFileSync(artifactPath)));
  console.log(`OK: ${bundlePath}`);
} catch (e) { console.log(`FAIL: ${bundlePath}: ${e.code || ''} ${e.message}`); process.exit(1); }
JS
printf '#!/bin/sh\nexec env SIGJS_MODULES=%s node %s "$@"\n' "$PREFIX/npm/node_modules" "$PREFIX/libexec/sigstore-js-verify.js" > "$PREFIX/bin/sigstore-js-verify"
chmod +x "$PREFIX/bin/sigstore-js-verify"

# securesystemslib
SSL_SPEC="securesystemslib[crypto]==1.6.0"
if [ "$(cat "$PREFIX/venv/.spec" 2>/dev/null)" != "$SSL_SPEC" ]; then
  rm -rf "$PREFIX/venv"
  python3 -m venv "$PREFIX/venv"
  "$PREFIX/venv/bin/pip" install -q --disable-pip-version-check "$SSL_SPEC" >&2
  echo "$SSL_SPEC" > "$PREFIX/venv/.spec"
fi
cat > "$PREFIX/libexec/dsse-verify.py" <<'PY'
"""Verify a DSSE envelope with securesystemslib.
usage: dsse-verify ENVELOPE.json PUBLIC_KEY.pem   (exit 0 verified, 1 not)"""
import json, sys
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
from securesystemslib.exceptions import VerificationError
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

env = Envelope.from_dict(json.load(open(sys.argv[1])))
pem = open(sys.argv[2], "rb").read()
pub = load_pem_public_key(pem)
if isinstance(pub, ec.EllipticCurvePublicKey):
    scheme = "ecdsa-sha2-nistp256"
elif isinstance(pub, ed25519.Ed25519PublicKey):
    scheme = "ed25519"
else:
    sys.exit("unsupported key")
keyid = next(iter(env.signatures))
key = SSlibKey.from_crypto(pub, keyid=keyid, scheme=scheme)
try:
    env.verify([key], 1)
except VerificationError as e:
    print(f"FAIL: {e}")
    sys.exit(1)
print("OK")
PY
printf '#!/bin/sh\nexec %s %s "$@"\n' "$PREFIX/venv/bin/python" "$PREFIX/libexec/dsse-verify.py" > "$PREFIX/bin/dsse-verify"
chmod +x "$PREFIX/bin/dsse-verify"
echo "sign test setup: tools in $PREFIX/bin" >&2
