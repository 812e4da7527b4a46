#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, builds with warnings as
# errors, checks every state machine definition, runs every test project, prints one summary.
# Usage: bash tests/run.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Domain]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n== %s\n' "$*"; }

step "node tools (dynalite, iam-simulate, asl-validator) from local/node/package-lock.json"
if [ ! -f local/node/node_modules/dynalite/package.json ] || [ ! -f local/node/node_modules/asl-validator/package.json ] \
  || [ ! -f local/node/node_modules/@cloud-copilot/iam-simulate/package.json ]; then
  (cd local/node && npm ci --no-audit --no-fund)
else
  echo "already installed"
fi

step "CDK CLI (infra/package-lock.json), for the synth test"
if [ ! -f infra/node_modules/aws-cdk/package.json ]; then
  (cd infra && npm ci --no-audit --no-fund)
else
  echo "already installed"
fi

# Installs Debian packages, as root or through sudo.
apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

step "AWS CLI (the tests drive the local stack with it too)"
if ! command -v aws >/dev/null 2>&1; then
  apt_install awscli
fi
aws --version

step "openssl, kubectl, cloud-init, shellcheck, containerd (the tests check certificates, kubeconfigs, user data and the containerd configuration with them)"
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v cloud-init >/dev/null 2>&1 || missing+=(cloud-init)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v containerd >/dev/null 2>&1 || missing+=(containerd)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi
openssl version
kubectl version --client=true 2>/dev/null | sed -n 1p
cloud-init --version 2>&1
shellcheck --version | sed -n 2p
containerd --version

step "Debian's chromium (the console's browser tests drive it with Playwright; no browser download)"
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
/usr/bin/chromium --version 2>/dev/null || true

step "build (warnings are errors)"
dotnet build PaletteServerless.sln -c Release -nologo -v quiet

step "state machine definitions (asl-validator)"
shopt -s nullglob
definitions=(statemachines/*.asl.json)
if [ ${#definitions[@]} -eq 0 ]; then
  echo "no definitions in statemachines/"
else
  for definition in "${definitions[@]}"; do
    node local/node/node_modules/asl-validator/dist/bin/asl-validator.js --json-path "$definition" --silent \
      && echo "valid: $definition"
  done
fi

step "tests"
results="$root/tests/TestResults"
rm -rf "$results"
set +e
dotnet test PaletteServerless.sln -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results.log"
status=${PIPESTATUS[0]}
set -e

# One closing line over every test project: "N passed, N failed, N skipped".
read -r passed failed skipped < <(
  grep -hoE '<UnitTestResult [^>]*outcome="(Passed|Failed|NotExecuted)"' "$results"/*.trx 2>/dev/null \
    | grep -oE 'outcome="[A-Za-z]+"' | awk -F'"' '{n[$2]++} END {printf "%d %d %d\n", n["Passed"], n["Failed"], n["NotExecuted"]}')
rm -f "$results.log"
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
