#!/usr/bin/env bash
# Creates the Terraform state buckets of the S3 backend, one per region, so that each stack's state lives in
# the region it must stay manageable from: <prefix>-use1 in us-east-1 and <prefix>-use2 in us-east-2.
# Each bucket: versioned, SSE-KMS (aws/s3 unless --kms-key-<region> is given), public access blocked,
# TLS-only policy. Idempotent: existing buckets are left as they are and re-checked.
#
#   scripts/bootstrap-state.sh --prefix acme-payments-tfstate [--dry-run]
#
# Needs the AWS CLI v2 and credentials allowed to create buckets. With --dry-run it only prints the calls.
set -euo pipefail

prefix=""
dry_run=false
declare -A kms=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:-}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    --kms-key-us-east-1) kms[us-east-1]="${2:-}"; shift 2 ;;
    --kms-key-us-east-2) kms[us-east-2]="${2:-}"; shift 2 ;;
    *) echo "bootstrap-state: unknown argument $1 (use --prefix NAME [--dry-run] [--kms-key-us-east-1 ARN] [--kms-key-us-east-2 ARN])" >&2; exit 2 ;;
  esac
done
if ! [[ "$prefix" =~ ^[a-z0-9][a-z0-9-]{2,50}$ ]]; then
  echo "bootstrap-state: --prefix must be 3-51 lowercase letters, digits or hyphens (same value as STATE_BUCKET_PREFIX)" >&2
  exit 2
fi

run() {
  if $dry_run; then printf 'aws'; printf ' %q' "$@"; printf '\n'; else aws "$@"; fi
}

for region in us-east-1 us-east-2; do
  code=${region/us-east-/use}
  bucket="${prefix}-${code}"
  echo "== ${bucket} (${region})"
  if ! $dry_run && aws s3api head-bucket --bucket "$bucket" --region "$region" 2>/dev/null; then
    echo "exists"
  elif [ "$region" = us-east-1 ]; then
    run s3api create-bucket --bucket "$bucket" --region "$region"
  else
    run s3api create-bucket --bucket "$bucket" --region "$region" --create-bucket-configuration "LocationConstraint=${region}"
  fi
  run s3api put-bucket-versioning --bucket "$bucket" --region "$region" --versioning-configuration Status=Enabled
  key="${kms[$region]:-}"
  if [ -n "$key" ]; then
    sse="{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"${key}\"},\"BucketKeyEnabled\":true}]}"
  else
    sse='{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"},"BucketKeyEnabled":true}]}'
  fi
  run s3api put-bucket-encryption --bucket "$bucket" --region "$region" --server-side-encryption-configuration "$sse"
  run s3api put-public-access-block --bucket "$bucket" --region "$region" \
    --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  policy="{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::${bucket}\",\"arn:aws:s3:::${bucket}/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"
  run s3api put-bucket-policy --bucket "$bucket" --region "$region" --policy "$policy"
done
echo "done: set STATE_BUCKET_PREFIX=${prefix} before npm run synth"
