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

# A data refusal (SQLSTATE class 23) inside a batch of many: the loop
# halves the batch until the culprit stands alone, answers and
# dead-letters it at once, and commits the others in batches.  All 41
# requests name one conversation, so they share a Kafka key and a
# partition and sharesd fetches them together; the trigger refuses the
# one whose requester is u-refused.
sql "CREATE OR REPLACE FUNCTION \"refuse_$T\"() RETURNS trigger
	LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'refused'
	USING ERRCODE = 'check_violation'; END \$\$" > /dev/null
sql "CREATE TRIGGER \"refuse_$T\" BEFORE INSERT ON shares FOR EACH ROW
	WHEN (NEW.tenant_id = '$T' AND NEW.created_by = 'u-refused')
	EXECUTE FUNCTION \"refuse_$T\"()" > /dev/null
B=$(new_id)
ids=()
halves_before=$(grep -c "applying it as" "$RUN_DIR/sharesd.log")
fine_before=$(sql "SELECT count(*) FROM shares WHERE tenant_id = '$T'
	AND conversation_id = 'c-fine'")
{
	for i in $(seq 1 40); do
		id=$(new_id)
		ids+=("$id")
		share_request "$T" c-fine . "$id"
		[ "$i" = 20 ] && share_request "$T" c-fine \
			'.requested_by.user_id = "u-refused"' "$B"
	done
} > "$RUN_DIR/refused.jsonl"
# sharesd is paused while they are produced, so that it polls them as
# one batch.
kill -STOP "$(cat "$RUN_DIR/sharesd.pid")"
produce share-requests < "$RUN_DIR/refused.jsonl"
kill -CONT "$(cat "$RUN_DIR/sharesd.pid")"
code=$(wait_reply "$B" 30 | jq -r .ev.data.code)
check_eq "the refused request is answered" "$code" invalid_request
dl_b() { dead_letters c-fine | grep -q "$B"; }
check "and dead-lettered" wait_until 10 dl_b
# (not "still failing after RETRY_MAX_SECONDS": refused at once)
check "the dead letter says the database refused it" \
	q grep -q "database refused the event" <<< "$(dead_letters c-fine | grep "$B" | head -1 |
		jq -r .headers.error)"
all_created() {
	[ "$(sql "SELECT count(*) FROM shares WHERE tenant_id = '$T'
		AND conversation_id = 'c-fine'")" -ge $((fine_before + 40)) ]
}
check "the 40 requests around it are stored" wait_until 20 all_created
dump=$RUN_DIR/refused-replies.jsonl
replies_all > "$dump"
created=0
for id in "${ids[@]}"; do
	t=$(replies_to "$id" "$dump" | grep -v email.requested | jq -r .ev.type)
	[ "$t" = goldilocks.share.created ] && created=$((created + 1))
done
check_eq "and each answered share.created once" "$created" 40
halves=$(( $(grep -c "applying it as" "$RUN_DIR/sharesd.log") - halves_before ))
check "the batch was halved, not redone one by one ($halves halvings)" \
	[ "$halves" -ge 1 ]
sql "DROP TRIGGER \"refuse_$T\" ON shares" > /dev/null

done_testing
