#!/usr/bin/env bash
# Template checks: packages the stack twice (network=none, network=vpc) and runs cfn-lint (no errors
# allowed; warnings are printed) and checkov (every failure fails, except the ones .checkov.yaml
# skips with a reason). The tools come from PyPI into a virtualenv kept in the user's cache.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${JUNOEVENT_CHECKS_VENV:-$HOME/.cache/junoevent-ci/venv}"
if [ ! -x "$venv/bin/cfn-lint" ] || [ ! -x "$venv/bin/checkov" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'cfn-lint==1.58.*' 'checkov==3.3.*'
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export SLS_TELEMETRY_DISABLED=1
node node_modules/osls/bin/serverless.js package --package "$out/none" > "$out/none.log"
node node_modules/osls/bin/serverless.js package --package "$out/vpc" \
  --param network=vpc --param subnetIds=subnet-0123456789abcdef0,subnet-0123456789abcdef1 \
  --param securityGroupIds=sg-0123456789abcdef0 --param vpcId=vpc-0123456789abcdef0 \
  --param routeTableIds=rtb-0123456789abcdef0 > "$out/vpc.log"

status=0
for variant in none vpc; do
  template="$out/$variant/cloudformation-template-update-stack.json"
  set +e
  "$venv/bin/cfn-lint" "$template" > "$out/cfn-lint.txt"
  rc=$?
  set -e
  errors=$(grep -c '^E' "$out/cfn-lint.txt" || true)
  warnings=$(grep -c '^W' "$out/cfn-lint.txt" || true)
  echo "cfn-lint network=$variant: $errors errors, $warnings warnings"
  if [ $((rc & 2)) -ne 0 ] || [ $((rc & 1)) -ne 0 ]; then
    cat "$out/cfn-lint.txt"
    status=1
  fi
  set +e
  "$venv/bin/checkov" --config-file .checkov.yaml -f "$template" > "$out/checkov.txt" 2> /dev/null
  rc=$?
  set -e
  summary=$(grep -E '^Passed checks' "$out/checkov.txt" || echo 'no checkov summary')
  echo "checkov network=$variant: $summary"
  if [ $rc -ne 0 ]; then
    grep -E '^Check: |FAILED' "$out/checkov.txt" || cat "$out/checkov.txt"
    status=1
  fi
done
exit $status
