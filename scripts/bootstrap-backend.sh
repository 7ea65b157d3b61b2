#!/usr/bin/env bash
# Creates what Berth's Pulumi stacks keep their state in, once per AWS account:
#   - an S3 bucket for the state (versioned, KMS-encrypted, public access blocked, TLS only,
#     bucket owner enforced),
#   - a KMS key (rotation on) with an alias, for Pulumi's secrets provider,
# then prints the `pulumi login` and `pulumi stack init` commands to use them.
# Safe to run again: existing bucket and key are kept and their settings re-applied.
# A single-account trial backend only. For real accounts use stacks/bootstrap (docs/security.md):
# it also makes the scoped deploy and preview roles, one secrets key per environment and a bucket
# policy under which each environment's state is written only by its own deploy role.
#
# Usage: scripts/bootstrap-backend.sh --bucket <name> --region <region> [--kms-alias alias/<name>] [--dry-run]
# Needs: the AWS CLI v2 and credentials for the target account (not needed with --dry-run).
set -euo pipefail

bucket=""
region=""
alias_name="alias/berth-pulumi-secrets"
dry_run=false

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bucket) bucket="${2:-}"; shift 2 ;;
    --region) region="${2:-}"; shift 2 ;;
    --kms-alias) alias_name="${2:-}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bootstrap-backend: unknown argument '$1'" >&2; usage 2 ;;
  esac
done

fail() { echo "bootstrap-backend: $*" >&2; exit 2; }
[[ -n "$bucket" ]] || fail "--bucket is required"
[[ -n "$region" ]] || fail "--region is required"
[[ "$bucket" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || fail "--bucket '$bucket' is not a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)"
[[ "$region" =~ ^[a-z]{2}(-gov)?-[a-z]+-[0-9]$ ]] || fail "--region '$region' is not an AWS region name (e.g. us-east-1)"
[[ "$alias_name" =~ ^alias/[A-Za-z0-9/_-]{1,250}$ ]] || fail "--kms-alias '$alias_name' must look like alias/<name>"
[[ "$alias_name" != alias/aws/* ]] || fail "--kms-alias '$alias_name' is reserved for AWS managed keys"

run() {
  if $dry_run; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

aws_() { run aws --region "$region" "$@"; }

# 1. The KMS key for secrets (reused when the alias exists).
if ! $dry_run && key_arn="$(aws --region "$region" kms describe-key --key-id "$alias_name" --query KeyMetadata.Arn --output text 2>/dev/null)"; then
  echo "KMS key $alias_name exists: $key_arn"
else
  if $dry_run; then
    aws_ kms create-key --description "Pulumi secrets provider for Berth stacks" --query KeyMetadata.Arn --output text
    key_arn="arn:aws:kms:${region}:<account>:key/<key-id>"
  else
    key_arn="$(aws --region "$region" kms create-key --description "Pulumi secrets provider for Berth stacks" --query KeyMetadata.Arn --output text)"
  fi
  aws_ kms create-alias --alias-name "$alias_name" --target-key-id "$key_arn"
fi
aws_ kms enable-key-rotation --key-id "$key_arn"

# 2. The state bucket.
if ! $dry_run && aws --region "$region" s3api head-bucket --bucket "$bucket" 2>/dev/null; then
  echo "Bucket $bucket exists; re-applying its settings"
elif [[ "$region" == "us-east-1" ]]; then
  aws_ s3api create-bucket --bucket "$bucket"
else
  aws_ s3api create-bucket --bucket "$bucket" --create-bucket-configuration "LocationConstraint=$region"
fi
aws_ s3api put-bucket-ownership-controls --bucket "$bucket" \
  --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
aws_ s3api put-public-access-block --bucket "$bucket" \
  --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
aws_ s3api put-bucket-versioning --bucket "$bucket" --versioning-configuration Status=Enabled
# No S3 Bucket Key: with one, the KMS encryption context is the bucket's ARN instead of each object's,
# and no policy could limit a role's decrypts to its own stacks' objects (kms:EncryptionContext:aws:s3:arn).
aws_ s3api put-bucket-encryption --bucket "$bucket" --server-side-encryption-configuration \
  "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"$key_arn\"},\"BucketKeyEnabled\":false}]}"
aws_ s3api put-bucket-policy --bucket "$bucket" --policy \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::$bucket\",\"arn:aws:s3:::$bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"

cat <<NEXT

Backend ready. Next:

  pulumi login "s3://$bucket?region=$region"
  (cd stacks/shared   && pulumi stack init organization/berth-shared/shared --secrets-provider "awskms://$alias_name?region=$region")
  (cd stacks/platform && for env in dev staging prod; do pulumi stack init "organization/berth-platform/\$env" --secrets-provider "awskms://$alias_name?region=$region"; done)
NEXT
