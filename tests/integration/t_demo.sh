#!/bin/bash
# sharectl demo and sharectl revoke, as an operator runs them.
. "$(dirname "$0")/lib.sh"

url=$("$CTL" demo 2>"$RUN_DIR/demo.err")
check_eq "sharectl demo exits 0" $? 0
check "it prints the link on PUBLIC_BASE_URL" \
	q grep -Eq "^${PUBLIC_BASE_URL}/s/[A-Za-z0-9_-]{43}\$" <<< "$url"
share=$(sed -n 's/.*share \([0-9a-f-]\{36\}\):.*/\1/p' "$RUN_DIR/demo.err")
check "it names the share it made" [ -n "$share" ]
info=$("$CTL" inspect share "$share")
check_eq "the demo link is external, view only, redacting PII" \
	"$(echo "$info" | jq -c '[.audience, .permission, .redact.pii, .status]')" \
	'["external","view",true,"active"]'
check "the demo's PII was found" \
	q jq -e '.ev.data.pii_found.email >= 1 and .ev.data.pii_found.card >= 1' \
	<<< "$(replies_all | jq -c --arg s "$share" 'select(.ev.data.share_id == $s and .ev.type == "goldilocks.share.created")' | head -1)"

out=$("$CTL" revoke "$share")
check_eq "sharectl revoke exits 0" $? 0
check_eq "and prints the revoked ids" "$(echo "$out" | jq -c .share_ids)" "[\"$share\"]"
check_eq "the share is revoked" "$("$CTL" inspect share "$share" | jq -r .status)" revoked
check_eq "the audit trail names sharectl" \
	"$("$CTL" audit "$share" | jq -r '.events[-1] | "\(.type) \(.actor)"')" \
	"goldilocks.share.revoked sharectl"
"$CTL" revoke 00000000-0000-4000-8000-000000000000 >/dev/null 2>&1
check_eq "revoking an unknown share fails (exit 1)" $? 1
"$CTL" inspect share not-a-uuid >/dev/null 2>&1
check_eq "inspecting a bad id fails (exit 1)" $? 1

done_testing
