#!/usr/bin/env bash
# Sets API Gateway's CloudWatch Logs role, an account-wide setting of each region, once per account, outside every
# environment's Terraform state. API Gateway refuses a stage with access logs or execution logging until the
# region's account settings name such a role ("BadRequestException: CloudWatch Logs role ARN must be set in account
# settings to enable logging"; https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
#
# Why not Terraform: the setting is one per region for the whole account. Managed by an environment's stack, apply
# overwrites the role other APIs of the account rely on, and since hashicorp/aws 6.0 destroying
# aws_api_gateway_account resets it (terraform-provider-aws PR #42226), which breaks logging for every REST API in
# the region; two environments in one account would keep overwriting each other.
#
# Idempotent and non-destructive: a region whose account settings already name a role keeps it (whoever set it);
# only a region without one gets the role below.
#
#   scripts/bootstrap-account.sh [--dry-run] [--role-name NAME] [--region R ...]
#
# Needs the AWS CLI v2 and credentials allowed to create an IAM role and call apigateway:PATCH on
# /account. With --dry-run it only prints the calls (the account id shows as <account-id>).
set -euo pipefail

dry_run=false
role_name="apigateway-cloudwatch-logs"
regions=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true; shift ;;
    --role-name) role_name="${2:-}"; shift 2 ;;
    --region) regions+=("${2:-}"); shift 2 ;;
    *) echo "bootstrap-account: unknown argument $1 (use [--dry-run] [--role-name NAME] [--region R ...])" >&2; exit 2 ;;
  esac
done
if ! [[ "$role_name" =~ ^[A-Za-z0-9+=,.@_-]{1,64}$ ]]; then
  echo "bootstrap-account: --role-name must be 1-64 of letters, digits and +=,.@_- (an IAM role name)" >&2
  exit 2
fi
[ "${#regions[@]}" -gt 0 ] || regions=(us-east-1 us-east-2)
for r in "${regions[@]}"; do
  if ! [[ "$r" =~ ^[a-z]{2}-[a-z]+-[0-9]$ ]]; then
    echo "bootstrap-account: --region $r is not a region name such as us-east-1" >&2
    exit 2
  fi
done

run() {
  if $dry_run; then printf 'aws'; printf ' %q' "$@"; printf '\n'; else aws "$@"; fi
}

if $dry_run; then account="<account-id>"; else account=$(aws sts get-caller-identity --query Account --output text); fi
role_arn="arn:aws:iam::${account}:role/${role_name}"
trust="{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"apigateway.amazonaws.com\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\"${account}\"}}}]}"
role_ready=false

ensure_role() {
  $role_ready && return 0
  echo "== IAM role ${role_name} (IAM is global: created once for every region)"
  if ! $dry_run && aws iam get-role --role-name "$role_name" >/dev/null 2>&1; then
    echo "exists"
  else
    run iam create-role --role-name "$role_name" --description "Lets API Gateway write access and execution logs to CloudWatch Logs" --assume-role-policy-document "$trust"
  fi
  run iam attach-role-policy --role-name "$role_name" --policy-arn arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs
  role_ready=true
}

for region in "${regions[@]}"; do
  echo "== API Gateway account settings (${region})"
  current=""
  if $dry_run; then
    run apigateway get-account --region "$region" --query cloudwatchRoleArn --output text
  else
    current=$(aws apigateway get-account --region "$region" --query cloudwatchRoleArn --output text)
  fi
  if [ -n "$current" ] && [ "$current" != "None" ]; then
    echo "kept: ${current} (already set; not changed)"
    continue
  fi
  ensure_role
  patch="op=replace,path=/cloudwatchRoleArn,value=${role_arn}"
  if $dry_run; then
    run apigateway update-account --region "$region" --patch-operations "$patch"
    continue
  fi
  # A new role takes a few seconds to reach API Gateway (IAM is eventually consistent): bounded retries.
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if aws apigateway update-account --region "$region" --patch-operations "$patch" >/dev/null; then
      echo "set: ${role_arn}"
      break
    fi
    if [ "$attempt" -eq 10 ]; then
      echo "bootstrap-account: update-account in ${region} kept failing; check the role ${role_arn}" >&2
      exit 1
    fi
    sleep 6
  done
done
echo "done: API Gateway can write access and execution logs in ${regions[*]}"
