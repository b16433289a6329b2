#!/bin/bash
# No poison pills (SPEC §2 "Nothing stuck"): an event whose failure always
# recurs is answered and dead-lettered once, and the partition moves on.
# A failure nobody classed (here a trigger that raises for one
# conversation, SQLSTATE P0001) is retried RETRY_MAX_SECONDS (5 s in the
# test stack), then taken as permanent; an export whose redaction terms,
# the share's and the request's together, are more than the redactor takes
# is answered at once.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant poison)
C=c-poison-$T
snapshot "$T" "$C" 2 | produce conversations
snapshot "$T" c-fine 2 | produce conversations
wait_until 20 q "$CTL" inspect conversation "$C" --tenant "$T"
wait_until 20 q "$CTL" inspect conversation c-fine --tenant "$T"

sql "CREATE OR REPLACE FUNCTION poison_$RANDOM() RETURNS trigger
	LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'poisoned'; END \$\$" \
	> /dev/null
fn=$(sql "SELECT proname FROM pg_proc WHERE proname LIKE 'poison_%'
	ORDER BY oid DESC LIMIT 1")
sql "CREATE TRIGGER \"poison_$T\" BEFORE INSERT ON shares FOR EACH ROW
	WHEN (NEW.tenant_id = '$T' AND NEW.conversation_id = '$C')
	EXECUTE FUNCTION $fn()" > /dev/null

P=$(new_id)
share_request "$T" "$C" . "$P" | produce share-requests
start=$SECONDS
code=$(wait_reply "$P" 30 | jq -r .ev.data.code)
check_eq "the poisoned request is answered" "$code" invalid_request
check "after RETRY_MAX_SECONDS, not before ($((SECONDS - start)) s)" \
	[ $((SECONDS - start)) -ge 4 ]
dl_has() { dead_letters "$C" | grep -q "$P"; }
check "and dead-lettered" wait_until 10 dl_has
dl=$(dead_letters "$C" | grep "$P" | head -1)
check "the dead letter says it kept failing: $(echo "$dl" | jq -r .headers.error)" \
	q grep -q "RETRY_MAX_SECONDS" <<< "$(echo "$dl" | jq -r .headers.error)"
F=$(new_id)
share_request "$T" c-fine . "$F" | produce share-requests
check_eq "the requests after it are answered" \
	"$(wait_reply "$F" 20 | jq -r .ev.type)" goldilocks.share.created
sleep 2
check_eq "dead-lettered once" "$(dead_letters "$C" | grep -c "$P")" 1
check_eq "answered once" \
	"$(replies_to "$P" | grep -vc goldilocks.email.requested)" 1
sql "DROP TRIGGER \"poison_$T\" ON shares" > /dev/null

# exportd: a share with 100 redaction terms, and an export request adding
# more: the redactor takes at most 100.
terms=$(jq -nc '[range(0; 100) | "term-\(.)"]')
S=$(new_id)
share_request "$T" c-fine ".redact = {terms: $terms}" "$S" |
	produce share-requests
SHARE=$(wait_reply "$S" 20 | jq -r .ev.data.share_id)
check "a share with 100 terms is created" [ -n "$SHARE" ] && [ "$SHARE" != null ]
X=$(new_id)
envelope goldilocks.export.requested "$T" "$(jq -nc --arg s "$SHARE" \
	'{share_id: $s, format: "txt", requested_by: {user_id: "u-1",
	  role: "agent"}, redact: {terms: ["one-more", "and-another"]}}')" "$X" |
	produce export-requests
reply=$(wait_reply "$X" 20)
check_eq "the export with 102 terms is answered export.failed" \
	"$(echo "$reply" | jq -r .ev.type)" goldilocks.export.failed
check "and says why: $(echo "$reply" | jq -r .ev.data.message)" \
	q grep -qi "term" <<< "$(echo "$reply" | jq -r .ev.data.message)"
X2=$(new_id)
envelope goldilocks.export.requested "$T" "$(jq -nc --arg s "$SHARE" \
	'{share_id: $s, format: "txt", requested_by: {user_id: "u-1",
	  role: "agent"}}')" "$X2" | produce export-requests
check_eq "the export behind it completes" \
	"$(wait_reply "$X2" 30 | jq -r .ev.type)" goldilocks.export.completed

done_testing
